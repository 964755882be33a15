package io.coffer.core.transfer;

import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.BroadcastResult;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What every withdrawal service shares, UTXO or account chain: idempotency, the stored withdrawal with its
 * signed bytes, the classified broadcast, the resume at start, and tracking on chain by every version's
 * txid (a fee bump or a same-nonce replacement spends the same "inputs": outpoints, or an account's nonce
 * slot). Subclasses build and sign; they decide what a final failure releases ({@link #onFailed}).
 */
public abstract class WithdrawalLedger {
    private static final Logger LOG = Logger.getLogger(WithdrawalLedger.class.getName());

    /** Test hook: called at the three moments a crash matters. Production uses {@link #NO_CRASH}. */
    @FunctionalInterface
    public interface CrashPoints {
        void reached(String point);
    }

    public static final CrashPoints NO_CRASH = p -> { };
    public static final String SIGNED_NOT_STORED = "signed-not-stored";
    public static final String STORED_NOT_BROADCAST = "stored-not-broadcast";
    public static final String BROADCAST_NOT_RECORDED = "broadcast-not-recorded";

    protected final Store store;
    protected final ChainSource source;
    protected final int confirmations;
    protected final Clock clock;
    protected final CrashPoints crash;
    protected final String chain;
    protected final byte[] chainPrefix;
    private final SecureRandom random = new SecureRandom();
    private volatile WithdrawalSink sink = WithdrawalSink.DIRECT;
    /** Confirmations after which a CONFIRMED withdrawal is final and no longer followed; by default the confirmation target. */
    private volatile int finalityDepth;

    protected WithdrawalLedger(Store store, ChainSource source, int confirmations, Clock clock, CrashPoints crash) {
        this.store = store;
        this.source = source;
        this.confirmations = confirmations;
        this.clock = clock;
        this.crash = crash;
        this.chain = source.chain();
        this.chainPrefix = KeyWriter.key().string(chain).build();
        this.finalityDepth = confirmations;
    }

    /** An account's balance of one asset on this chain, from the ledger (no chain round trip), in base units. */
    public record Balance(java.math.BigInteger confirmed, java.math.BigInteger pendingIncoming, java.math.BigInteger pendingOutgoing) {
    }

    /*
     * What tenant transfers need of a chain, the same for UTXO and account chains (each service implements it its own way), so
     * nothing above the chain modules asks which kind a chain is.
     */

    /** Checks and normalises a destination address of this chain. @throws CofferException INVALID_ARGUMENT naming destination */
    public abstract String destination(String destination);

    /** Every account's balances on this chain, kept with the records they sum (set by each kind's constructor). */
    private LedgerBalances balances;

    /**
     * Starts keeping this chain's balances by {@code rule} (building them from the ledger's records the first time). Each kind
     * of ledger calls it once its own fields are set, before anything of it is written.
     */
    protected final void keepBalances(LedgerBalances.Rule rule) {
        balances = new LedgerBalances(store, chain, rule);
        balances.keep();
    }

    /** The asset whose balance {@code asset} reads (a UTXO chain has one, whatever the caller names). */
    protected String balanceAsset(String asset) {
        return asset;
    }

    /**
     * The account's balance of {@code asset} on this chain as last committed: one read of the kept figures, however long the
     * chain's history. With assertions on (tests), also checked against every record summed from scratch.
     */
    public final Balance balance(int account, String asset) {
        Balance b = balances.get(account, balanceAsset(asset));
        assert balances.disagreements().isEmpty() : "balances kept on " + chain + " disagree with the records: " + balances.disagreements();
        return b;
    }

    /** This chain's kept balances (their audit: {@link LedgerBalances#disagreements}). */
    public LedgerBalances balances() {
        return balances;
    }

    /** Every deposit the follower recorded on the chain, as a unit (a build of its balances from scratch). */
    protected final void eachDeposit(java.util.function.Consumer<LedgerBalances.Unit> out) {
        store.forEach(ChainTables.DEPOSITS.prefix(chainPrefix), ChainTables.DEPOSITS,
                (key, deposit) -> out.accept(new LedgerBalances.DepositUnit(key.id())));
    }

    /** Every withdrawal of the ledger on the chain, as a unit. */
    protected final void eachWithdrawal(java.util.function.Consumer<LedgerBalances.Unit> out) {
        store.forEach(TransferTables.WITHDRAWALS.prefix(chainPrefix), TransferTables.WITHDRAWALS,
                (key, withdrawal) -> out.accept(new LedgerBalances.WithdrawalUnit(key.key())));
    }

    /** Every spend from the wallet the follower recorded on the chain, as a unit. */
    protected final void eachSpend(java.util.function.Consumer<LedgerBalances.Unit> out) {
        store.forEach(ChainTables.SPENT_OUTPUTS.prefix(chainPrefix), ChainTables.SPENT_OUTPUTS,
                (key, spend) -> out.accept(new LedgerBalances.SpentUnit(key.id())));
    }

    /**
     * The fee a withdrawal would pay now; nothing is written.
     *
     * @param feeRate an explicit rate on a UTXO chain, empty for the priority's estimate; account chains take none
     */
    public abstract TransferService.Quote quote(int account, String asset, String destination, java.math.BigInteger amount,
            FeePriority priority, Optional<FeeRate> feeRate);

    /** Creates (or returns, by {@code idempotencyKey}) a withdrawal: signed, stored, then broadcast. */
    public abstract Withdrawal send(int account, String asset, String destination, java.math.BigInteger amount, FeePriority priority,
            Optional<FeeRate> feeRate, String idempotencyKey);

    /** Replaces a pending withdrawal by a version paying more (empty: the chain picks how much more). */
    public abstract Withdrawal bumpFee(String id, Optional<FeeRate> feeRate);

    /**
     * Follows CONFIRMED withdrawals until they are {@code depth} deep (the chain's reorg-safety depth): their confirmations keep
     * growing, and a reorg undoing one is seen and the same bytes sent again.
     */
    public void finalityDepth(int depth) {
        this.finalityDepth = Math.max(depth, confirmations);
    }

    /** Whether {@code w} is deeper than the finality depth: no reorg the node is configured for can undo it. */
    public boolean isFinal(Withdrawal w) {
        return w.status() == WithdrawalStatus.CONFIRMED && w.confirmations() >= finalityDepth;
    }

    /**
     * What a withdrawal that failed for good releases, added to the batch recording it.
     *
     * @param mined true when it failed on chain (reverted: its inputs/nonce are consumed), false when the node
     *              refused it (nothing was consumed)
     */
    protected abstract void onFailed(Withdrawal w, boolean mined, Batch b);

    /**
     * The withdrawal already made with this key, if any.
     *
     * @throws CofferException INVALID_ARGUMENT (key missing or too long), ALREADY_EXISTS (key used with other fields)
     */
    protected Optional<Withdrawal> existing(String idempotencyKey, int account, String destination, java.math.BigInteger amount) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 128) {
            throw CofferException.invalid("idempotency_key", "IDEMPOTENCY_KEY_INVALID", "required, 1 to 128 characters");
        }
        Optional<String> id = store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, idempotencyKey));
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Withdrawal w = get(id.get()).orElseThrow();
        if (w.account() != account || !w.destination().equals(destination) || !w.amount().equals(amount)) {
            throw new CofferException(ErrorKind.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED", "idempotency_key",
                    "idempotency_key: already used for another withdrawal", Map.of("withdrawal_id", w.id()), null);
        }
        return Optional.of(w);
    }

    protected String newId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return "wd_" + HexFormat.of().formatHex(b);
    }

    /** At start: sends again the stored bytes of every withdrawal not known to be in the mempool or a block. */
    public void resume() {
        exclusively(() -> {
            for (Withdrawal w : pending()) {
                if (w.status() == WithdrawalStatus.SIGNED || w.status() == WithdrawalStatus.BROADCAST_UNKNOWN
                        || w.status() == WithdrawalStatus.BROADCAST) {
                    LOG.info(() -> "chain " + chain + ": re-sending withdrawal " + w.id() + " (" + w.txid() + ", " + w.status() + ")");
                    // Found SIGNED at a start, its bytes may have left before the stop (the outcome's write not yet durable):
                    // a refusal of them again, inputs intact, must not make it FAILED.
                    send(w, true);
                }
            }
            return null;
        });
    }

    /*
     * Sends in flight. A kind of ledger may let new withdrawals overlap (each decided under this monitor, then written, sent and
     * its outcome written outside it, so concurrent callers share synced writes and broadcasts): each such send counts itself in
     * from when its first batch is queued until its outcome is durable. Everything else that reads and writes withdrawals
     * (following the chain, re-sending, replacing) runs exclusively: it waits for the sends in flight to finish, and new ones
     * wait for it, so what it reads of a withdrawal is what is written.
     */

    /** Sends past their decision whose outcome is not yet durable (under this monitor). */
    private int inFlight;
    /** Exclusive operations waiting or running (under this monitor): new sends wait while any. */
    private int exclusive;
    /** The batches of outcomes told before written and not yet durable (under this monitor; see {@link #toldBeforeWritten}). */
    private final java.util.Set<Batch.Queued> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** Runs {@code op} holding this monitor once no send is in flight; sends started meanwhile wait until it is done. */
    protected final synchronized <T> T exclusively(java.util.function.Supplier<T> op) {
        exclusive++;
        try {
            held.forEach(Batch.Queued::hurry); // told outcomes held for company: none comes while new sends wait for this
            waitWhile(() -> inFlight > 0);
            return op.get();
        } finally {
            exclusive--;
            notifyAll();
        }
    }

    /** Whether an exclusive operation is waiting or running (under this monitor): a send waits until none is. */
    protected final boolean exclusiveWaiting() {
        return exclusive > 0;
    }

    /** A send's first batch is queued (under this monitor). */
    protected final synchronized void flightStarted() {
        inFlight++;
    }

    /** A send's outcome is durable, or it ended with an error: an exclusive operation waiting for none in flight is woken. */
    protected final synchronized void flightEnded() {
        inFlight--;
        if (exclusive > 0) {
            notifyAll();
        }
    }

    /** Waits on this monitor (held) while {@code condition}; an interrupt does not cut it short, it is kept for later. */
    protected final void waitWhile(java.util.function.BooleanSupplier condition) {
        io.coffer.core.concurrent.Monitors.waitWhile(this, condition);
    }

    /** Told the chain's tip at each tracking round (before the pending withdrawals are followed); nothing by default. */
    protected void tipSeen(long tip) {
    }

    /**
     * How long a withdrawal whose standing only a new block can change is left unlooked-at while the chain stands still, or
     * grows by blocks known not to hold it ({@link ChainSource#noneMinedBetween}): one in the mempool could still be dropped
     * from it (then it is sent again at the next look).
     */
    static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(10);

    /**
     * How long the confirmations recorded for a withdrawal past its confirmations, on a chain that only grew since, are left as
     * they are (then they are counted from its last look and recorded, without a look at the chain). Its standing cannot change
     * without a reorg, which replaces the tip seen before (and has it looked at); it is looked at when it may have reached the
     * reorg-safety depth. The confirmations recorded for it lag by at most this.
     */
    static final java.time.Duration SETTLED_RECHECK = java.time.Duration.ofMinutes(1);

    /**
     * The chain's tip as the last {@link #track} saw it, and each withdrawal's last look: when, and at which tip height. Kept
     * in memory: a new process looks at every withdrawal at its first track.
     */
    private BlockHeader lastTip;
    private final Map<String, Look> looks = new java.util.HashMap<>();

    /**
     * A withdrawal's last look: when, the chain's tip height then, and the confirmations it had then (0 when not in a block) —
     * what a settled withdrawal's next look is decided from without reading it.
     */
    private record Look(Instant when, long tip, int confirmations) {
    }

    /**
     * Follows the pending withdrawals on the chain (call after the chain follower's poll): every one when the chain has moved
     * (another block at the tip: a new one, or a reorg), else only those whose standing can change without a block — a
     * send without a clear answer, a conflict — and those in the mempool not looked at for {@link #RECHECK}. Each look is a
     * call to the chain node, made while new sends wait; with hundreds of withdrawals in the mempool between two blocks,
     * looking at every one every poll kept CreateTransfer waiting most of the time. A settled withdrawal (CONFIRMED, short of
     * the reorg-safety depth) is not even read unless it is looked at: with a day's payouts settling (64 blocks on Ethereum),
     * reading them all at every poll made each poll longer than the last and every send wait for it. What a round finds is
     * written together ({@link RoundWrites}), not a synced write a withdrawal.
     */
    public void track() {
        exclusively(() -> {
            long tip = source.tipHeight();
            tipSeen(tip);
            // The tip's block, not its height alone: a reorg to a branch as long moves the chain too.
            BlockHeader tipBlock = source.header(tip);
            boolean moved = tipBlock == null || !tipBlock.equals(lastTip);
            // Only grown since the last look: the tip then is still in the chain (a reorg would have replaced it).
            BlockHeader was = lastTip;
            boolean grew = moved && tipBlock != null && was != null && tip >= was.height()
                    && Optional.ofNullable(source.header(was.height())).map(h -> h.hash().equals(was.hash())).orElse(false);
            Instant now = clock.instant();
            java.util.Set<String> ids = new java.util.HashSet<>();
            round = new RoundWrites();
            try {
                roundTip = tipBlock;
                List<Withdrawal> toFollow = new ArrayList<>();
                for (Withdrawal w : pending()) {
                    ids.add(w.id());
                    if (!moved && standsStill(w, now)) {
                        continue;
                    }
                    if (grew && w.status() == WithdrawalStatus.BROADCAST && standsStill(w, now)
                            && source.noneMinedBetween(versions(w), was, tipBlock)) {
                        // Pending at its last look, and in none of the blocks since (every round covers the blocks after the
                        // one before it, and sends wait for rounds): it stands; a drop is found at the recheck, as while the
                        // chain stands still. Each pending withdrawal was two calls to the node a block.
                        continue;
                    }
                    Look looked = looks.get(w.id());
                    if (grew && w.status() == WithdrawalStatus.CONFIRMING && settledFarFromFinal(looked, tip)) {
                        // In a block at the last look, and the chain only grew since: counted, as the settled are below.
                        counted(w, looked, tip, now);
                        continue;
                    }
                    toFollow.add(w);
                }
                lookAt(toFollow, tip, now);
                round.flush(); // before the settled are listed: those that just settled are among them
                // The settled are each CONFIRMED (the table holds nothing else): unmoved, the chain cannot have changed their
                // standing, and they are not even listed (nor their looks forgotten) until it moves.
                if (moved) {
                    List<Withdrawal> settledToFollow = new ArrayList<>();
                    for (String id : settling()) {
                        ids.add(id);
                        Look looked = looks.get(id);
                        if (grew && settledFarFromFinal(looked, tip)) {
                            if (!now.isBefore(looked.when().plus(SETTLED_RECHECK))) {
                                refresh(id, looked, tip, now);
                            }
                            continue;
                        }
                        get(id).ifPresent(settledToFollow::add);
                    }
                    lookAt(settledToFollow, tip, now);
                    looks.keySet().retainAll(ids);
                }
            } finally {
                RoundWrites written = round;
                round = null;
                roundTip = null;
                written.flush(); // what was found before a failure stands: the chain said so
            }
            lastTip = tipBlock;
            return null;
        });
    }

    /**
     * Follows each of {@code ws} on the chain and keeps its look, the source told first what the looks are about to ask (a block
     * holding many of them that it has not read: one call for them all, not one each).
     */
    private void lookAt(List<Withdrawal> ws, long tip, Instant now) {
        if (ws.isEmpty()) {
            return;
        }
        source.lookingAt(ws.stream().flatMap(w -> versions(w).stream()).toList(), roundTip);
        for (Withdrawal w : ws) {
            looks.put(w.id(), new Look(now, tip, follow(w, tip)));
        }
    }

    /**
     * Whether a settled withdrawal last looked at as {@code looked} (null: not since this process started), on a chain that
     * only grew since, needs no look at the chain now: it was in a block then and cannot be at the reorg-safety depth yet (its
     * confirmations then, plus the blocks since). Comparing with the tip of the last track is enough: a reorg deeper than it
     * replaces it too. (A REVERTED one is pending, not settled: its count is news for its tenant, looked at each block.)
     */
    private boolean settledFarFromFinal(Look looked, long tip) {
        return looked != null && looked.confirmations() > 0 && looked.confirmations() + (tip - looked.tip()) < finalityDepth;
    }

    /** Withdrawal changes a tracking round records together, at most this many a batch. */
    private static final int ROUND_BATCH = 256;

    /** The changes of the tracking round under way (under the exclusive step), null outside one. */
    private RoundWrites round;
    /** The best block as the tracking round under way read it (its transactions' looks may be answered from it), else null. */
    private BlockHeader roundTip;

    /**
     * What a tracking round finds that only records a fact of the chain — a withdrawal now in a block, with its confirmations,
     * or back in the mempool — written {@link #ROUND_BATCH} to a batch with their transfers' events instead of a synced write
     * each: a block holding 500 of them had the round, and every send waiting for it, pay 500 synced writes. A change that
     * something else must follow (a send again, a conflict's anchor, a failure's release) is still written at once.
     */
    private final class RoundWrites {
        private Batch batch = store.batch();
        private final List<Withdrawal> changed = new ArrayList<>();

        void add(Withdrawal w) {
            recordInto(batch, w, false);
            changed.add(w);
            if (changed.size() >= ROUND_BATCH) {
                flush();
            }
        }

        void flush() {
            if (!changed.isEmpty()) {
                List<Withdrawal> ws = List.copyOf(changed);
                Batch b = batch;
                batch = store.batch();
                changed.clear();
                commitAll(b, ws);
            }
        }
    }

    /** Records {@code w}, a fact of the chain nothing else need follow: with the round's batch during one, else at once. */
    private void recordFound(Withdrawal w) {
        if (round != null) {
            round.add(w);
        } else {
            record(w);
        }
    }

    /**
     * Records a settled withdrawal's confirmations {@link #SETTLED_RECHECK} after its last look, counted instead of asked: the
     * chain only grew since that look (whose tip is still in it), so the block holding it is too, with the blocks since on top.
     * No call to the chain node, and written with the round's other changes: with thousands settling, a look and a synced
     * write each, all due in the same round, kept new sends waiting for seconds once a minute.
     */
    private void refresh(String id, Look looked, long tip, Instant now) {
        Optional<Withdrawal> w = get(id).filter(found -> found.status() == WithdrawalStatus.CONFIRMED);
        if (w.isPresent()) {
            counted(w.get(), looked, tip, now);
        } else {
            looks.put(id, new Look(now, tip, (int) (looked.confirmations() + (tip - looked.tip()))));
        }
    }

    /**
     * Records {@code w}'s confirmations counted from its last look, {@code looked}, on a chain that only grew since (so the
     * block holding it is still in it, the blocks since on top): CONFIRMING until the confirmations required, then CONFIRMED.
     * A withdrawal waiting for twelve confirmations was asked about twelve times, a call to the node each block for each one.
     */
    private void counted(Withdrawal w, Look looked, long tip, Instant now) {
        int conf = (int) (looked.confirmations() + (tip - looked.tip()));
        WithdrawalStatus next = conf >= confirmations ? WithdrawalStatus.CONFIRMED : WithdrawalStatus.CONFIRMING;
        if (next != w.status() || conf != w.confirmations()) {
            recordFound(w.with(next, conf, "", now));
        }
        looks.put(w.id(), new Look(now, tip, conf));
    }

    /** Whether, the chain unmoved, {@code w} needs no look now: only a block moves it, or it is in the mempool and was seen lately. */
    private boolean standsStill(Withdrawal w, Instant now) {
        return switch (w.status()) {
            case CONFIRMING, CONFIRMED, REVERTED -> true;
            case BROADCAST -> {
                Look looked = looks.get(w.id());
                Instant seen = looked != null ? looked.when() : w.updatedAt();
                yield now.isBefore(seen.plus(RECHECK));
            }
            default -> false;
        };
    }

    /**
     * Where one withdrawal stands, from the chain's facts alone: a version in a block wins, then a version in the mempool; a
     * withdrawal with neither whose inputs are spent elsewhere or gone is CONFLICTED (not failed: a reorg can still bring it
     * back), and FAILED only once that conflict is deeper than the reorg-safety depth; one with neither and intact inputs was
     * dropped and is sent again, the same bytes.
     *
     * @return the confirmations of the version in a block that pays, as recorded now; 0 when none is in a block
     */
    private int follow(Withdrawal w, long tip) {
        List<String> spends = spendsOf(w);
        TxStatus current = source.txStatus(w.txid(), spends, roundTip);
        if (current.state() == TxState.FAILED) {
            // Mined but reverted (EVM): the fee is spent and nothing else moved, until a reorg says otherwise.
            revertedAt(w, w.txid(), current, tip, REVERTED_REASON);
            return 0;
        }
        String minedTxid = current.state() == TxState.IN_BLOCK ? w.txid() : null;
        TxStatus mined = current;
        boolean inMempool = current.state() == TxState.IN_MEMPOOL;
        if (minedTxid == null) {
            for (String old : w.replacedTxids()) {
                TxStatus s = source.txStatus(old, spends, roundTip);
                if (s.state() == TxState.IN_BLOCK) {
                    minedTxid = old; // an earlier version won the race: fine, it spends the same inputs
                    mined = s;
                }
                inMempool |= s.state() == TxState.IN_MEMPOOL;
            }
        }
        long height = mined.blockHeight();
        Instant now = clock.instant();
        if (minedTxid != null && minedTxid.equals(w.cancelTxid())) {
            // The cancelling version won: nothing was paid, the nonce and its fee are spent, until a reorg says otherwise.
            revertedAt(w, minedTxid, mined, tip, CANCELLED_REASON);
            return 0;
        } else if (minedTxid != null) {
            int conf = (int) (tip - height + 1);
            WithdrawalStatus next = conf >= confirmations ? WithdrawalStatus.CONFIRMED : WithdrawalStatus.CONFIRMING;
            if (next != w.status() || conf != w.confirmations()) {
                // The fee actually paid replaces the estimate once known (EVM: gas used x effective price).
                java.math.BigInteger paid = w.status() == WithdrawalStatus.CONFIRMING || w.status() == WithdrawalStatus.CONFIRMED
                        ? w.fee() : paid(minedTxid, mined).orElse(w.fee());
                Withdrawal u = minedTxid.equals(w.txid()) ? w.with(next, conf, "", now).withFee(paid) : new Withdrawal(w.id(), chain, w.account(),
                        w.destination(), w.amount(), paid, w.feeRate(), next, minedTxid, w.raw(), w.inputs(), w.changeIndex(),
                        w.replacedTxids(), w.idempotencyKey(), conf, "", w.createdAt(), now, w.asset(), w.cancelTxid());
                recordFound(u);
            }
            return conf;
        } else if (inMempool) {
            if (w.status() != WithdrawalStatus.BROADCAST) {
                recordFound(w.with(WithdrawalStatus.BROADCAST, 0, "", now));
            }
        } else if (current.state() == TxState.CONFLICTED) {
            conflicted(w, tip, now);
        } else if (w.status() == WithdrawalStatus.CONFIRMING || w.status() == WithdrawalStatus.CONFIRMED
                || w.status() == WithdrawalStatus.CONFLICTED || w.status() == WithdrawalStatus.REVERTED) {
            // Reorged out with its inputs intact, or its conflict undone: the same bytes again. The step is recorded first so a
            // send without a clear answer leaves it BROADCAST_UNKNOWN, not in a state the chain no longer shows.
            Withdrawal again = w.with(WithdrawalStatus.BROADCAST_UNKNOWN, 0, "", now);
            record(again);
            send(again);
        } else if (w.status() == WithdrawalStatus.BROADCAST_UNKNOWN || w.status() == WithdrawalStatus.BROADCAST) {
            send(w);
        }
        return 0;
    }

    /** What {@code txid}, in a block as {@code status} says, paid: as that answer told it, else as the node tells it now. */
    private Optional<java.math.BigInteger> paid(String txid, TxStatus status) {
        return status.feePaid().isPresent() ? status.feePaid() : source.feePaid(txid);
    }

    /**
     * No version is in the chain or the mempool and an input is spent elsewhere or gone. The first time (or when the block the
     * conflict was anchored to was itself reorged out) the withdrawal becomes CONFLICTED, anchored at the current tip; once the
     * anchor is {@code finalityDepth} deep on the best chain, whatever conflicts is at least that deep and the withdrawal FAILED.
     */
    private void conflicted(Withdrawal w, long tip, Instant now) {
        TransferTables.ChainKey key = new TransferTables.ChainKey(chain, w.id());
        if (w.status() != WithdrawalStatus.CONFLICTED) {
            LOG.warning("chain " + chain + ": withdrawal " + w.id() + " (" + w.txid() + ", was " + w.status() + ") is conflicted: "
                    + CONFLICT_REASON + "; followed until the conflict is " + finalityDepth + " blocks deep");
            record(w.with(WithdrawalStatus.CONFLICTED, 0, CONFLICT_REASON, now)); // anchored at the tip in the same batch
            return;
        }
        Optional<BlockHeader> anchor = store.get(TransferTables.CONFLICTS, key);
        boolean anchored = anchor.isPresent() && anchor.get().height() <= tip
                && Optional.ofNullable(source.header(anchor.get().height())).map(h -> h.hash().equals(anchor.get().hash())).orElse(false);
        if (!anchored) {
            Batch b = store.batch();
            b.put(TransferTables.CONFLICTS, key, source.header(tip));
            b.commit();
            return;
        }
        if (tip - anchor.get().height() + 1 >= finalityDepth) {
            LOG.warning("chain " + chain + ": withdrawal " + w.id() + " failed: its conflict is " + finalityDepth + " blocks deep");
            record(w.with(WithdrawalStatus.FAILED, 0, CONFLICT_REASON + " (final: the conflict is past the reorg-safety depth)", now), true);
        }
    }

    /**
     * {@code minedTxid} (this version or its cancelling one) is in the block at {@code height} and paid nothing: REVERTED with
     * its confirmations while a reorg can still undo that block, FAILED once it is {@code finalityDepth} deep.
     */
    private void revertedAt(Withdrawal w, String minedTxid, TxStatus mined, long tip, String reason) {
        int conf = (int) (tip - mined.blockHeight() + 1);
        Instant now = clock.instant();
        WithdrawalStatus next = conf >= finalityDepth ? WithdrawalStatus.FAILED : WithdrawalStatus.REVERTED;
        if (next == w.status() && conf == w.confirmations() && minedTxid.equals(w.txid())) {
            return;
        }
        if (next == WithdrawalStatus.REVERTED && w.status() != WithdrawalStatus.REVERTED) {
            LOG.warning("chain " + chain + ": withdrawal " + w.id() + " (" + minedTxid + ") mined without paying: " + reason
                    + "; followed until it is " + finalityDepth + " blocks deep");
        }
        java.math.BigInteger paid = w.status() == WithdrawalStatus.REVERTED ? w.fee() : paid(minedTxid, mined).orElse(w.fee());
        record(new Withdrawal(w.id(), chain, w.account(), w.destination(), w.amount(), paid, w.feeRate(), next, minedTxid, w.raw(),
                w.inputs(), w.changeIndex(), w.replacedTxids(), w.idempotencyKey(), next == WithdrawalStatus.FAILED ? 0 : conf, reason,
                w.createdAt(), now, w.asset(), w.cancelTxid()), true);
    }

    /** The failure reason of a withdrawal mined but reverted on chain (EVM receipt status 0). */
    public static final String REVERTED_REASON = "the transaction failed on chain (reverted)";
    /** The failure reason of a withdrawal whose cancelling version was mined. */
    public static final String CANCELLED_REASON = "cancelled";

    /**
     * Whether {@code w} was mined without paying (REVERTED, or FAILED after it): its fee is spent and, on an account chain, its
     * nonce used, while its amount never left.
     */
    public static boolean minedWithoutPaying(Withdrawal w) {
        return w.status() == WithdrawalStatus.REVERTED || w.status() == WithdrawalStatus.FAILED
                && (REVERTED_REASON.equals(w.failureReason()) || CANCELLED_REASON.equals(w.failureReason()));
    }

    private static final String CONFLICT_REASON = "its inputs were spent by another transaction or no longer exist";

    /**
     * Every transaction {@code w} has been, oldest first: the versions it replaced, then its current one (a cancel is one of
     * them: it is the current version when made, and joins the replaced ones if bumped).
     */
    private static List<String> versions(Withdrawal w) {
        List<String> out = new ArrayList<>(w.replacedTxids());
        out.add(w.txid());
        return out;
    }

    private static List<String> spendsOf(Withdrawal w) {
        return w.inputs().stream().map(DepositId::toString).toList();
    }

    protected Withdrawal send(Withdrawal w) {
        return send(w, false);
    }

    /** As {@link #send(Withdrawal)}; {@code mayHaveLeft} as {@link #broadcast(Withdrawal, boolean)} takes it. */
    private Withdrawal send(Withdrawal w, boolean mayHaveLeft) {
        Withdrawal after = broadcast(w, mayHaveLeft);
        if (after != w) {
            record(after);
        }
        return after;
    }

    /**
     * Broadcasts {@code w}'s bytes and says what the answer makes of it (asking the chain when refused); {@code w} itself when
     * nothing changes. Nothing is written.
     */
    protected final Withdrawal broadcast(Withdrawal w) {
        return broadcast(w, false);
    }

    /**
     * As {@link #broadcast(Withdrawal)}; {@code mayHaveLeft}: whether a SIGNED {@code w}'s bytes may have been sent before (a
     * withdrawal found SIGNED at a start): a refusal then leaves it sent (BROADCAST_UNKNOWN), as for bytes known to have left.
     */
    private Withdrawal broadcast(Withdrawal w, boolean mayHaveLeft) {
        BroadcastResult r = source.broadcast(w.raw());
        crash.reached(BROADCAST_NOT_RECORDED);
        Instant now = clock.instant();
        return switch (r.outcome()) {
            case ACCEPTED, ALREADY_KNOWN -> w.status() == WithdrawalStatus.BROADCAST ? w : w.with(WithdrawalStatus.BROADCAST, 0, "", now);
            case UNKNOWN -> {
                if (w.status() != WithdrawalStatus.SIGNED) {
                    yield w; // a re-send: its state stands (not said again each round while the node is unreachable)
                }
                // No answer to a first send (the node unreachable, the call timed out): the bytes may or may not be in its
                // mempool; following the chain sends them again. Said once, so an operator sees why the withdrawal waits.
                LOG.warning("chain " + chain + ": no clear answer sending withdrawal " + w.id() + " (" + w.txid()
                        + "); it is sent again while the chain is followed");
                yield w.with(WithdrawalStatus.BROADCAST_UNKNOWN, 0, "", now);
            }
            case REJECTED -> rejected(w, r.detail(), now, mayHaveLeft);
        };
    }

    /**
     * What a refusal means depends on what the chain shows, never on the refusal alone. A version in the mempool or a block:
     * it stands (a refused bump leaves the previous version; "already spent" is often this very transaction, mined before a
     * crash or a re-send). Inputs spent elsewhere or gone: CONFLICTED, followed until the conflict is final. Inputs intact:
     * bytes that never left the node (a first broadcast) FAILED, nothing moved; bytes that were or may have been sent before
     * ({@code mayHaveLeft}) stay sent (BROADCAST_UNKNOWN, sent again on the next round), for anyone holding them can still get
     * them mined.
     */
    private Withdrawal rejected(Withdrawal w, String detail, Instant now, boolean mayHaveLeft) {
        List<String> spends = spendsOf(w);
        TxState currentState = TxState.UNKNOWN;
        for (String version : versions(w)) {
            TxState s = source.txStatus(version, spends).state();
            if (s == TxState.IN_MEMPOOL || s == TxState.IN_BLOCK) {
                if (!version.equals(w.txid())) {
                    LOG.warning("chain " + chain + ": the node refused the new version of " + w.id() + " (" + detail
                            + "); an earlier one is still valid");
                }
                return w.status() == WithdrawalStatus.SIGNED || w.status() == WithdrawalStatus.BROADCAST_UNKNOWN
                        ? w.with(WithdrawalStatus.BROADCAST, 0, "", now) : w;
            }
            currentState = s;
        }
        if (currentState == TxState.CONFLICTED) {
            LOG.warning("chain " + chain + ": withdrawal " + w.id() + " refused by the node (" + detail + "): " + CONFLICT_REASON);
            return w.status() == WithdrawalStatus.CONFLICTED ? w : w.with(WithdrawalStatus.CONFLICTED, 0, CONFLICT_REASON, now);
        }
        boolean everSent = mayHaveLeft || w.status() != WithdrawalStatus.SIGNED || !w.replacedTxids().isEmpty();
        if (everSent) {
            LOG.warning("chain " + chain + ": a re-send of withdrawal " + w.id() + " was refused (" + detail + "); its inputs are "
                    + "intact, so it stays sent and is tried again");
            return w.status() == WithdrawalStatus.BROADCAST_UNKNOWN ? w : w.with(WithdrawalStatus.BROADCAST_UNKNOWN, 0, "", now);
        }
        LOG.warning("chain " + chain + ": withdrawal " + w.id() + " refused by the node: " + detail);
        return w.with(WithdrawalStatus.FAILED, 0, detail, now);
    }

    protected void record(Withdrawal w) {
        record(w, false);
    }

    private void record(Withdrawal w, boolean mined) {
        commit(recording(w, mined), w);
    }

    /** The batch that records {@code w} (checked against the stored version: only the moves its status allows). */
    protected final Batch recording(Withdrawal w, boolean mined) {
        Batch b = store.batch();
        recordInto(b, w, mined);
        return b;
    }

    /** Adds the writes that record {@code w} to {@code b}, checked as {@link #recording} checks. */
    private void recordInto(Batch b, Withdrawal w, boolean mined) {
        Optional<Withdrawal> before = get(w.id());
        if (before.isPresent() && before.get().status() != w.status() && !before.get().status().canMoveTo(w.status())) {
            throw new IllegalStateException("withdrawal " + w.id() + " cannot move from " + before.get().status() + " to " + w.status());
        }
        putWithdrawal(b, w);
        if (w.status() == WithdrawalStatus.FAILED) {
            onFailed(w, mined, b);
        }
    }

    /** Where batches that change a withdrawal are committed (the node's transfer events); set before first use. */
    public void sink(WithdrawalSink sink) {
        this.sink = sink;
    }

    /** Commits a batch that writes {@code w}, through the sink. */
    protected final void commit(Batch b, Withdrawal w) {
        commitAll(b, List.of(w));
    }

    /** Commits a batch that writes each of {@code ws} (distinct withdrawals), through the sink; every commit comes here. */
    protected void commitAll(Batch b, List<Withdrawal> ws) {
        sink.commitAll(b, ws, store::batch);
    }

    /** Queues a batch that writes {@code w} through the sink, behind every one queued before; await it outside any lock. */
    protected Batch.Queued queue(Batch b, Withdrawal w) {
        return sink.queue(b, w);
    }

    protected void putWithdrawal(Batch b, Withdrawal w) {
        TransferTables.ChainKey key = new TransferTables.ChainKey(chain, w.id());
        b.put(TransferTables.WITHDRAWALS, key, w);
        indexWithdrawal(b, w);
        if (w.status().isFinal()) {
            b.delete(TransferTables.PENDING, key);
        } else {
            b.put(TransferTables.PENDING, key, "");
        }
        if (w.status() == WithdrawalStatus.CONFIRMED && w.confirmations() < finalityDepth) {
            b.put(TransferTables.SETTLING, key, "");
        } else {
            b.delete(TransferTables.SETTLING, key);
        }
        if (w.status() == WithdrawalStatus.CONFLICTED) {
            if (store.get(TransferTables.CONFLICTS, key).isEmpty()) {
                b.put(TransferTables.CONFLICTS, key, source.header(source.tipHeight()));
            }
        } else {
            b.delete(TransferTables.CONFLICTS, key);
        }
    }

    /** The rows that find {@code w} from its account's history and from any of its transaction ids (rewritten alike each time). */
    public static void indexWithdrawal(Batch b, Withdrawal w) {
        b.put(ChainTables.ACCOUNT_ACTIVITY, new ChainTables.AccountActivity(w.account(), w.createdAt().toEpochMilli(), w.chain(),
                ChainTables.ActivityKind.WITHDRAWAL, w.id()), "");
        b.put(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(w.chain(), w.txid()), w.id());
        for (String old : w.replacedTxids()) {
            b.put(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(w.chain(), old), w.id());
        }
        if (!w.cancelTxid().isEmpty()) {
            b.put(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(w.chain(), w.cancelTxid()), w.id());
        }
    }

    /**
     * A fee bump needs a version that can still be mined in place of the current one.
     *
     * @throws CofferException FAILED_PRECONDITION ALREADY_CONFIRMED (mined, or ended), CONFLICTED (inputs spent elsewhere)
     */
    protected static void requireBumpable(Withdrawal w) {
        if (w.status().isFinal() || w.status() == WithdrawalStatus.CONFIRMING) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "ALREADY_CONFIRMED", "already " + w.status().name().toLowerCase()
                    + ": nothing to bump");
        }
        if (w.status() == WithdrawalStatus.CONFLICTED) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "CONFLICTED", "its inputs are spent by another transaction: "
                    + "no replacement could be mined");
        }
    }

    /** The withdrawal created with {@code idempotencyKey} on this chain, if any. */
    public Optional<Withdrawal> byIdempotencyKey(String idempotencyKey) {
        return store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, idempotencyKey)).flatMap(this::get);
    }

    public Optional<Withdrawal> get(String id) {
        Withdrawal told = toldNotWritten.get(id);
        return told != null ? Optional.of(told) : store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, id));
    }

    /**
     * Sends whose caller was told the outcome before it is written (by id; see {@link #toldBeforeWritten}): what {@link #get}
     * answers until it is, so a caller reading its withdrawal right after the send returned never sees it go back to SIGNED.
     */
    private final Map<String, Withdrawal> toldNotWritten = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether a send's caller may be told {@code outcome} before it is durable: only when the node accepted it (BROADCAST), so
     * that the chain decides from there. Losing that write in a crash loses nothing: the signed bytes before it are durable, a
     * restart finds the withdrawal SIGNED and sends the same bytes again ({@link #resume}), and the chain settles it as it would
     * have. A refusal (FAILED, CONFLICTED) releases funds or a nonce: the caller learns it only once it is durable, or a crash
     * could re-send what the caller was told had failed and replaced. No clear answer (BROADCAST_UNKNOWN) is rare and waited
     * for as before: nothing to gain.
     */
    protected static boolean tellableBeforeWritten(Withdrawal outcome) {
        return outcome.status() == WithdrawalStatus.BROADCAST;
    }

    /**
     * Queues the batch that records a send's {@code outcome} (through {@code queue}, under the caller's lock as it needs) and
     * returns without waiting for the disk: {@link #get} shows the outcome meanwhile, and the send stays in flight — every
     * exclusive operation (following the chain, re-sending, replacing) still waits for it — until a thread of its own has seen
     * the batch durable. The caller's withdrawal thus costs one synced write on its path (the signed bytes'), not two; the
     * outcome's write shares a synced write with whatever is queued next (the queue supplies an {@link Batch#unhurried()} batch:
     * held a few milliseconds for company when queued alone; an exclusive operation that must wait for it hurries it). Ends the
     * flight (the caller must not).
     *
     * @throws io.coffer.core.store.StoreException when the batch cannot be queued (the caller still ends the flight)
     */
    protected final void toldBeforeWritten(Withdrawal outcome, Supplier<Batch.Queued> queue) {
        Batch.Queued queued;
        synchronized (this) {
            queued = queue.get(); // (which checks the move against the stored version, not against this outcome)
            held.add(queued);
            if (exclusive > 0) {
                queued.hurry(); // an exclusive operation waits for it already: no send will come to take it along
            }
        }
        toldNotWritten.put(outcome.id(), outcome); // before the thread that takes it away again starts
        Thread.ofVirtual().name("coffer-outcome " + chain).start(() -> {
            try {
                queued.await();
            } catch (RuntimeException e) { // the store refuses every write from now on; a restart re-sends the same bytes
                LOG.severe("chain " + chain + ": withdrawal " + outcome.id() + "'s outcome (" + outcome.status()
                        + ") could not be written: " + e.getMessage());
            } finally {
                toldNotWritten.remove(outcome.id(), outcome);
                synchronized (this) {
                    held.remove(queued);
                }
                flightEnded();
            }
        });
    }

    /** Withdrawals of this chain not yet mined with their confirmations, by state, and since when the oldest of them waits. */
    public record Outstanding(int count, Optional<Instant> oldestSince, java.util.Map<WithdrawalStatus, Integer> byState) {
    }

    /** What operators watch (metrics): withdrawals holding funds and not yet confirmed. */
    public Outstanding outstanding() {
        List<Withdrawal> waiting = pending();
        java.util.Map<WithdrawalStatus, Integer> byState = new java.util.EnumMap<>(WithdrawalStatus.class);
        waiting.forEach(w -> byState.merge(w.status(), 1, Integer::sum));
        return new Outstanding(waiting.size(), waiting.stream().map(Withdrawal::createdAt).min(Instant::compareTo), byState);
    }

    /** The ids of CONFIRMED withdrawals not yet final (followed by {@link #track}, but no longer pending: their funds have left). */
    private List<String> settling() {
        List<String> out = new ArrayList<>();
        for (var e : store.list(TransferTables.SETTLING, TransferTables.SETTLING.prefix(chainPrefix), Integer.MAX_VALUE)) {
            out.add(e.getKey().key());
        }
        return out;
    }

    protected List<Withdrawal> pending() {
        List<Withdrawal> out = new ArrayList<>();
        for (var e : store.list(TransferTables.PENDING, TransferTables.PENDING.prefix(chainPrefix), Integer.MAX_VALUE)) {
            get(e.getKey().key()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Where the ledger and the chain disagree on this chain, each as one row: a coin (or, on account chains, a nonce) of the
     * wallet spent by a transaction the ledger did not make, as the follower recorded it from the best chain.
     *
     * @return row key (stable while the fact stands) -> what the operator reads
     */
    public java.util.Map<String, String> mismatches() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (io.coffer.core.chain.ForeignSpends.Spend s : io.coffer.core.chain.ForeignSpends.find(store, chain)) {
            {
                out.put("spent " + s.coin(), (s.amount().signum() > 0 || !s.asset().isEmpty() ? s.amount() + " " + s.asset() + " " : "")
                        + "spent by " + s.spentBy() + " at height " + s.height() + ", a transaction this ledger did not make");
            }
        }
        return out;
    }

    /** Sweeps and gas top-ups move funds between the account's own addresses. */
    protected static boolean isInternal(Withdrawal w) {
        return w.origin().internal();
    }
}
