package io.coffer.core.transfer;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Signer;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Withdrawals on account chains (EVM) from each account's hot address ({@code m/44'/60'/account'/1/0}),
 * with a persistent nonce manager: the nonce is assigned in the same atomic write that stores the signed
 * transaction, so concurrent withdrawals get contiguous nonces and a crash never reuses or skips one. A
 * nonce whose transaction the node refused is a hole, filled by the next withdrawal. A transaction dropped
 * from the pool is sent again (same bytes); speed-up and cancel are same-nonce replacements paying at
 * least 10% more on both fee fields, tracked as versions of the same withdrawal ("inputs" = the nonce slot).
 */
public final class AccountWithdrawalService extends WithdrawalLedger {
    private static final Logger LOG = Logger.getLogger(AccountWithdrawalService.class.getName());

    /** The chain-specific half: checks, fees, gas, building and signing. */
    public interface AccountTransactionFactory {
        /** Checks and normalises a destination. @throws CofferException INVALID_ARGUMENT naming {@code destination} */
        String destination(String destination);

        /** Current fee parameters (EIP-1559: max fee and priority fee; legacy: gas price in maxFee, priority 0). */
        Fees fees();

        /** Gas limit for moving {@code amount} of {@code asset}, with a safety margin for tokens. */
        long gasLimit(String asset, String from, String to, BigInteger amount);

        /** Balance of {@code asset} at {@code address} on the chain's latest block. */
        BigInteger balance(String asset, String address);

        /** The chain's native asset id. */
        String nativeAsset();

        /** Whether the chain takes EIP-1559 fees (a max fee and a priority fee); legacy chains take a gas price. */
        default boolean eip1559() {
            return true;
        }

        /** The number of transactions {@code address} has mined (its next nonce on chain). */
        long minedNonce(String address);

        /** Builds and signs; checks that the signature recovers {@code tx.from}. */
        Built build(Tx tx, Signer signer);
    }

    /** Fee parameters in wei per gas. */
    public record Fees(BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas) {
        /** At least 10% more on both (what nodes require of a same-nonce replacement), and at least {@code other}. */
        public Fees bumpedOver(Fees old) {
            BigInteger min = old.maxFeePerGas.multiply(BigInteger.valueOf(11)).divide(BigInteger.TEN).add(BigInteger.ONE);
            BigInteger minTip = old.maxPriorityFeePerGas.multiply(BigInteger.valueOf(11)).divide(BigInteger.TEN).add(BigInteger.ONE);
            return new Fees(maxFeePerGas.max(min), maxPriorityFeePerGas.max(minTip));
        }
    }

    /** One transaction to build. */
    public record Tx(String asset, String from, DerivationPath fromPath, String to, BigInteger amount, long nonce, long gasLimit, Fees fees) {
    }

    /** A signed transaction. */
    public record Built(String txid, byte[] raw) {
    }

    private final AccountTransactionFactory factory;
    private final AddressBook addresses;
    private final Supplier<Signer> signer;
    /** Fee parameters of the current version, by withdrawal id (recomputed from storage after a restart). */
    private final Map<String, Fees> feesOf = new java.util.concurrent.ConcurrentHashMap<>();

    public AccountWithdrawalService(Store store, ChainSource source, AccountTransactionFactory factory, AddressBook addresses,
                                    Supplier<Signer> signer, int confirmations, Clock clock, CrashPoints crash) {
        super(store, source, confirmations, clock, crash);
        this.factory = factory;
        this.addresses = addresses;
        this.signer = signer;
        keepBalances(new Balances());
    }

    /** The hot address of {@code account}: where sweeps collect funds and withdrawals leave from. */
    public String hotAddress(int account) {
        return hot.computeIfAbsent(account, a -> addresses.addressAt(a, 1, 0));
    }

    /** Each account's hot address, derived once (a withdrawal asked for it again each time, two public derivations). */
    private final Map<Integer, String> hot = new java.util.concurrent.ConcurrentHashMap<>();

    /** Withdrawals sent from {@code address} and not final yet. */
    List<Withdrawal> pendingFrom(String address) {
        return pending().stream().filter(w -> NonceSlot.of(w).address().equals(address)).toList();
    }

