package io.coffer.core.transfer;

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
    public synchronized void resume() {
        for (Withdrawal w : pending()) {
            if (w.status() == WithdrawalStatus.SIGNED || w.status() == WithdrawalStatus.BROADCAST_UNKNOWN
                    || w.status() == WithdrawalStatus.BROADCAST) {
                LOG.info(() -> "chain " + chain + ": re-sending withdrawal " + w.id() + " (" + w.txid() + ", " + w.status() + ")");
                send(w);
            }
        }
    }

    /** Follows every pending withdrawal on the chain (call after the chain follower's poll). */
    public synchronized void track() {
        long tip = source.tipHeight();
        List<Withdrawal> followed = new ArrayList<>(pending());
        followed.addAll(settling());
        for (Withdrawal w : followed) {
            List<String> spends = w.inputs().stream().map(DepositId::toString).toList();
            TxStatus current = source.txStatus(w.txid(), spends);
            if (current.state() == TxState.FAILED) {
                // Mined but reverted: the fee is spent and nothing else moved (EVM). Final.
                record(w.with(WithdrawalStatus.FAILED, 0, "the transaction failed on chain (reverted)", clock.instant()), true);
                continue;
            }
            String minedTxid = current.state() == TxState.IN_BLOCK ? w.txid() : null;
            long height = current.blockHeight();
            if (minedTxid == null) {
                for (String old : w.replacedTxids()) {
                    TxStatus s = source.txStatus(old, spends);
                    if (s.state() == TxState.IN_BLOCK) {
                        minedTxid = old; // an earlier version won the race: fine, it spends the same inputs
                        height = s.blockHeight();
                    }
                }
            }
            Instant now = clock.instant();
            if (minedTxid != null && minedTxid.equals(w.cancelTxid())) {
                // The cancelling version won: nothing was paid, the nonce and its fee are spent.
                Withdrawal cancelled = new Withdrawal(w.id(), chain, w.account(), w.destination(), w.amount(), w.fee(), w.feeRate(),
                        WithdrawalStatus.FAILED, minedTxid, w.raw(), w.inputs(), w.changeIndex(), w.replacedTxids(), w.idempotencyKey(),
                        0, "cancelled", w.createdAt(), now, w.asset(), w.cancelTxid());
                record(cancelled, true);
                continue;
            }
            if (minedTxid != null) {
                int conf = (int) (tip - height + 1);
                WithdrawalStatus next = conf >= confirmations ? WithdrawalStatus.CONFIRMED : WithdrawalStatus.CONFIRMING;
                if (next != w.status() || conf != w.confirmations()) {
                    // The fee actually paid replaces the estimate once known (EVM: gas used x effective price).
                    java.math.BigInteger paid = w.status() == WithdrawalStatus.CONFIRMING || w.status() == WithdrawalStatus.CONFIRMED
                            ? w.fee() : source.feePaid(minedTxid).orElse(w.fee());
                    Withdrawal u = minedTxid.equals(w.txid()) ? w.with(next, conf, "", now).withFee(paid) : new Withdrawal(w.id(), chain, w.account(),
                            w.destination(), w.amount(), paid, w.feeRate(), next, minedTxid, w.raw(), w.inputs(), w.changeIndex(),
                            w.replacedTxids(), w.idempotencyKey(), conf, "", w.createdAt(), now, w.asset(), w.cancelTxid());
                    record(u);
                }
            } else if (current.state() == TxState.IN_MEMPOOL) {
                if (w.status() != WithdrawalStatus.BROADCAST) {
                    record(w.with(WithdrawalStatus.BROADCAST, 0, "", now));
                }
            } else if (w.status() == WithdrawalStatus.CONFIRMING || w.status() == WithdrawalStatus.CONFIRMED) {
                // Reorged out of the chain: send the same bytes again.
                send(w.with(WithdrawalStatus.BROADCAST_UNKNOWN, 0, "", now));
            } else if (w.status() == WithdrawalStatus.BROADCAST_UNKNOWN || w.status() == WithdrawalStatus.BROADCAST) {
                send(w);
            }
        }
    }

    protected Withdrawal send(Withdrawal w) {
        BroadcastResult r = source.broadcast(w.raw());
        crash.reached(BROADCAST_NOT_RECORDED);
        Instant now = clock.instant();
        Withdrawal after = switch (r.outcome()) {
            case ACCEPTED, ALREADY_KNOWN -> w.status() == WithdrawalStatus.SIGNED || w.status() == WithdrawalStatus.BROADCAST_UNKNOWN
                    ? w.with(WithdrawalStatus.BROADCAST, 0, "", now) : w;
            case UNKNOWN -> w.status() == WithdrawalStatus.SIGNED ? w.with(WithdrawalStatus.BROADCAST_UNKNOWN, 0, "", now) : w;
            case REJECTED -> rejected(w, r.detail(), now);
        };
        if (after != w) {
            record(after);
        }
        return after;
    }

    /**
     * A refusal fails the withdrawal only when no version of it can still confirm: a refused bump leaves
     * the previous version in place; a refused original whose inputs are spent by one of our own versions
     * is not a failure either.
     */
    private Withdrawal rejected(Withdrawal w, String detail, Instant now) {
        // "Refused" is often "already done": bitcoind says the inputs are spent, an EVM node says "nonce too low",
        // when it is this very transaction that was mined (a crash after the broadcast, a re-send at start).
        List<String> spends = w.inputs().stream().map(DepositId::toString).toList();
        List<String> versions = new ArrayList<>(w.replacedTxids());
        versions.add(w.txid());
        for (String version : versions) {
            TxState s = source.txStatus(version, spends).state();
            if (s == TxState.IN_MEMPOOL || s == TxState.IN_BLOCK) {
                if (!version.equals(w.txid())) {
                    LOG.warning("chain " + chain + ": the node refused the new version of " + w.id() + " (" + detail
                            + "); an earlier one is still valid");
                }
                return w.status() == WithdrawalStatus.SIGNED || w.status() == WithdrawalStatus.BROADCAST_UNKNOWN
                        ? w.with(WithdrawalStatus.BROADCAST, 0, "", now) : w;
            }
        }
        LOG.warning("chain " + chain + ": withdrawal " + w.id() + " refused by the node: " + detail);
        return w.with(WithdrawalStatus.FAILED, 0, detail, now);
    }

    protected void record(Withdrawal w) {
        record(w, false);
    }

    private void record(Withdrawal w, boolean mined) {
        Batch b = store.batch();
        putWithdrawal(b, w);
        if (w.status() == WithdrawalStatus.FAILED) {
            onFailed(w, mined, b);
        }
        commit(b, w);
    }

    /** Where batches that change a withdrawal are committed (the node's transfer events); set before first use. */
    public void sink(WithdrawalSink sink) {
        this.sink = sink;
    }

    /** Commits a batch that writes {@code w}, through the sink. */
    protected void commit(Batch b, Withdrawal w) {
        sink.commit(b, w);
    }

    protected void putWithdrawal(Batch b, Withdrawal w) {
        TransferTables.ChainKey key = new TransferTables.ChainKey(chain, w.id());
        b.put(TransferTables.WITHDRAWALS, key, w);
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
    }

    /** The withdrawal created with {@code idempotencyKey} on this chain, if any. */
    public Optional<Withdrawal> byIdempotencyKey(String idempotencyKey) {
        return store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, idempotencyKey)).flatMap(this::get);
    }

    public Optional<Withdrawal> get(String id) {
        return store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, id));
    }

    /** CONFIRMED withdrawals not yet final (followed by {@link #track}, but no longer pending: their funds have left). */
    private List<Withdrawal> settling() {
        List<Withdrawal> out = new ArrayList<>();
        for (var e : store.list(TransferTables.SETTLING, TransferTables.SETTLING.prefix(chainPrefix), Integer.MAX_VALUE)) {
            get(e.getKey().key()).ifPresent(out::add);
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
     * The account's history, newest first: deposits (without the change of its own withdrawals, which is
     * not income, nor the arrivals of its own sweeps and top-ups) and withdrawals (sweeps and top-ups
     * flagged internal), each with asset, txid, amount, fee, confirmations and status.
     */
    public List<HistoryEntry> history(int account, int limit) {
        List<HistoryEntry> out = new ArrayList<>();
        java.util.Set<String> ownTxids = new java.util.HashSet<>();
        for (var e : store.list(TransferTables.WITHDRAWALS, TransferTables.WITHDRAWALS.prefix(chainPrefix), Integer.MAX_VALUE)) {
            Withdrawal w = e.getValue();
            ownTxids.add(w.txid());
            ownTxids.addAll(w.replacedTxids());
            if (w.account() == account) {
                out.add(new HistoryEntry(w.id(), false, w.asset(), w.amount(), w.fee(), w.txid(), w.confirmations(), w.status().name(),
                        w.destination(), w.createdAt(), isInternal(w)));
            }
        }
        for (var e : store.list(ChainTables.DEPOSITS, ChainTables.DEPOSITS.prefix(chainPrefix), Integer.MAX_VALUE)) {
            Deposit d = e.getValue();
            if (d.account() == account && !ownTxids.contains(d.id().txid())) {
                out.add(new HistoryEntry(d.id().toString(), true, d.asset(), d.amount(), java.math.BigInteger.ZERO, d.id().txid(), d.confirmations(),
                        d.status().name(), d.address(), d.firstSeen(), false));
            }
        }
        out.sort(java.util.Comparator.comparing(HistoryEntry::at).reversed().thenComparing(HistoryEntry::id));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** Sweeps and gas top-ups move funds between the account's own addresses. */
    protected static boolean isInternal(Withdrawal w) {
        return w.idempotencyKey().startsWith("sweep:") || w.idempotencyKey().startsWith("topup:");
    }
}
