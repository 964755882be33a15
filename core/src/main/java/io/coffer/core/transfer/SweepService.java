package io.coffer.core.transfer;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.AddressInfo;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Sweeps an account's deposit addresses into its hot address on account chains, where every deposit
 * address is its own on-chain account. Policy: an asset is swept when its balance at a deposit address
 * exceeds the asset's threshold. Native coins pay their own gas (the amount swept is the balance less the
 * maximum fee). A token sweep needs gas at the deposit address: Coffer first tops it up from the hot
 * address (a withdrawal of just the gas needed), and sweeps the tokens on a later round, once the top-up
 * has confirmed. Top-ups and sweeps are ordinary withdrawals (idempotency keys {@code topup:...} and
 * {@code sweep:...}), so they are crash-safe the same way and their fees are accounted
 * ({@link #gasSpent}).
 */
public final class SweepService {
    private static final Logger LOG = Logger.getLogger(SweepService.class.getName());

    /** Per asset, the balance above which a deposit address is swept (base units); absent: never. */
    public record Policy(Map<String, BigInteger> thresholds) {
    }

    private final Store store;
    private final AccountWithdrawalService withdrawals;
    private final AddressBook addresses;
    private final Policy policy;
    private final String chain;

    public SweepService(Store store, AccountWithdrawalService withdrawals, AddressBook addresses, Policy policy) {
        this.store = store;
        this.withdrawals = withdrawals;
        this.addresses = addresses;
        this.policy = policy;
        this.chain = addresses.chain();
    }

    /** One round for {@code account}: returns the top-ups and sweeps it started. */
    public synchronized List<Withdrawal> sweep(int account) {
        if (new io.coffer.core.backup.RestoreGate(store).paused()) {
            return List.of(); // a restored ledger sends nothing until released (RestoreMark)
        }
        var factory = withdrawals.factory();
        String hot = withdrawals.hotAddress(account);
        List<Withdrawal> started = new ArrayList<>();
        for (String address : depositAddresses(account)) {
            if (!withdrawals.pendingFrom(address).isEmpty() || hasPendingTopUp(address)) {
                continue; // one thing at a time per address: nonces and balances settle first
            }
            AddressInfo info = addresses.lookup(address).orElseThrow();
            DerivationPath path = AccountScheme.byId(info.scheme()).accountPath(info.account()).child(info.change()).child(info.index());
            long nonce = factory.minedNonce(address);
            for (Map.Entry<String, BigInteger> t : policy.thresholds().entrySet()) {
                String asset = t.getKey();
                BigInteger balance = factory.balance(asset, address);
                if (balance.compareTo(t.getValue()) <= 0) {
                    continue;
                }
                AccountWithdrawalService.Fees fees = factory.fees();
                if (asset.equals(factory.nativeAsset())) {
                    BigInteger maxFee = fees.maxFeePerGas().multiply(BigInteger.valueOf(factory.gasLimit(asset, address, hot, balance)));
                    BigInteger amount = balance.subtract(maxFee);
                    if (amount.compareTo(t.getValue()) > 0) {
                        started.add(withdrawals.sendFrom(account, path, address, asset, hot, amount, WithdrawalOrigin.sweepKey(address, nonce), fees));
                        break; // the next asset of this address waits for this nonce
                    }
                    continue;
                }
                BigInteger gasNeeded = fees.maxFeePerGas().multiply(BigInteger.valueOf(factory.gasLimit(asset, address, hot, balance)));
                BigInteger gasHave = factory.balance(factory.nativeAsset(), address);
                if (gasHave.compareTo(gasNeeded) < 0) {
                    // 20% over the current need: fees move between the top-up and the sweep.
                    BigInteger topUp = gasNeeded.subtract(gasHave).multiply(BigInteger.valueOf(12)).divide(BigInteger.TEN);
                    LOG.info(() -> "chain " + chain + ": topping up " + address + " with " + topUp + " wei for a token sweep");
                    started.add(withdrawals.create(account, factory.nativeAsset(), address, topUp, WithdrawalOrigin.topUpKey(address, nonce, asset)));
                } else {
                    started.add(withdrawals.sendFrom(account, path, address, asset, hot, balance, WithdrawalOrigin.sweepKey(address, nonce), fees));
                }
                break;
            }
        }
        return started;
    }

    /** Network fees paid by the account's sweeps and top-ups so far (actual fees once mined). */
    public BigInteger gasSpent(int account) {
        BigInteger total = BigInteger.ZERO;
        for (WithdrawalOrigin origin : List.of(WithdrawalOrigin.SWEEP, WithdrawalOrigin.TOP_UP)) {
            for (Withdrawal w : withdrawals.withKeyPrefix(origin.keyPrefix())) {
                if (w.account() == account && (w.status() == WithdrawalStatus.CONFIRMED || w.status() == WithdrawalStatus.CONFIRMING)) {
                    total = total.add(w.fee());
                }
            }
        }
        return total;
    }

    private boolean hasPendingTopUp(String address) {
        return withdrawals.withKeyPrefix(WithdrawalOrigin.topUpsOf(address)).stream().anyMatch(w -> !w.status().isFinal());
    }

    /** Addresses of the account that received confirmed deposits. */
    private Set<String> depositAddresses(int account) {
        Set<String> out = new LinkedHashSet<>();
        byte[] prefix = KeyWriter.key().string(chain).build();
        for (var e : store.list(ChainTables.DEPOSITS, ChainTables.DEPOSITS.prefix(prefix), Integer.MAX_VALUE)) {
            Deposit d = e.getValue();
            boolean receiveBranch = addresses.lookup(d.address()).map(i -> i.change() == 0).orElse(false);
            if (d.account() == account && d.status().isConfirmed() && receiveBranch) {
                out.add(d.address()); // the internal branch holds the hot address itself: never swept into itself
            }
        }
        return out;
    }
}
