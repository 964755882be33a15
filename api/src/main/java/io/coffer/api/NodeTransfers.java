package io.coffer.api;

import io.coffer.chain.bitcoin.BitcoinFeeEstimator;
import io.coffer.core.config.BitcoinChainConfig;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.CoinSelection;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.UtxoWithdrawalService;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The node's chains as tenant transfers see them: one {@link ChainRunner} per chain, Bitcoin (UTXO withdrawals, fee rate from
 * the estimator or given) or EVM (hot-address withdrawals, fees from the chain).
 */
final class NodeTransfers implements TransferService.Sending {
    private final List<ChainRunner> runners;
    private final Vault vault;

    NodeTransfers(List<ChainRunner> runners, Vault vault) {
        this.runners = runners;
        this.vault = vault;
    }

    private ChainRunner runner(String asset) {
        return runners.stream().filter(r -> r.assets().stream().anyMatch(a -> a.id().equals(asset))).findFirst()
                .orElseThrow(() -> CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '" + asset + "'; ListAssets lists them"));
    }

    @Override
    public boolean knows(String asset) {
        return runners.stream().anyMatch(r -> r.assets().stream().anyMatch(a -> a.id().equals(asset)));
    }

    @Override
    public boolean knowsChain(String chain) {
        return runners.stream().anyMatch(r -> r.chain().equals(chain));
    }

    @Override
    public BigInteger maxAmount(String asset) {
        return runner(asset).maxAmount();
    }

    @Override
    public String destination(String asset, String destination) {
        return validate(runner(asset), destination);
    }

    @Override
    public String destinationOnChain(String chain, String destination, String field) {
        ChainRunner r = runners.stream().filter(x -> x.chain().equals(chain)).findFirst()
                .orElseThrow(() -> CofferException.invalid(field, "CHAIN_UNKNOWN", "unknown chain '" + chain + "'"));
        try {
            return validate(r, destination);
        } catch (CofferException e) {
            throw CofferException.invalid(field, e.code(), e.getMessage().replaceFirst("^destination: ", ""));
        }
    }

    private static String validate(ChainRunner r, String destination) {
        if (destination == null || destination.isEmpty() || destination.length() > 100) {
            throw CofferException.invalid("destination", "ADDRESS_INVALID", "an address of chain " + r.chain() + " is required");
        }
        if (r.withdrawals() instanceof UtxoWithdrawalService ws) {
            // An all-upper-case bech32 address (valid, e.g. from a QR code) is stored in lower case, so the allowlist and
            // idempotency compare one spelling. Mixed case stays as given and is refused as BIP-173 says; base58 is case-sensitive.
            String lower = destination.toLowerCase(java.util.Locale.ROOT);
            boolean upperBech32 = destination.equals(destination.toUpperCase(java.util.Locale.ROOT)) && lower.matches("(bc|tb|bcrt)1[02-9ac-hj-np-z]+");
            return ws.destination(upperBech32 ? lower : destination);
        }
        // EVM: the EIP-55 checksummed form.
        return ((AccountWithdrawalService) r.withdrawals()).destination(destination);
    }

    @Override
    public BigInteger spendable(int account, String asset) {
        return runner(asset).balance(account, asset)[0].max(BigInteger.ZERO);
    }

    @Override
    public void requireSigning() {
        vault.signer();
    }

    @Override
    public TransferService.Quote quote(int account, String asset, String destination, BigInteger amount,
            io.coffer.core.transfer.FeePriority priority, long feeRate) {
        ChainRunner r = runner(asset);
        if (r.withdrawals() instanceof UtxoWithdrawalService ws) {
            long rate = rate(r, priority, feeRate);
            CoinSelection.Selection sel = ws.quote(account, destination, amount, rate);
            return new TransferService.Quote(asset, sel.fee(), sel.vsize(), satPerVbyte(rate), null, null);
        }
        refuseExplicitRate(feeRate);
        AccountWithdrawalService.Quote q = ((AccountWithdrawalService) r.withdrawals()).quote(account, asset, destination, amount);
        EvmChainConfig c = (EvmChainConfig) r.config();
        return new TransferService.Quote(c.name() + "/" + c.nativeSymbol(), q.maxFee(), q.gas(), null, q.fees().maxFeePerGas(),
                c.eip1559() ? q.fees().maxPriorityFeePerGas() : null);
    }

    @Override
    public Withdrawal send(int account, String asset, String destination, BigInteger amount, io.coffer.core.transfer.FeePriority priority,
            long feeRate, String key) {
        ChainRunner r = runner(asset);
        if (r.withdrawals() instanceof UtxoWithdrawalService ws) {
            return ws.create(account, destination, amount, rate(r, priority, feeRate), key);
        }
        refuseExplicitRate(feeRate);
        return ((AccountWithdrawalService) r.withdrawals()).create(account, asset, destination, amount, key);
    }

    @Override
    public Optional<Withdrawal> withdrawal(String asset, String id) {
        return runner(asset).withdrawals().get(id);
    }

    @Override
    public Optional<Withdrawal> withdrawalByKey(String asset, String idempotencyKey) {
        return runner(asset).withdrawals().byIdempotencyKey(idempotencyKey);
    }

    @Override
    public Withdrawal bump(String asset, String withdrawalId, long feeRate) {
        ChainRunner r = runner(asset);
        if (r.withdrawals() instanceof UtxoWithdrawalService ws) {
            // Unset: the HIGH estimate, at least the BIP-125 minimum above the current rate.
            long rate = feeRate > 0 ? checkMax(r, feeRate) : Math.max(r.fees().estimate(BitcoinFeeEstimator.Priority.HIGH),
                    ws.feeRateOf(withdrawalId) + 1000);
            return ws.bump(withdrawalId, rate);
        }
        refuseExplicitRate(feeRate);
        return ((AccountWithdrawalService) r.withdrawals()).speedUp(withdrawalId);
    }

    @Override
    public boolean isFinal(String asset, Withdrawal w) {
        return runner(asset).withdrawals().isFinal(w);
    }

    private static long rate(ChainRunner r, io.coffer.core.transfer.FeePriority priority, long feeRate) {
        return feeRate > 0 ? checkMax(r, feeRate) : r.fees().estimate(BitcoinFeeEstimator.Priority.valueOf(priority.name()));
    }

    private static long checkMax(ChainRunner r, long feeRate) {
        long max = ((BitcoinChainConfig) r.config()).feeMax() * 1000L;
        if (feeRate > max) {
            throw CofferException.invalid("fee_rate.sat_per_vbyte", "FEE_RATE_TOO_HIGH", "at most " + max / 1000 + " sat/vB on this node");
        }
        return feeRate;
    }

    private static void refuseExplicitRate(long feeRate) {
        if (feeRate > 0) {
            throw CofferException.invalid("fee_rate", "FEE_RATE_UNSUPPORTED", "an explicit fee rate is for Bitcoin; EVM fees follow the chain "
                    + "(use priority)");
        }
    }

    private static String satPerVbyte(long milliSatPerVb) {
        return new BigDecimal(milliSatPerVb).movePointLeft(3).stripTrailingZeros().toPlainString();
    }
}
