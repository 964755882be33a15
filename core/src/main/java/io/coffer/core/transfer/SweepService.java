package io.coffer.core.transfer;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.AddressInfo;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Derivation;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Reader;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Deposit addresses checked at most a round (each check is a call to the node for the address's nonce and one per asset
     * for its balance): the rest wait for the next rounds, so a round's cost does not grow with how many are due.
     */
    static final int CHECKS_PER_ROUND = 64;

    private final Store store;
    private final AccountWithdrawalService withdrawals;
    private final AddressBook addresses;
    private final Policy policy;
    private final String chain;
    /**
     * Per account, the deposit addresses to check, oldest first (under this monitor): every one with a confirmed deposit on
     * record at the first round, then each one a deposit confirms at ({@link #confirmed}). An address leaves once checked and
     * found with nothing above the thresholds and nothing pending; one with a sweep or top-up under way stays until that is
     * settled and it is checked again. Every round used to check every address that ever received a deposit, two calls to the
     * node or more each, and read every deposit of the chain: with ten thousand customers' addresses, twenty thousand calls a
     * round.
     */
    private final Map<Integer, LinkedHashSet<String>> due = new java.util.HashMap<>();
    private boolean seeded;
    /** Deposits that confirmed since the last round (account, address), handed over by the store's writes without a lock. */
    private final java.util.Queue<Arrival> confirmed = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record Arrival(int account, String address) {
    }

    public SweepService(Store store, AccountWithdrawalService withdrawals, AddressBook addresses, Policy policy) {
        this.store = store;
        this.withdrawals = withdrawals;
        this.addresses = addresses;
        this.policy = policy;
        this.chain = addresses.chain();
        store.derive("sweeps due (" + chain + ")", new Confirmations());
    }

    /**
     * Notes each deposit of this chain that a batch confirms (it was not confirmed before it). Writes nothing: what it notes is
     * only when to look at an address, and an address looked at for nothing costs a check, never a wrong sweep (the balances
     * are read from the chain then).
     */
    private final class Confirmations implements Derivation {
        @Override
        public Set<Table<?, ?>> reads() {
            return Set.of(ChainTables.DEPOSITS);
        }

        @Override
        public byte[] keyPrefix() {
            return KeyWriter.key().string(chain).build();
        }

        @Override
        public void derive(Batch batch, Reader before) {
            batch.changes(ChainTables.DEPOSITS).forEach((key, now) -> now.filter(d -> d.status().isConfirmed())
                    .filter(d -> !before.get(ChainTables.DEPOSITS, key).map(was -> was.status().isConfirmed()).orElse(false))
                    .ifPresent(d -> confirmed.add(new Arrival(d.account(), d.address()))));
        }
    }

    /**
     * One round for {@code account}: checks up to {@value #CHECKS_PER_ROUND} of its deposit addresses due (see {@link #due}) and
     * returns the top-ups and sweeps it started.
     */
    public synchronized List<Withdrawal> sweep(int account) {
        if (new io.coffer.core.backup.RestoreGate(store).paused()) {
            return List.of(); // a restored ledger sends nothing until released (RestoreMark)
        }
        if (!seeded) {
            seeded = true;
            confirmed.addAll(depositAddresses());
        }
        for (Arrival a; (a = confirmed.poll()) != null; ) {
            due.computeIfAbsent(a.account(), k -> new LinkedHashSet<>()).add(a.address());
        }
        LinkedHashSet<String> queue = due.getOrDefault(account, new LinkedHashSet<>());
        List<String> turn = queue.stream().limit(CHECKS_PER_ROUND).toList();
        String hot = withdrawals.hotAddress(account);
        List<Withdrawal> started = new ArrayList<>();
        for (String address : turn) {
            queue.remove(address); // back at the end while it stays due, so the others get their turn
            boolean stays = true;
            try {
                AddressInfo info = addresses.lookup(address).orElse(null);
                if (info == null || info.change() != 0) {
                    stays = false; // the internal branch holds the hot address itself: never swept into itself
                } else if (withdrawals.pendingFrom(address).isEmpty() && !hasPendingTopUp(address)) {
                    // (One thing at a time per address: while one is pending, nonces and balances settle first.)
                    Optional<Withdrawal> w = check(account, address, info, hot);
                    w.ifPresent(started::add); // checked again once it settles: another asset, or the token after its gas
                    stays = w.isPresent();
                }
            } finally {
                if (stays) {
                    queue.add(address); // also when the node could not be asked: checked again later
                }
            }
        }
        return started;
    }

    /** Checks {@code address}'s balances against the thresholds; the top-up or sweep it starts there, if any (one at most). */
    private Optional<Withdrawal> check(int account, String address, AddressInfo info, String hot) {
        var factory = withdrawals.factory();
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
                    // The next asset of this address waits for this nonce.
                    return Optional.of(withdrawals.sendFrom(account, path, address, asset, hot, amount,
                            WithdrawalOrigin.sweepKey(address, nonce), fees));
                }
                continue;
            }
            BigInteger gasNeeded = fees.maxFeePerGas().multiply(BigInteger.valueOf(factory.gasLimit(asset, address, hot, balance)));
            BigInteger gasHave = factory.balance(factory.nativeAsset(), address);
            if (gasHave.compareTo(gasNeeded) < 0) {
                // 20% over the current need: fees move between the top-up and the sweep.
                BigInteger topUp = gasNeeded.subtract(gasHave).multiply(BigInteger.valueOf(12)).divide(BigInteger.TEN);
                LOG.info(() -> "chain " + chain + ": topping up " + address + " with " + topUp + " wei for a token sweep");
                return Optional.of(withdrawals.create(account, factory.nativeAsset(), address, topUp,
                        WithdrawalOrigin.topUpKey(address, nonce, asset)));
            }
            return Optional.of(withdrawals.sendFrom(account, path, address, asset, hot, balance,
                    WithdrawalOrigin.sweepKey(address, nonce), fees));
        }
        return Optional.empty();
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

    /**
     * The addresses of this chain that received confirmed deposits, with their accounts (read once, at the first round): the
     * deposits one at a time, only the distinct addresses held (all of a chain's deposits were held at once).
     */
    private Set<Arrival> depositAddresses() {
        Set<Arrival> out = new LinkedHashSet<>();
        byte[] prefix = KeyWriter.key().string(chain).build();
        store.forEach(ChainTables.DEPOSITS.prefix(prefix), ChainTables.DEPOSITS, (key, d) -> {
            if (d.status().isConfirmed()) {
                out.add(new Arrival(d.account(), d.address()));
            }
        });
        return out;
    }
}
