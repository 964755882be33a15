package io.coffer.core.chain;

import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows one chain and keeps its deposits true to it. Written once for every chain; the chain module
 * only supplies a {@link ChainSource}.
 *
 * <p>Each {@link #poll()}: (1) checks that the stored cursor is still on the node's best chain, and while
 * it is not, disconnects the cursor's block (its deposits become REORGED) and steps back to the stored
 * parent — this also catches a reorg that happened while the node was down; (2) connects the following
 * blocks one by one, in atomic batches with the cursor, the deposits, their confirmations and their events — one batch per
 * block at the tip, one per {@value #BLOCKS_PER_WRITE} blocks (or half a second) while catching up, later blocks of a batch
 * reading the deposits earlier ones changed from {@link #unwritten} (every deposit event of every block is written; the
 * sink sees the batch's changes together, so a payment request moves once, to where the batch leaves it); (3) looks at the
 * mempool for new 0-conf deposits, and asks the source about pending deposits that left it (a conflict means REPLACED: it
 * never counts).
 *
 * <p>A crash between batches loses nothing and repeats nothing: the cursor moves in the same batch as
 * the changes, so the next poll resumes at the first block not fully applied.
 */
public final class ChainFollower {
    private static final Logger LOG = Logger.getLogger(ChainFollower.class.getName());
    /** Blocks connected per poll at most, so a long catch-up still lets mempool checks and shutdown happen. */
    static final int MAX_BLOCKS_PER_POLL = 200;
    /**
     * Blocks connected per write at most while catching up: one synced write (and one round of events) for many blocks instead
     * of one each, which is most of what catching up costs beyond fetching. A crash loses the unwritten blocks, and the next
     * poll connects them again.
     */
    static final int BLOCKS_PER_WRITE = 50;
    /** A batch of blocks is written at least this often, so the merchant's events keep flowing during a slow catch-up. */
    private static final long WRITE_EVERY_NANOS = 500_000_000L;

    private final Store store;
    private final ChainSource source;
    private final AddressBook addresses;
    private final String chain;
    private final int confirmations;
    private final int safetyDepth;
    private final Clock clock;
    private final AtomicLong eventSeq;
    private final byte[] chainPrefix;
    private volatile DepositSink sink = DepositSink.DIRECT;
    /** Deposits written into the batch being built (poll and rescan hold the lock, so one batch at a time). */
    private final List<DepositChange> changes = new ArrayList<>();
    /**
     * The deposits the batch being built changes, as they will be written: what later blocks of the same batch read instead of
     * the store (which does not have them yet). Put into the batch once, at its commit, however many of its blocks changed them.
     */
    private final Map<ChainTables.ChainDeposit, Deposit> unwritten = new java.util.LinkedHashMap<>();
    /**
     * The open deposits as committed: read from the store once (null until then, and again after a commit that failed), then
     * kept as each commit leaves them. This follower is the only writer of its chain's deposits, so nothing else moves them
     * (a block paying 300 requests otherwise read those 300 deposits back at every block until final, and again in each
     * round's mempool check).
     */
    private Map<ChainTables.ChainDeposit, Deposit> openInStore;
    /** Whether the running poll disconnected a block: its batches are unsettled until the last one (see {@link DepositSink}). */
    private boolean reorgInPoll;
    /** Whether the chain has a cursor (see {@link #anchor}); once true, true for good. */
    private volatile boolean anchored;
    private final Object anchorLock = new Object();

    /** What one poll did, for logs and tests. */
    public record PollResult(long cursorHeight, long tipHeight, int connected, int disconnected, int events) {
        public boolean caughtUp() {
            return cursorHeight >= tipHeight;
        }
    }

    /** Balances of one account in base units of the chain's assets (this slice: one asset per chain). */
    public record Balance(BigInteger confirmed, BigInteger pending) {
    }

    public ChainFollower(Store store, ChainSource source, AddressBook addresses, int confirmations, int safetyDepth, Clock clock) {
        if (!source.chain().equals(addresses.chain())) {
            throw new IllegalArgumentException("address book of " + addresses.chain() + " given to the follower of " + source.chain());
        }
        this.store = store;
        this.source = source;
        this.addresses = addresses;
        this.chain = source.chain();
        this.confirmations = confirmations;
        this.safetyDepth = Math.max(safetyDepth, confirmations);
        this.clock = clock;
        this.chainPrefix = KeyWriter.key().string(chain).build();
        ForeignSpends.keep(store, chain); // before the first spend this follower records
        var last = store.list(ChainTables.EVENTS, ChainTables.EVENTS.prefix(chainPrefix).reversed(), 1);
        this.eventSeq = new AtomicLong(last.isEmpty() ? 0 : last.get(0).getKey().value());
    }

    public String chain() {
        return chain;
    }

    /** Where batches that change deposits are committed (the node's tenant events); set before the first poll. */
    public void sink(DepositSink sink) {
        this.sink = sink;
    }

    private Batch begin() {
        changes.clear();
        unwritten.clear();
        created = 0;
        return store.batch();
    }

    private void commit(Batch b) {
        commit(b, !reorgInPoll);
    }

    private void commit(Batch b, boolean settled) {
        for (Deposit d : unwritten.values()) {
            ChainTables.ChainDeposit key = new ChainTables.ChainDeposit(chain, d.id());
            b.put(ChainTables.DEPOSITS, key, d);
            if (d.status().isFinal()) {
                b.delete(ChainTables.OPEN_DEPOSITS, key);
            } else {
                b.put(ChainTables.OPEN_DEPOSITS, key, "");
            }
        }
        // Decoded from the batch's own bytes: exactly what a read of the store will give (its record keeps times to the
        // millisecond), which later blocks read and render into events.
        Map<ChainTables.ChainDeposit, Optional<Deposit>> folded = b.changes(ChainTables.DEPOSITS);
        unwritten.clear();
        List<DepositChange> written = List.copyOf(changes);
        changes.clear();
        Map<ChainTables.ChainDeposit, Deposit> open = openInStore;
        openInStore = null; // unknown until the commit is known to be written
        sink.commit(b, this, written, settled);
        if (depositCount >= 0) {
            depositCount += created;
        }
        created = 0;
        if (open != null) {
            folded.forEach((key, d) -> {
                if (d.isEmpty() || d.get().status().isFinal()) {
                    open.remove(key);
                } else {
                    open.put(key, d.get());
                }
            });
            openInStore = open;
        }
    }

    /** The transaction ids of the chain's recorded deposits (read from the store once, then added to as deposits are recorded). */
    private TxidFilter depositTxids;

    private TxidFilter depositTxids() {
        if (depositTxids == null) {
            TxidFilter f = new TxidFilter();
            try (var c = store.scan(ChainTables.DEPOSITS.prefix(chainPrefix), ChainTables.DEPOSITS)) {
                while (c.hasNext()) {
                    f.add(c.next().getKey().id().txid());
                }
            }
            depositTxids = f;
        }
        return depositTxids;
    }

    /** The deposit as the batch being built leaves it: its unwritten change, else the store's record. */
    private Optional<Deposit> current(ChainTables.ChainDeposit key) {
        Deposit d = unwritten.get(key);
        return d != null ? Optional.of(d) : store.get(ChainTables.DEPOSITS, key);
    }

    /** The chain's open deposits as the batch being built leaves them: the store's, less those it finalises, plus those it opens. */
    private List<Deposit> openDeposits() {
        if (openInStore == null) {
            // In the store's order whatever order commits add them in: the transaction id (ASCII hex, whose String order is its
            // bytes' order), then the output.
            openInStore = new java.util.TreeMap<>(java.util.Comparator.comparing((ChainTables.ChainDeposit k) -> k.id().txid())
                    .thenComparingInt(k -> k.id().index()));
            for (var e : store.list(ChainTables.OPEN_DEPOSITS, ChainTables.OPEN_DEPOSITS.prefix(chainPrefix), Integer.MAX_VALUE)) {
                openInStore.put(e.getKey(), store.get(ChainTables.DEPOSITS, e.getKey()).orElseThrow());
            }
        }
        List<Deposit> out = new ArrayList<>();
        for (var e : openInStore.entrySet()) {
            if (!unwritten.containsKey(e.getKey())) {
                out.add(e.getValue());
            }
        }
        for (Deposit d : unwritten.values()) {
            if (!d.status().isFinal()) {
                out.add(d);
            }
        }
        return out;
    }

    /** The open deposits this follower keeps as committed (empty when it holds none): for tests comparing them with the store. */
    synchronized List<Deposit> openKept() {
        return openInStore == null ? List.of() : List.copyOf(openInStore.values());
    }

    /** Number of watched addresses. */
    public int watchedAddresses() {
        return addresses.size();
    }

    /**
     * Number of deposits ever recorded on this chain (a rescan reports it after every poll): the store's keys counted once,
     * then each new deposit counted as its batch is written. It read and decoded every deposit at every poll of a rescan.
     */
    public synchronized long depositCount() {
        if (depositCount < 0) {
            long n = 0;
            try (var c = store.scan(ChainTables.DEPOSITS.prefix(chainPrefix), ChainTables.DEPOSITS)) {
                for (; c.hasNext(); c.next()) {
                    n++;
                }
            }
            depositCount = n;
        }
        return depositCount;
    }

    /** See {@link #depositCount()}; -1 until first asked (under this monitor, as every write of the follower is). */
    private long depositCount = -1;
    /** Deposits first recorded by the batch being built. */
    private int created;

    /** The last processed block, if any. */
    public Optional<BlockHeader> cursor() {
        return store.get(ChainTables.CURSOR, chain);
    }

    /**
     * Starts (or restarts) scanning at {@code height}: the cursor moves to the block before it. Deposits
     * already known are kept; re-scanned blocks update them without repeating events. Height 0 scans from block 1: a genesis
     * block pays nobody a wallet could spend (Bitcoin's coinbase there is unspendable, an EVM genesis has no transactions).
     *
     * @throws io.coffer.core.error.CofferException INVALID_ARGUMENT HEIGHT_ABOVE_TIP ({@code from_height}) above the chain's tip
     *     (or, from an unsigned field, beyond a long)
     */
    public synchronized void rescanFrom(long height) {
        long tip = source.tipHeight();
        if (height < 0 || height > tip) {
            throw io.coffer.core.error.CofferException.invalid("from_height", "HEIGHT_ABOVE_TIP", "above the chain's tip " + tip);
        }
        BlockHeader before = source.header(Math.max(1, height) - 1);
        if (before == null) {
            throw new IllegalStateException("chain " + chain + ": the node has no block at height " + (Math.max(1, height) - 1)
                    + " below its tip " + tip);
        }
        startAfter(before);
        LOG.info(() -> "chain " + chain + ": scanning from height " + (before.height() + 1));
    }

    /**
     * Moves the cursor to {@code block} (the next poll reads the block above it), keeping the block's header so a reorg below
     * the next blocks is recognised from it, both in one write.
     */
    private void startAfter(BlockHeader block) {
        Batch b = store.batch();
        b.put(ChainTables.CURSOR, chain, block);
        b.put(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, block.height()), block);
        b.commit();
        anchored = true;
    }

    /**
     * Fixes where a new wallet's following of the chain starts, the chain's current tip, unless it has a cursor already. Every
     * poll does this first, and so does handing out an address to be paid (see {@code ChainModule.receivingAddresses}): an
     * address issued before the first poll could otherwise be paid in a block that poll then takes as its starting point, and
     * the payment would never be seen. Once set, the cursor is never removed, so later calls cost nothing.
     */
    public void anchor() {
        if (anchored) {
            return;
        }
        synchronized (anchorLock) {
            if (cursor().isEmpty()) {
                BlockHeader start = source.header(source.tipHeight());
                if (start == null) {
                    throw new IllegalStateException("chain " + chain + ": the node has no block at its own tip (a reorg under way); "
                            + "try again");
                }
                startAfter(start);
                LOG.info(() -> "chain " + chain + ": a new wallet; following the chain from its block " + start.height());
            }
            anchored = true;
        }
    }

    /**
     * Re-scans from {@code height} until the address window stops growing: each pass may find payments to
     * addresses that only became watched when an earlier pass found a used address before them (a
     * restore from seed knows nothing of the addresses handed out before). Returns the number of passes.
     */
    public synchronized int rescan(long height) {
        return rescan(height, r -> { });
    }

    /** As {@link #rescan(long)}, telling {@code progress} after every poll. */
    public synchronized int rescan(long height, java.util.function.Consumer<PollResult> progress) {
        int passes = 0;
        while (true) {
            int watchedBefore = addresses.size();
            rescanFrom(height);
            PollResult r;
            do {
                r = poll();
                progress.accept(r);
            } while (!r.caughtUp());
            passes++;
            if (addresses.size() == watchedBefore) {
                return passes;
            }
        }
    }

    /** One round of following; see the class comment. Safe to call again after any exception. */
    public synchronized PollResult poll() {
        anchor();
        long tip = source.tipHeight();
        BlockHeader cursor = cursor().orElseThrow();
        reorgInPoll = false;
        int disconnected = 0;
        int events = 0;
        // (1) Walk back while the cursor's block is no longer on the best chain.
        BlockHeader atCursor = source.header(cursor.height());
        if (atCursor == null || !atCursor.hash().equals(cursor.hash())) {
            refuseAnotherChain();
        }
        BlockHeader known = atCursor; // the first round of the walk-back asks nothing twice
        while (true) {
            BlockHeader onChain = known != null ? known : source.header(cursor.height());
            known = null;
            if (onChain != null && onChain.hash().equals(cursor.hash())) {
                break;
            }
            long height = cursor.height();
            if (height == 0) {
                // Caught above when the genesis was stored; this keeps a walk-back from ever going below it.
                refuseAnotherChain();
                throw new IllegalStateException("chain " + chain + ": the node's chain does not contain the genesis this data "
                        + "directory followed; point the node at its chain or use a fresh data directory");
            }
            BlockHeader parent = store.get(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, height - 1))
                    .orElseThrow(() -> new IllegalStateException("chain " + chain + ": reorg deeper than the stored history at height "
                            + height + "; rescan from an older height"));
            reorgInPoll = true;
            events += disconnect(cursor, parent);
            disconnected++;
            cursor = parent;
        }
        // (2) Connect forward.
        int connected = 0;
        if (cursor.height() < tip) {
            long last = Math.min(tip, cursor.height() + MAX_BLOCKS_PER_POLL);
            try (ChainSource.BlockFeed feed = source.blocks(cursor.height() + 1, last)) {
                Batch b = null;
                int inBatch = 0;
                long batchStarted = 0;
                while (cursor.height() < last) {
                    BlockHeader next;
                    try {
                        next = feed.next();
                    } catch (RuntimeException e) {
                        if (b != null) {
                            commit(b); // whole blocks, fetched before the source failed: keep them
                        }
                        throw e;
                    }
                    if (next == null || !next.parentHash().equals(cursor.hash())) {
                        break; // the node's chain moved under us; the next poll starts with the reorg check
                    }
                    if (b == null) {
                        b = begin();
                        inBatch = 0;
                        batchStarted = System.nanoTime();
                    }
                    events += connect(b, next, source.payments(next, addresses));
                    cursor = next;
                    connected++;
                    inBatch++;
                    if (cursor.height() >= last || inBatch >= BLOCKS_PER_WRITE || System.nanoTime() - batchStarted >= WRITE_EVERY_NANOS) {
                        commit(b);
                        b = null;
                    }
                }
                if (b != null) {
                    commit(b);
                }
            }
        }
        if (disconnected > 0) {
            events += recomputeOpen(cursor.height());
        }
        // (3) Mempool and pending deposits outside blocks.
        events += checkMempool();
        return new PollResult(cursor.height(), tip, connected, disconnected, events);
    }

    /**
     * A reorg cannot replace the genesis block: if the node's genesis is not the one this data directory followed, it is
     * another chain (a wrong RPC URL, or a dev chain started afresh). Refuse before disconnecting anything rather than
     * turn every recorded deposit into a reorged one.
     */
    private void refuseAnotherChain() {
        Optional<BlockHeader> ours = store.get(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, 0));
        BlockHeader theirs = source.header(0);
        if (ours.isPresent() && theirs != null && !ours.get().hash().equals(theirs.hash())) {
            throw new IllegalStateException("chain " + chain + ": the node's genesis block " + theirs.hash() + " is not the one this data "
                    + "directory followed (" + ours.get().hash() + "): another chain, or a dev chain started afresh; point the node "
                    + "at its chain or use a fresh data directory");
        }
    }

    /** Adds block {@code block} to {@code b}: its payments, the spends of the wallet's outputs, the others' confirmations, the cursor. */
    private int connect(Batch b, BlockHeader block, List<Payment> payments) {
        Instant now = clock.instant();
        int events = 0;
        Set<DepositId> inBlock = new HashSet<>();
        for (Payment p : payments) {
            inBlock.add(p.id());
            ChainTables.ChainDeposit key = new ChainTables.ChainDeposit(chain, p.id());
            Deposit before = current(key).orElse(null);
            AddressInfo info = addresses.lookup(p.address()).orElseThrow();
            if (before == null) {
                before = new Deposit(chain, p.id(), p.address(), info.account(), p.asset(), p.amount(), null, 0, "", 0, now, now,
                        p.inputs());
            } else if (before.blockHeight() != 0 && before.blockHeight() != block.height()) {
                // Mined in another block while still recorded in an old one: drop the old index row first.
                b.delete(ChainTables.DEPOSITS_BY_HEIGHT, new ChainTables.ChainHeightDeposit(chain, before.blockHeight(), p.id()));
            }
            addresses.markUsed(info);
            b.put(ChainTables.DEPOSITS_BY_HEIGHT, new ChainTables.ChainHeightDeposit(chain, block.height(), p.id()), "");
            Deposit mined = before.with(before.status(), block.height(), block.hash(), 1, now);
            events += update(b, before.status() == null ? null : before, mined, block.height(), now);
        }
        // The wallet's outputs this block spends (a withdrawal of ours, or anyone holding the key): never spendable again while
        // this block stands, whatever the withdrawal's own state says.
        TxidFilter recorded = depositTxids();
        for (OutpointSpend spend : source.spends(block, id -> inBlock.contains(id) || recorded.mightContain(id.txid())
                && current(new ChainTables.ChainDeposit(chain, id)).isPresent(), addresses)) {
            b.put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit(chain, spend.outpoint()),
                    new ChainTables.SpentOutput(spend.txid(), block.height(), spend.asset(), spend.amount(), spend.feeAsset(),
                            spend.fee()));
            b.put(ChainTables.SPENT_BY_HEIGHT, new ChainTables.ChainHeightDeposit(chain, block.height(), spend.outpoint()), "");
        }
        // Confirmations of the other open deposits grow with the tip.
        for (Deposit d : openDeposits()) {
            if (!inBlock.contains(d.id())) {
                events += update(b, d, d, block.height(), now);
            }
        }
        b.put(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, block.height()), block);
        b.put(ChainTables.CURSOR, chain, block);
        long prune = block.height() - 2L * safetyDepth - 10;
        if (prune >= 0) {
            b.delete(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, prune));
        }
        return events;
    }

    private int disconnect(BlockHeader block, BlockHeader parent) {
        Instant now = clock.instant();
        Batch b = begin();
        int events = 0;
        byte[] prefix = KeyWriter.key().string(chain).u64(block.height()).build();
        Set<DepositId> reorged = new HashSet<>();
        for (var e : store.list(ChainTables.DEPOSITS_BY_HEIGHT, ChainTables.DEPOSITS_BY_HEIGHT.prefix(prefix), Integer.MAX_VALUE)) {
            DepositId id = e.getKey().id();
            reorged.add(id);
            Deposit d = store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, id)).orElseThrow();
            if (d.status() == DepositStatus.FINAL) {
                LOG.severe("chain " + chain + ": block " + block.height() + " holding FINAL deposit " + id
                        + " was disconnected: a reorg deeper than the safety depth (" + safetyDepth + ")");
            }
            b.delete(ChainTables.DEPOSITS_BY_HEIGHT, e.getKey());
            Deposit out = d.with(DepositStatus.REORGED, 0, "", 0, now);
            events += write(b, d, out);
            b.put(ChainTables.OPEN_DEPOSITS, new ChainTables.ChainDeposit(chain, id), "");
        }
        // Outputs this block spent are unspent again until a block of the new branch spends them.
        for (var e : store.list(ChainTables.SPENT_BY_HEIGHT, ChainTables.SPENT_BY_HEIGHT.prefix(prefix), Integer.MAX_VALUE)) {
            b.delete(ChainTables.SPENT_BY_HEIGHT, e.getKey());
            b.delete(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit(chain, e.getKey().id()));
        }
        // Deposits in surviving blocks keep their confirmations here: the poll recomputes them once at its
        // final tip, so a multi-block reorg does not emit a confirmation step back and forth per block.
        b.delete(ChainTables.BLOCKS, new ChainTables.ChainLong(chain, block.height()));
        b.put(ChainTables.CURSOR, chain, parent);
        commit(b);
        LOG.info(() -> "chain " + chain + ": disconnected block " + block.height() + " " + block.hash()
                + (reorged.isEmpty() ? "" : " (" + reorged.size() + " deposits back to pending)"));
        return events;
    }

    /** Recomputes every open mined deposit at {@code tip}, in one batch. */
    private int recomputeOpen(long tip) {
        Instant now = clock.instant();
        Batch b = begin();
        int events = 0;
        for (var e : store.list(ChainTables.OPEN_DEPOSITS, ChainTables.OPEN_DEPOSITS.prefix(chainPrefix), Integer.MAX_VALUE)) {
            Deposit d = store.get(ChainTables.DEPOSITS, e.getKey()).orElseThrow();
            events += update(b, d, d, tip, now);
        }
        commit(b);
        return events;
    }

    /** Recomputes a mined deposit's status at {@code tip} and writes it if anything changed. */
    private int update(Batch b, Deposit before, Deposit current, long tip, Instant now) {
        if (current.blockHeight() == 0) {
            return 0; // not in a block: its status moves with the mempool checks
        }
        int conf = (int) Math.max(0, tip - current.blockHeight() + 1);
        DepositStatus status = conf >= safetyDepth ? DepositStatus.FINAL
                : conf >= confirmations ? DepositStatus.CONFIRMED : DepositStatus.CONFIRMING;
        Deposit after = current.with(status, current.blockHeight(), current.blockHash(), conf, now);
        return write(b, before, after);
    }

    /**
     * Writes {@code after} and an event when the status changed, or when the confirmations changed while
     * still below the required number (each of 1..N is an event; past N only FINAL is).
     */
    private int write(Batch b, Deposit before, Deposit after) {
        ChainTables.ChainDeposit key = new ChainTables.ChainDeposit(chain, after.id());
        boolean statusChanged = before == null || before.status() != after.status();
        if (statusChanged && before != null && !before.status().canMoveTo(after.status())) {
            throw new IllegalStateException("deposit " + after.id() + " cannot move from " + before.status() + " to " + after.status());
        }
        boolean confChanged = before == null || before.confirmations() != after.confirmations();
        boolean blockChanged = before == null || before.blockHeight() != after.blockHeight() || !before.blockHash().equals(after.blockHash());
        if (!statusChanged && !confChanged && !blockChanged) {
            return 0;
        }
        unwritten.put(key, after); // with its place among the open deposits, into the batch at its commit
        depositTxids().add(after.id().txid());
        if (before == null) {
            created++;
            b.put(ChainTables.DEPOSITS_BY_ADDRESS, new ChainTables.ChainAddressDeposit(chain, after.address(), after.id()), "");
            b.put(ChainTables.ACCOUNT_ACTIVITY, ChainTables.activityOf(after), "");
        }
        boolean notable = statusChanged || (after.status() == DepositStatus.CONFIRMING && confChanged);
        changes.add(new DepositChange(before, after, notable));
        if (!notable) {
            return 0;
        }
        long seq = eventSeq.incrementAndGet();
        b.put(ChainTables.EVENTS, new ChainTables.ChainLong(chain, seq), new DepositEvent(seq, after.updatedAt(), after));
        return 1;
    }

    private int checkMempool() {
        List<Payment> inMempool = source.mempool(addresses);
        Instant now = clock.instant();
        Set<DepositId> seen = new HashSet<>();
        int events = 0;
        Batch b = begin();
        for (Payment p : inMempool) {
            seen.add(p.id());
            ChainTables.ChainDeposit key = new ChainTables.ChainDeposit(chain, p.id());
            Deposit d = store.get(ChainTables.DEPOSITS, key).orElse(null);
            if (d == null) {
                AddressInfo info = addresses.lookup(p.address()).orElseThrow();
                addresses.markUsed(info);
                events += write(b, null, new Deposit(chain, p.id(), p.address(), info.account(), p.asset(), p.amount(),
                        DepositStatus.SEEN, 0, "", 0, now, now, p.inputs()));
            } else if (d.status() == DepositStatus.REORGED || d.status() == DepositStatus.REPLACED) {
                events += write(b, d, d.with(DepositStatus.SEEN, 0, "", 0, now));
            }
        }
        // Pending deposits outside blocks and outside the mempool: ask the node what became of them.
        for (Deposit d : openDeposits()) {
            if (seen.contains(d.id())) {
                continue;
            }
            if (d.blockHeight() != 0 || (d.status() != DepositStatus.SEEN && d.status() != DepositStatus.REORGED)) {
                continue;
            }
            TxState state;
            try {
                state = source.txStatus(d.id().txid(), d.inputs()).state();
            } catch (RuntimeException ex) {
                LOG.log(Level.FINE, "chain " + chain + ": cannot check " + d.id(), ex);
                continue;
            }
            if (state == TxState.CONFLICTED) {
                events += write(b, d, d.with(DepositStatus.REPLACED, 0, "", 0, now));
                LOG.info(() -> "chain " + chain + ": deposit " + d.id() + " was replaced or double-spent; it will not count");
            } else if (state == TxState.FAILED) {
                events += write(b, d, d.with(DepositStatus.FAILED, 0, "", 0, now));
                LOG.info(() -> "chain " + chain + ": deposit " + d.id() + " was mined as a failed transaction; it will not count");
            }
        }
        commit(b, true); // the poll's last batch: whatever a reorg in it deferred is decided here
        return events;
    }

    /** The deposit, if known. */
    public Optional<Deposit> deposit(DepositId id) {
        return store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, id));
    }

    /** Every deposit ever recorded to an address of HD account {@code account} on this chain: a pass over its history, for tests. */
    public List<Deposit> depositsOf(int account) {
        List<Deposit> out = new ArrayList<>();
        store.forEach(ChainTables.DEPOSITS.prefix(chainPrefix), ChainTables.DEPOSITS, (key, d) -> {
            if (d.account() == account) {
                out.add(d);
            }
        });
        return out;
    }

    /** Every deposit ever recorded to {@code address} on this chain. */
    public List<Deposit> depositsTo(String address) {
        return depositsTo(address, Map.of());
    }

    /**
     * As {@link #depositsTo(String)}, with the deposits in {@code newer} (to {@code address}: a change not yet committed) as given
     * there instead of as stored, those the store does not have yet added at the end.
     */
    public List<Deposit> depositsTo(String address, Map<DepositId, Deposit> newer) {
        List<Deposit> out = new ArrayList<>();
        Set<DepositId> listed = new HashSet<>();
        byte[] prefix = KeyWriter.key().string(chain).string(address).build();
        for (var e : store.list(ChainTables.DEPOSITS_BY_ADDRESS, ChainTables.DEPOSITS_BY_ADDRESS.prefix(prefix), Integer.MAX_VALUE)) {
            DepositId id = e.getKey().id();
            listed.add(id);
            Deposit d = newer.get(id);
            if (d != null) {
                out.add(d);
            } else {
                store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, id)).ifPresent(out::add);
            }
        }
        for (Deposit d : newer.values()) {
            if (d.address().equals(address) && !listed.contains(d.id())) {
                out.add(d);
            }
        }
        return out;
    }

    /** Deposits not yet final, by state, and since when the oldest one not yet confirmed has waited (what operators watch). */
    public record Open(java.util.Map<DepositStatus, Integer> byState, Optional<Instant> oldestUnconfirmedSince) {
    }

    /** The open deposits of this chain (at most {@code limit} read): a bounded index, not the chain's history. */
    public Open open(int limit) {
        java.util.Map<DepositStatus, Integer> byState = new java.util.EnumMap<>(DepositStatus.class);
        Instant oldest = null;
        for (var e : store.list(ChainTables.OPEN_DEPOSITS, ChainTables.OPEN_DEPOSITS.prefix(chainPrefix), limit)) {
            Optional<Deposit> d = store.get(ChainTables.DEPOSITS, e.getKey());
            if (d.isEmpty()) {
                continue;
            }
            byState.merge(d.get().status(), 1, Integer::sum);
            if (!d.get().status().isConfirmed() && (oldest == null || d.get().firstSeen().isBefore(oldest))) {
                oldest = d.get().firstSeen();
            }
        }
        return new Open(byState, Optional.ofNullable(oldest));
    }

    /** Events after sequence {@code after}, in order. */
    public List<DepositEvent> events(long after, int limit) {
        List<DepositEvent> out = new ArrayList<>();
        for (var e : store.list(ChainTables.EVENTS, ChainTables.EVENTS.from(new ChainTables.ChainLong(chain, after + 1)), limit)) {
            if (!e.getKey().chain().equals(chain)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    /** Confirmed and pending incoming amounts of {@code account} over every asset (single-asset chains). */
    public Balance balance(int account) {
        return balance(account, null);
    }

    /**
     * Confirmed and pending incoming amounts of {@code asset} (null: every asset) for {@code account}, summed from the chain's
     * deposits one at a time: a pass over its history, for tests (a request reads the balances kept per account,
     * {@code LedgerBalances}).
     */
    public Balance balance(int account, String asset) {
        BigInteger[] sums = {BigInteger.ZERO, BigInteger.ZERO}; // confirmed, pending
        store.forEach(ChainTables.DEPOSITS.prefix(chainPrefix), ChainTables.DEPOSITS, (key, d) -> {
            if (d.account() != account || (asset != null && !asset.equals(d.asset()))) {
                return;
            }
            if (d.status().isConfirmed()) {
                sums[0] = sums[0].add(d.amount());
            } else if (d.status().isPending()) {
                sums[1] = sums[1].add(d.amount());
            }
        });
        return new Balance(sums[0], sums[1]);
    }
}
