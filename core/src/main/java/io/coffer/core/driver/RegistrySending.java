package io.coffer.core.driver;

import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.transfer.FeePriority;
import io.coffer.core.transfer.FeeRate;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.Withdrawal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The followed chains as tenant transfers see them: each call goes to the withdrawal service (UTXO or account, behind the one
 * {@code WithdrawalLedger} interface) of the chain carrying the asset.
 */
final class RegistrySending implements TransferService.Sending {
    private final ChainRegistry chains;
    private final Vault vault;

    RegistrySending(ChainRegistry chains, Vault vault) {
        this.chains = chains;
        this.vault = vault;
    }

    @Override
    public boolean knows(String asset) {
        return chains.moduleOf(asset).isPresent();
    }

    @Override
    public boolean knowsChain(String chain) {
        return chains.module(chain).isPresent();
    }

    @Override
    public BigInteger maxAmount(String asset) {
        return chains.requireAsset(asset).maxAmount();
    }

    @Override
    public String destination(String asset, String destination) {
        return validate(chains.requireAsset(asset), destination);
    }

    @Override
    public String destinationOnChain(String chain, String destination, String field) {
        ChainModule m = chains.module(chain).orElseThrow(() -> CofferException.invalid(field, "CHAIN_UNKNOWN", "unknown chain '" + chain + "'"));
        try {
            return validate(m, destination);
        } catch (CofferException e) {
            throw CofferException.invalid(field, e.code(), e.getMessage().replaceFirst("^destination: ", ""));
        }
    }

    private static String validate(ChainModule m, String destination) {
        if (destination == null || destination.isEmpty() || destination.length() > 100) {
            throw CofferException.invalid("destination", "ADDRESS_INVALID", "an address of chain " + m.chain() + " is required");
        }
        return m.withdrawals().destination(destination);
    }

    @Override
    public BigInteger spendable(int account, String asset) {
        return chains.requireAsset(asset).balance(account, asset).confirmed().max(BigInteger.ZERO);
    }

    @Override
    public void requireSigning() {
        vault.signer();
    }

    @Override
    public void requireOpen(String asset) {
        ChainModule m = chains.requireAsset(asset);
        chains.reconciler().ifPresent(r -> r.requireOpen(m.chain()));
    }

    @Override
    public TransferService.Quote quote(int account, String asset, String destination, BigInteger amount, FeePriority priority,
            Optional<FeeRate> feeRate) {
        return chains.requireAsset(asset).withdrawals().quote(account, asset, destination, amount, priority, feeRate);
    }

    @Override
    public Withdrawal send(int account, String asset, String destination, BigInteger amount, FeePriority priority,
            Optional<FeeRate> feeRate, String key) {
        return chains.requireAsset(asset).withdrawals().send(account, asset, destination, amount, priority, feeRate, key);
    }

    @Override
    public Optional<Withdrawal> withdrawal(String asset, String id) {
        return chains.requireAsset(asset).withdrawals().get(id);
    }

    @Override
    public Optional<Withdrawal> withdrawalByKey(String asset, String idempotencyKey) {
        return chains.requireAsset(asset).withdrawals().byIdempotencyKey(idempotencyKey);
    }

    @Override
    public Withdrawal bump(String asset, String withdrawalId, Optional<FeeRate> feeRate) {
        return chains.requireAsset(asset).withdrawals().bumpFee(withdrawalId, feeRate);
    }

    @Override
    public boolean isFinal(String asset, Withdrawal w) {
        return chains.requireAsset(asset).withdrawals().isFinal(w);
    }
}