    /**
     * Every withdrawal whose idempotency key starts with {@code prefix} (sweeps and top-ups; no NUL in it): one range of the
     * keys' index, whose keys sort by the key's bytes, not every withdrawal of the chain (the sweep asks this for every deposit
     * address at every round).
     */
    List<Withdrawal> withKeyPrefix(String prefix) {
        if (prefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a key prefix has no NUL");
        }
        // A key component is its bytes (UTF-8, a NUL escaped) then a terminator: a prefix without NUL is its bytes alone.
        byte[] keyBytes = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] range = java.util.Arrays.copyOf(chainPrefix, chainPrefix.length + keyBytes.length);
        System.arraycopy(keyBytes, 0, range, chainPrefix.length, keyBytes.length);
        List<Withdrawal> out = new ArrayList<>();
        for (var e : store.list(TransferTables.IDEMPOTENCY, TransferTables.IDEMPOTENCY.prefix(range), Integer.MAX_VALUE)) {
            get(e.getValue()).ifPresent(out::add);
        }
        return out;
    }


    /**
     * An account chain's balances, per asset: confirmed deposits from outside (a deposit made by one of the ledger's own
     * transactions — a sweep, a top-up — only moves funds between the account's addresses), less what left: every withdrawal's
     * amount unless it was internal or mined without paying, and, in the native asset, every fee paid (reverted transactions
     * included); a withdrawal not yet final holds the same back as pending outgoing. Sent from the account's addresses by
     * transactions the ledger did not make (after a restore: transfers made after the backup; otherwise the keys used outside
     * Coffer): what they moved and their fees left too, as the chain says. A withdrawal (every version of it) is written before
     * its transaction is broadcast, so whether a deposit's or a spend's transaction is the ledger's own is settled before the
     * follower can record it: a new transaction id of the ledger touches no deposit or spend already recorded (were it to, the
     * balances would disagree with the records summed from scratch, which tests check after every change).
     */
    private final class Balances implements LedgerBalances.Rule {
        @Override
        public void touched(LedgerBalances.Changes c, LedgerBalances.Records before, java.util.function.Consumer<LedgerBalances.Unit> out) {
            c.deposits().forEach((id, after) -> {
                if (c.own().containsKey(id.txid()) || !LedgerBalances.samePart(before.deposit(id), after)) {
                    out.accept(new LedgerBalances.DepositUnit(id));
                }
            });
            c.withdrawals().keySet().forEach(id -> out.accept(new LedgerBalances.WithdrawalUnit(id)));
            c.spent().keySet().forEach(id -> out.accept(new LedgerBalances.SpentUnit(id)));
        }

        @Override
        public void part(LedgerBalances.Unit unit, LedgerBalances.Records r, LedgerBalances.Sums sums, int sign) {
            switch (unit) {
                case LedgerBalances.DepositUnit u -> r.deposit(u.id()).filter(d -> !r.own(d.id().txid()))
                        .ifPresent(d -> sums.deposit(d, d.asset(), sign));
                case LedgerBalances.WithdrawalUnit u -> r.withdrawal(u.id()).ifPresent(w -> {
                    boolean minedWithoutPaying = WithdrawalLedger.minedWithoutPaying(w);
                    if (w.status() == WithdrawalStatus.FAILED && !minedWithoutPaying) {
                        return; // refused by the node, or its nonce taken by another transaction: nothing moved, no fee of ours
                    }
                    BigInteger moved = !minedWithoutPaying && !isInternal(w) ? w.amount() : BigInteger.ZERO;
                    boolean pending = !w.status().isFinal(); // reserved while pending, spent once final
                    sums.add(w.account(), w.asset(), moved.negate(), BigInteger.ZERO, pending ? moved : BigInteger.ZERO, sign);
                    sums.add(w.account(), factory.nativeAsset(), w.fee().negate(), BigInteger.ZERO, pending ? w.fee() : BigInteger.ZERO, sign);
                });
                case LedgerBalances.SpentUnit u -> r.spent(u.id()).filter(s -> !s.asset().isEmpty() && !r.own(s.txid())).ifPresent(s ->
                        r.address(NonceSlot.ofInput(u.id()).address()).ifPresent(from -> {
                            sums.add(from.account(), s.asset(), s.amount().negate(), BigInteger.ZERO, BigInteger.ZERO, sign);
                            if (!s.feeAsset().isEmpty()) {
                                sums.add(from.account(), s.feeAsset(), s.fee().negate(), BigInteger.ZERO, BigInteger.ZERO, sign);
                            }
                        }));
            }
        }

        @Override
        public void all(java.util.function.Consumer<LedgerBalances.Unit> out) {
            eachDeposit(out);
            eachWithdrawal(out);
            eachSpend(out);
        }
    }

    AccountTransactionFactory factory() {
        return factory;
    }

    static DerivationPath hotPath(int account) {
        return AccountScheme.EVM.accountPath(account).child(1).child(0);
    }

    /**
     * Creates, signs, stores and sends a withdrawal of {@code asset} from the account's hot address.
     *
     * @throws CofferException INVALID_ARGUMENT (destination, amount, asset, idempotency_key), ALREADY_EXISTS,
     *                         FAILED_PRECONDITION (INSUFFICIENT_FUNDS with {@code missing}, SEALED, WATCH_ONLY)
     */
    public Withdrawal create(int account, String asset, String destination, BigInteger amount, String idempotencyKey) {
        return sendFrom(account, hotPath(account), hotAddress(account), asset, destination, amount, idempotencyKey, null);
    }

    /**
     * Sends from any of the account's own addresses (the hot address, or a deposit address being swept);
     * same rules and same write order as {@link #create}. {@code priced}: the fees a sweep computed its amount with (all but the
     * fee), so the transaction pays exactly those; null for the current ones.
     *
     * <p>Concurrent callers overlap: each decides under this service's monitor (idempotency, funds against what the
     * withdrawals queued before hold back, the nonce after theirs, signing) and queues its signed batch there, in nonce order;
     * the wait for the disk, the broadcast and the outcome's write happen outside it, so callers share synced writes and
     * their broadcasts overlap. An accepted broadcast's outcome (the chain decides from there) is not waited for at all
     * ({@link #toldBeforeWritten}): it is written while the caller goes on, sharing a synced write with what is queued next.
     * What the queued batches change and the store does not show yet is kept here meanwhile: their idempotency keys (a second
     * caller with one waits for the first to be written, then finds it), the next nonce of each address, the nonce holes they
     * fill, and their reservations.
     */
    Withdrawal sendFrom(int account, DerivationPath fromPath, String from, String asset, String destination, BigInteger amount,
                        String idempotencyKey, Fees priced) {
        Withdrawal w;
        Fees fees;
        TransferTables.ChainNonceSlot slot;
        Batch.Queued signed;
        synchronized (this) {
            if (exclusiveWaiting() || keysInFlight.contains(idempotencyKey)) {
                keyWaiters++;
                try {
                    waitWhile(() -> exclusiveWaiting() || keysInFlight.contains(idempotencyKey));
                } finally {
                    keyWaiters--;
                }
            }
            Optional<Withdrawal> existing = existing(idempotencyKey, account, destination, amount);
            if (existing.isPresent()) {
                return existing.get();
            }
            if (amount == null || amount.signum() <= 0) {
                throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
            }
            String to = factory.destination(destination);
            Signer s = signer.get();
            fees = priced != null ? priced : reads.fees();
            // Token funds first: estimating the gas of a transfer the token would refuse fails with a revert.
            requireFunds(from, asset, amount, null);
            long gas = factory.gasLimit(asset, from, to, amount);
            BigInteger maxFee = fees.maxFeePerGas().multiply(BigInteger.valueOf(gas));
            requireFunds(from, asset, amount, maxFee);

            Nonce nonce = nextNonce(from);
            Built built = factory.build(new Tx(asset, from, fromPath, to, amount, nonce.value(), gas, fees), s);
            crash.reached(SIGNED_NOT_STORED);
            Instant now = clock.instant();
            NonceSlot at = new NonceSlot(from, nonce.value());
            w = new Withdrawal(newId(), chain, account, to, amount, maxFee, fees.maxFeePerGas().longValueExact(), WithdrawalStatus.SIGNED,
                    built.txid(), built.raw(), List.of(at.asInput()), -1, List.of(), idempotencyKey, 0, "", now, now, asset, "");
            Batch b = store.batch();
            putWithdrawal(b, w);
            b.put(TransferTables.LOCKS, new TransferTables.ChainOutpoint(chain, at.asInput()), w.id());
            b.put(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, idempotencyKey), w.id());
            slot = new TransferTables.ChainNonceSlot(chain, at);
            if (nonce.hole()) {
                b.delete(TransferTables.NONCE_HOLES, slot);
            } else {
                b.put(TransferTables.NONCES, new TransferTables.ChainKey(chain, from), nonce.value() + 1);
            }
            signed = queueMoving(b, w);
            flightStarted();
            unsent.computeIfAbsent(from, k -> new java.util.TreeMap<>())
                    .put(nonce.value(), new java.util.concurrent.CompletableFuture<>());
            keysInFlight.add(idempotencyKey);
            if (nonce.hole()) {
                holesInFlight.add(slot);
            } else {
                nextNonces.merge(from, nonce.value() + 1, Math::max);
            }
        }
        boolean stored = false;
        boolean broadcastDone = false;
        boolean flightHandedOn = false; // the outcome's writer ends the flight once it is durable
        long mine = NonceSlot.of(w).nonce();
        try {
            try {
                signed.await();
                stored = true;
            } finally {
                synchronized (this) {
                    keysInFlight.remove(idempotencyKey);
                    holesInFlight.remove(slot);
                    if (keyWaiters > 0) {
                        notifyAll();
                    }
                }
            }
            feesOf.put(w.id(), fees);
            crash.reached(STORED_NOT_BROADCAST);
            LOG.info(() -> "chain " + chain + ": withdrawal " + w.id() + " signed (nonce " + mine + ", " + w.txid() + ")");
            awaitLowerSent(from, mine);
            Withdrawal after;
            try {
                after = broadcast(w);
            } finally {
                sent(from, mine);
                broadcastDone = true;
            }
            if (after != w) {
                boolean told = tellableBeforeWritten(after);
                Supplier<Batch.Queued> outcome = () -> {
                    synchronized (this) {
                        Batch b = recording(after, false);
                        // Told: nobody waits for it, it shares the synced write of what is queued next (the next signed batch).
                        return queueMoving(told ? b.unhurried() : b, after);
                    }
                };
                if (told) {
                    toldBeforeWritten(after, outcome);
                    flightHandedOn = true;
                } else {
                    outcome.get().await();
                }
            }
            return after;
        } finally {
            if (!broadcastDone) { // the write failed, or a crash point: never broadcast, the next may go
                sent(from, mine);
            }
            if (!flightHandedOn) {
                flightEnded();
            }
            if (!stored) {
                LOG.warning(() -> "chain " + chain + ": withdrawal " + w.id() + " could not be stored; nothing was sent");
            }
        }
    }

    /**
     * Per sending address, the nonces of this process's new withdrawals not yet through their first broadcast (under this
     * monitor). A send waits for the lower ones: a node then never gets nonce n + 1 before n from concurrent callers. Out of
     * order, n + 1 waits in the node's queue for n (some providers refuse or drop it instead), and anvil once left such a
     * transaction queued for good after n arrived (EvmWithdrawalCrashIT: nonce 14 "queued" with the account at 14).
     */
    private final Map<String, java.util.TreeMap<Long, java.util.concurrent.CompletableFuture<Void>>> unsent =
            new java.util.HashMap<>();

    /**
     * Waits, outside this monitor, until the lower nonces of {@code from} queued before are through their first broadcast. Each
     * waits on its own: waiting on this monitor, every broadcast's notifyAll woke every caller queued behind it to find most
     * still had to wait (with eight callers, a quarter of the send path's CPU samples in a profile were those wake-ups).
     */
    private void awaitLowerSent(String from, long mine) {
        List<java.util.concurrent.CompletableFuture<Void>> lower;
        synchronized (this) {
            var waiting = unsent.get(from);
            lower = waiting == null ? List.of() : List.copyOf(waiting.headMap(mine).values());
        }
        lower.forEach(java.util.concurrent.CompletableFuture::join); // completed by sent(), never exceptionally; no interrupt cuts it
    }

    /** {@code nonce} of {@code from} is through its first broadcast (or will not have one): the next may go. */
    private void sent(String from, long nonce) {
        java.util.concurrent.CompletableFuture<Void> done;
        synchronized (this) {
            var waiting = unsent.get(from);
            done = waiting == null ? null : waiting.remove(nonce);
            if (waiting != null && waiting.isEmpty()) {
                unsent.remove(from);
            }
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /** Callers waiting at the start of a send for an idempotency key in flight or an exclusive operation (under this monitor). */
    private int keyWaiters;

    /** The idempotency keys of withdrawals whose signed batch is queued but not yet written (under this monitor). */
    private final java.util.Set<String> keysInFlight = new java.util.HashSet<>();
    /** The nonce holes filled by withdrawals whose signed batch is queued but not yet written (under this monitor). */
    private final java.util.Set<TransferTables.ChainNonceSlot> holesInFlight = new java.util.HashSet<>();
    /** Per sending address, the nonce after the last one taken from the counter by a queued withdrawal (under this monitor). */
    private final Map<String, Long> nextNonces = new java.util.HashMap<>();

    /** Queues a batch writing {@code w} and moves the reservations to it (under this monitor, so in queue order). */
    private synchronized Batch.Queued queueMoving(Batch b, Withdrawal w) {
        Batch.Queued q = queue(b, w);
        moved(w);
        return q;
    }

    /** What a withdrawal would cost now: the fee parameters, the gas limit and the most it can pay. */
    public record Quote(Fees fees, long gas, BigInteger maxFee) {
    }

    /**
     * The fee of sending {@code amount} of {@code asset} from the account's hot address now, without signing or writing.
     *
     * @throws CofferException INVALID_ARGUMENT (destination, amount), FAILED_PRECONDITION INSUFFICIENT_FUNDS (token funds)
     */
    public Quote quote(int account, String asset, String destination, BigInteger amount) {
        if (amount == null || amount.signum() <= 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        String to = factory.destination(destination);
        String from = hotAddress(account);
        requireFunds(from, asset, amount, null);
        Fees fees = reads.fees();
        long gas = factory.gasLimit(asset, from, to, amount);
        return new Quote(fees, gas, fees.maxFeePerGas().multiply(BigInteger.valueOf(gas)));
    }

    /** Checks and normalises a destination address. @throws CofferException INVALID_ARGUMENT naming {@code destination} */
    @Override
    public TransferService.Quote quote(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate) {
        refuseExplicitRate(feeRate);
        Quote q = quote(account, asset, destination, amount);
        return new TransferService.Quote(factory.nativeAsset(), q.maxFee(), q.gas(), null, q.fees().maxFeePerGas(),
                factory.eip1559() ? q.fees().maxPriorityFeePerGas() : null);
    }

    @Override
    public Withdrawal send(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate,
            String idempotencyKey) {
        refuseExplicitRate(feeRate);
        return create(account, asset, destination, amount, idempotencyKey);
    }

    @Override
    public Withdrawal bumpFee(String id, Optional<FeeRate> feeRate) {
        refuseExplicitRate(feeRate);
        return speedUp(id);
    }

    private static void refuseExplicitRate(Optional<FeeRate> feeRate) {
        if (feeRate.isPresent()) {
            throw CofferException.invalid("fee_rate", "FEE_RATE_UNSUPPORTED", "an explicit fee rate is for Bitcoin; EVM fees follow the chain "
                    + "(use priority)");
        }
    }

    @Override
    public String destination(String destination) {
        return factory.destination(destination);
    }

    /** A faster version of a pending withdrawal: same nonce, same payment, at least 10% more on both fee fields. */
    public Withdrawal speedUp(String id) {
        return exclusively(() -> {
            Withdrawal w = pendingWithdrawal(id);
            return replace(w, w.destination(), w.amount(), w.asset(), "speed-up", false);
        });
    }

    /**
     * Cancels a pending withdrawal: a zero-value transaction to the hot address itself at the same nonce,
     * paying more. If it wins, the withdrawal is REVERTED ("cancelled"), FAILED past the reorg-safety depth; if the original was mined first, it
     * stands.
     */
    public Withdrawal cancel(String id) {
        return exclusively(() -> {
            Withdrawal w = pendingWithdrawal(id);
            String from = NonceSlot.of(w).address();
            return replace(w, from, BigInteger.ZERO, factory.nativeAsset(), "cancel", true);
        });
    }

    private Withdrawal pendingWithdrawal(String id) {
        Withdrawal w = get(id).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "WITHDRAWAL_NOT_FOUND", "no such withdrawal"));
        requireBumpable(w);
        return w;
    }

    private Withdrawal replace(Withdrawal w, String to, BigInteger amount, String asset, String why, boolean cancel) {
        Signer s = signer.get();
        String from = NonceSlot.of(w).address();
        long nonce = NonceSlot.of(w).nonce();
        Fees old = feesOf.getOrDefault(w.id(), new Fees(BigInteger.valueOf(w.feeRate()), BigInteger.valueOf(w.feeRate())));
        Fees fees = factory.fees().bumpedOver(old);
        long gas = factory.gasLimit(asset, from, to, amount);
        Built built = factory.build(new Tx(asset, from, hotPath(w.account()), to, amount, nonce, gas, fees), s);
        String cancelTxid = cancel ? built.txid() : w.cancelTxid();
        List<String> versions = new ArrayList<>(w.replacedTxids());
        versions.add(w.txid());
        Instant now = clock.instant();
        Withdrawal next = new Withdrawal(w.id(), chain, w.account(), w.destination(), w.amount(),
                fees.maxFeePerGas().multiply(BigInteger.valueOf(gas)), fees.maxFeePerGas().longValueExact(), WithdrawalStatus.SIGNED,
                built.txid(), built.raw(), w.inputs(), -1, versions, w.idempotencyKey(), 0, "", w.createdAt(), now, w.asset(), cancelTxid);
        Batch b = store.batch();
        putWithdrawal(b, next);
        commit(b, next);
        feesOf.put(w.id(), fees);
        LOG.info(() -> "chain " + chain + ": withdrawal " + w.id() + " " + why + " at nonce " + nonce + " (" + built.txid() + ")");
        return send(next);
    }


    /**
     * Besides the spends {@link WithdrawalLedger#mismatches} finds: every hot address whose nonce on chain is ahead of the ledger's
     * with no recorded transaction for the nonces between (used while the follower was not looking). One RPC per account that
     * sends; deposit addresses (swept once or twice each, and many) are left to the recorded spends.
     */
    @Override
    public Map<String, String> mismatches() {
        Map<String, String> out = new java.util.TreeMap<>(super.mismatches());
        for (var e : store.list(TransferTables.NONCES, TransferTables.NONCES.prefix(chainPrefix), Integer.MAX_VALUE)) {
            String address = e.getKey().key();
            if (addresses.lookup(address).filter(i -> i.change() == 1 && i.index() == 0).isEmpty()) {
                continue;
            }
            long ledger = e.getValue();
            long mined = factory.minedNonce(address);
            for (long n = ledger; n < mined; n++) {
                if (store.get(io.coffer.core.chain.ChainTables.SPENT_OUTPUTS, new io.coffer.core.chain.ChainTables.ChainDeposit(chain,
                        new NonceSlot(address, n).asInput())).isEmpty()) {
                    out.put("nonce " + address, "nonce " + mined + " on chain, " + ledger + " in the ledger: transactions from this address "
                            + "that the ledger did not make");
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Per sending address, the write count of the nonce holes at which it had none ({@link #nextNonce}): a LevelDB seek into
     * an empty range still merges every level's files, ~0.3 ms a withdrawal in a profile, as long as the broadcast itself.
     */
    private final Map<String, Long> noHolesAt = new java.util.concurrent.ConcurrentHashMap<>();

    /** A nonce to use, and whether it fills a hole (else it comes from the counter). */
    private record Nonce(long value, boolean hole) {
    }

    /**
     * The next nonce of {@code from} (under this monitor): a hole no queued withdrawal fills first, else the counter — the
     * stored one, or the one after the queued withdrawals' — never below what the chain has mined.
     */
    private Nonce nextNonce(String from) {
        // Holes are rare (a refused first broadcast): the look-up is skipped while the table has not been written since it last
        // found none here. The count is read before the look-up, so a hole written meanwhile moves it past what is kept.
        long holesWritten = store.writes(TransferTables.NONCE_HOLES);
        List<Map.Entry<TransferTables.ChainNonceSlot, String>> holes = List.of();
        if (!Long.valueOf(holesWritten).equals(noHolesAt.get(from))) {
            byte[] prefix = KeyWriter.key().string(chain).string(from).build();
            holes = store.list(TransferTables.NONCE_HOLES, TransferTables.NONCE_HOLES.prefix(prefix), holesInFlight.size() + 1);
            if (holes.isEmpty()) {
                noHolesAt.put(from, holesWritten);
            } else {
                noHolesAt.remove(from);
            }
        }
        long mined = reads.minedNonce(from);
        for (var h : holes) {
            long hole = h.getKey().slot().nonce();
            if (hole >= mined && !holesInFlight.contains(h.getKey())) {
                return new Nonce(hole, true);
            }
        }
        long stored = Math.max(store.get(TransferTables.NONCES, new TransferTables.ChainKey(chain, from)).orElse(0L),
                nextNonces.getOrDefault(from, 0L));
        if (stored < mined) {
            LOG.warning("chain " + chain + ": " + from + " has mined nonce " + mined + " but the ledger is at " + stored
                    + ": the key was used outside Coffer; continuing at " + mined);
        }
        return new Nonce(Math.max(stored, mined), false);
    }

    /**
     * What each sending address's pending withdrawals hold back — the native asset (their fees, and the amounts of native ones)
     * and each token's amounts — kept in memory from the first use (one scan of the pending withdrawals) and moved by every
     * committed write of a withdrawal, so a funds check costs the same with 10 or 10,000 withdrawals queued. Written and read
     * under this service's lock (every write of a withdrawal happens under it).
     */
    private Map<String, Map<String, BigInteger>> reserved;
    /** Each pending withdrawal's part of {@link #reserved}, to take back when it changes or ends. */
    private final Map<String, Map<String, BigInteger>> reservedBy = new java.util.HashMap<>();

    private synchronized Map<String, Map<String, BigInteger>> reserved() {
        if (reserved == null) {
            reserved = new java.util.HashMap<>();
            for (Withdrawal p : pending()) {
                reserve(p);
            }
        }
        return reserved;
    }

    /** Moves {@link #reserved} to {@code w}'s committed state (under the lock). */
    private void reserve(Withdrawal w) {
        Map<String, BigInteger> before = reservedBy.remove(w.id());
        String from = NonceSlot.of(w).address();
        Map<String, BigInteger> sums = reserved.computeIfAbsent(from, a -> new java.util.HashMap<>());
        if (before != null) {
            before.forEach((asset, v) -> sums.merge(asset, v.negate(), BigInteger::add));
        }
        if (!w.status().isFinal()) {
            Map<String, BigInteger> part = new java.util.HashMap<>();
            part.merge(factory.nativeAsset(), w.fee(), BigInteger::add);
            part.merge(w.asset(), w.amount(), BigInteger::add);
            part.forEach((asset, v) -> sums.merge(asset, v, BigInteger::add));
            reservedBy.put(w.id(), part);
        }
    }

    @Override
    protected synchronized void commitAll(Batch b, List<Withdrawal> ws) {
        super.commitAll(b, ws);
        ws.forEach(this::moved);
    }

    /** Moves {@link #reserved} to {@code w} as just committed or queued (under this monitor). */
    private void moved(Withdrawal w) {
        if (reserved != null) {
            reserve(w);
        }
        if (w.status().isFinal()) {
            // Its reservation is gone: a balance read before the chain debited it would now count its funds twice over.
            reads.clear();
        }
    }

    @Override
    protected void tipSeen(long tip) {
        reads.tip(tip);
    }

    /**
     * What the chain says that a send reads — the fee parameters, an address's balance of an asset, its mined nonce — kept until
     * the follower sees another tip, and {@link #READS_TTL} at most, so a burst of withdrawals between two blocks costs each one
     * RPC (the broadcast) instead of four or five. Staleness cannot overspend: a balance only falls by our own transactions,
     * which stay reserved until final, and a withdrawal becoming final drops every read; a stale balance can only be too low
     * (funds arrived since), so a send it would refuse reads the chain again first. A stale mined nonce is at most lower than
     * the chain's, and the ledger's counter, not the chain's, sets the nonce whenever Coffer alone uses the key.
     */
    private final Reads reads = new Reads();

    /** How long a chain read may serve sends when no new tip has been seen. */
    static final Duration READS_TTL = Duration.ofSeconds(1);

    private final class Reads {
        private final Map<String, Object> values = new java.util.HashMap<>();
        private final Map<String, Instant> readAt = new java.util.HashMap<>();
        private long tip = -1;

        synchronized void tip(long seen) {
            if (seen != tip) {
                tip = seen;
                clear();
            }
        }

        synchronized void clear() {
            values.clear();
            readAt.clear();
        }

        Fees fees() {
            return get("fees", factory::fees);
        }

        long minedNonce(String address) {
            return get("nonce " + address, () -> factory.minedNonce(address));
        }

        /** The balance, read again from the chain when the kept one is below {@code needed} (funds may have arrived since). */
        BigInteger balance(String asset, String address, BigInteger needed) {
            String key = "balance " + asset + " " + address;
            BigInteger have = get(key, () -> factory.balance(asset, address));
            if (have.compareTo(needed) < 0) {
                synchronized (this) {
                    values.remove(key);
                }
                have = get(key, () -> factory.balance(asset, address));
            }
            return have;
        }

        @SuppressWarnings("unchecked")
        private synchronized <T> T get(String key, java.util.function.Supplier<T> read) {
            Instant at = readAt.get(key);
            Instant now = clock.instant();
            if (at != null && values.containsKey(key) && now.isBefore(at.plus(READS_TTL)) && !now.isBefore(at)) {
                return (T) values.get(key);
            }
            T v = read.get();
            values.put(key, v);
            readAt.put(key, now);
            return v;
        }
    }

    /** Checks the hot address's funds; with {@code maxFee} null only the token balance (before gas is known). */
    private void requireFunds(String from, String asset, BigInteger amount, BigInteger maxFee) {
        Map<String, BigInteger> held;
        synchronized (this) {
            held = Map.copyOf(reserved().getOrDefault(from, Map.of()));
        }
        BigInteger reservedNative = held.getOrDefault(factory.nativeAsset(), BigInteger.ZERO);
        BigInteger reservedAsset = asset.equals(factory.nativeAsset()) ? BigInteger.ZERO : held.getOrDefault(asset, BigInteger.ZERO);
        boolean nativeAsset = asset.equals(factory.nativeAsset());
        if (maxFee == null) {
            if (!nativeAsset) {
                BigInteger needed = amount.add(reservedAsset);
                BigInteger have = reads.balance(asset, from, needed);
                if (have.compareTo(needed) < 0) {
                    throw insufficient(needed.subtract(have), asset);
                }
            }
            return;
        }
        BigInteger nativeNeeded = maxFee.add(reservedNative).add(nativeAsset ? amount : BigInteger.ZERO);
        BigInteger nativeHave = reads.balance(factory.nativeAsset(), from, nativeNeeded);
        if (nativeHave.compareTo(nativeNeeded) < 0) {
            throw insufficient(nativeNeeded.subtract(nativeHave), factory.nativeAsset());
        }
    }

    private static CofferException insufficient(BigInteger missing, String asset) {
        return new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount", "insufficient funds at the sending address: "
                + missing + " more " + asset + " needed (amount plus the maximum network fee)", Map.of("missing", missing.toString(),
                "asset", asset), null);
    }

    /**
     * Refused by the node: the nonce was not consumed, so it becomes a hole the next withdrawal fills (or the
     * nonces after it would wait forever). Reverted on chain: the nonce and the fee are spent.
     */
    @Override
    protected void onFailed(Withdrawal w, boolean mined, Batch b) {
        NonceSlot slot = NonceSlot.of(w);
        b.delete(TransferTables.LOCKS, new TransferTables.ChainOutpoint(chain, slot.asInput()));
        if (!mined) {
            b.put(TransferTables.NONCE_HOLES, new TransferTables.ChainNonceSlot(chain, slot), "");
        }
    }
}
