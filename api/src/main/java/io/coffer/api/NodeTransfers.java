package io.coffer.api;

import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.Withdrawal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The node's chains as tenant transfers see them: one {@link ChainRunner} per chain, whose withdrawal service (UTXO or account,
 * behind the one {@code WithdrawalLedger} interface) does what the chain's kind needs.
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
        return r.withdrawals().destination(destination);
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
        return runner(asset).withdrawals().quote(account, asset, destination, amount, priority, feeRate);
    }

    @Override
    public Withdrawal send(int account, String asset, String destination, BigInteger amount, io.coffer.core.transfer.FeePriority priority,
            long feeRate, String key) {
        return runner(asset).withdrawals().send(account, asset, destination, amount, priority, feeRate, key);
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
        return runner(asset).withdrawals().bumpFee(withdrawalId, feeRate);
    }

    @Override
    public boolean isFinal(String asset, Withdrawal w) {
        return runner(asset).withdrawals().isFinal(w);
    }
}
