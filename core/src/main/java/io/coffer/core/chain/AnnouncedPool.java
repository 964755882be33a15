package io.coffer.core.chain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pending transactions that pay the wallet, kept from what the chain node announces instead of its pool read whole at
 * every poll; one bookkeeping for every chain, each chain's source saying how to read its node ({@link Reads}).
 *
 * <p>Reading the node's whole pool costs what the pool holds, not what pays the wallet: a busy chain's pool holds thousands
 * of transactions (bitcoind's mempool tens of thousands of ids at every poll, each wake; an EVM node's {@code txpool_content}
 * megabytes of JSON), and anvil took 347 ms to answer with 2,840. Where the node announces each transaction entering its
 * pool (bitcoind's ZMQ {@code hashtx}, an EVM node's {@code newPendingTransactions}), a poll fetches only the transactions
 * announced since the last one and asks whether those already found paying the wallet are still pending, to drop the mined
 * and the gone (those announced again at once, all of them every {@link #LOOK_AGAIN_NANOS}). The pool is read whole once each time the announcements start (what entered before was announced to
 * nobody), after announcements were lost (an outage, a gap in their sequence, an overflow of {@link #MAX_QUEUED}, a failed
 * fetch), and at every poll while there are none — what the followers did before.
 *
 * <p>A transaction is matched against the watched addresses when first fetched: one paying an address watched only after
 * that is found once mined, as any deposit is. Announcements come from the listener's thread, polls from the follower's.
 */
public final class AnnouncedPool {
    /** Announcements kept between two polls at most; past it they are dropped and the next poll reads the pool whole. */
    public static final int MAX_QUEUED = 100_000;
    /** Transactions asked about in one call at most. */
    public static final int BATCH = 256;
    /**
     * How often the transactions found paying the wallet are all asked about again (to drop the mined and the gone); in
     * between only those announced again are (bitcoind announces a transaction again when a block holds it). A found one kept
     * a little after it left does no harm: the follower takes a block's word over the pool's, and a deposit in a block is not
     * moved by what the pool says.
     */
    public static final long LOOK_AGAIN_NANOS = 1_000_000_000L;

    private final java.util.function.LongSupplier nanos;
    /** When the found ones were all asked about last (nanos). */
    private long lookedAt;
    private boolean looked;

    public AnnouncedPool() {
        this(System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds (tests give their own) */
    public AnnouncedPool(java.util.function.LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** How a chain's source reads its node's pool. */
    public interface Reads {
        /** The payments to watched addresses of every transaction pending now, by id; null when the node cannot list its pool. */
        Map<String, List<Payment>> whole();

        /**
         * For each of {@code ids}, in order, in one round trip where the node allows: the transaction's payments to watched
         * addresses when it is pending now (empty when it pays none), null when it is not (mined, gone, or unknown).
         */
        List<List<Payment>> fetch(List<String> ids);

        /** For each of {@code ids}, in order: whether the node still holds it pending. */
        List<Boolean> stillPending(List<String> ids);
    }

    private final ConcurrentLinkedQueue<String> announced = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Moves whenever announcements start, stop or were missed: the pool must then be read whole. */
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean live;

    // The follower's side (under this monitor).
    /** The epoch whose start the last whole read covered; -1 when none does. */
    private long seeded = -1;
    /** Pending transactions paying watched addresses, by id, with what each pays. */
    private final Map<String, List<Payment>> paying = new LinkedHashMap<>();
    private long wholeReads;

    /** The node's announcements start: the next poll reads what came before them whole. */
    public void subscribed() {
        live = true;
        epoch.incrementAndGet();
    }

    /** The announcements stopped (connection lost, listener closed): polls read the pool whole until they are back. */
    public void lost() {
        live = false;
        epoch.incrementAndGet();
    }

    /** Some announcements were missed (a gap in their sequence): the next poll reads the pool whole, then goes on from them. */
    public void missed() {
        epoch.incrementAndGet();
    }

    /** Whether announcements are being received. */
    public boolean live() {
        return live;
    }

    /** The node announced a transaction entering its pool (or one it mined: asked about, then passed over). */
    public void announced(String id) {
        if (!live) {
            return;
        }
        if (queued.incrementAndGet() > MAX_QUEUED) {
            // Nobody polled for a long time (the follower stalled, or a flood): drop them all and read the pool whole instead.
            announced.clear();
            queued.set(0);
            epoch.incrementAndGet();
            return;
        }
        announced.add(id);
    }

    /** How many times the pool was read whole. */
    public synchronized long wholeReads() {
        return wholeReads;
    }

    /** The pending payments to the wallet now. */
    public synchronized List<Payment> pending(Reads reads) {
        long at = epoch.get();
        boolean announcing = live;
        try {
            if (!announcing || at != seeded) {
                seeded = -1;
                drain(); // covered by the whole read below (announced before it, so in the pool it lists, or already gone)
                paying.clear();
                Map<String, List<Payment>> all = reads.whole();
                wholeReads++;
                if (all != null) {
                    all.forEach(this::keep);
                }
                seeded = announcing ? at : -1;
            } else {
                Set<String> fresh = drain();
                long now = nanos.getAsLong();
                List<String> known = new ArrayList<>();
                if (!looked || now - lookedAt >= LOOK_AGAIN_NANOS) {
                    known.addAll(paying.keySet());
                    looked = true;
                    lookedAt = now;
                } else {
                    paying.keySet().stream().filter(fresh::contains).forEach(known::add); // announced again: mined, most likely
                }
                fresh.removeAll(paying.keySet());
                List<Boolean> still = inBatches(known, reads::stillPending);
                for (int i = 0; i < known.size(); i++) {
                    if (!still.get(i)) {
                        paying.remove(known.get(i)); // mined (its block says the rest) or gone from the pool
                    }
                }
                List<String> asked = new ArrayList<>(fresh);
                List<List<Payment>> found = inBatches(asked, reads::fetch);
                for (int i = 0; i < asked.size(); i++) {
                    if (found.get(i) != null) {
                        keep(asked.get(i), found.get(i));
                    }
                }
            }
        } catch (RuntimeException e) {
            seeded = -1; // announcements taken and not looked at: the next poll reads the pool whole
            throw e;
        }
        List<Payment> out = new ArrayList<>();
        paying.values().forEach(out::addAll);
        return out;
    }

    private static <T> List<T> inBatches(List<String> ids, java.util.function.Function<List<String>, List<T>> ask) {
        List<T> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i += BATCH) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + BATCH));
            List<T> answers = ask.apply(part);
            if (answers.size() != part.size()) {
                throw new IllegalStateException("asked about " + part.size() + " transactions, told about " + answers.size());
            }
            out.addAll(answers);
        }
        return out;
    }

    private void keep(String id, List<Payment> pays) {
        if (!pays.isEmpty()) {
            paying.put(id, List.copyOf(pays));
        }
    }

    private Set<String> drain() {
        Set<String> out = new LinkedHashSet<>();
        for (String id; (id = announced.poll()) != null; ) {
            queued.decrementAndGet();
            out.add(id);
        }
        return out;
    }
}
