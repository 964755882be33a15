package io.coffer.chain.evm;

import io.coffer.core.chain.Payment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pending transactions that pay the wallet, kept from what the node announces instead of read whole at every poll.
 *
 * <p>Reading the node's whole pool ({@code txpool_content}) costs what the pool holds, not what pays the wallet: a busy public
 * chain's pool holds thousands of transactions (megabytes of JSON for the node to write and the follower to parse, at every
 * poll), and anvil took 170 ms to answer with 1,269 of them. With a WebSocket endpoint the node announces each transaction
 * entering its pool ({@code eth_subscribe ["newPendingTransactions"]}, through {@link EvmHeadsListener}); a poll then fetches
 * only the transactions announced since the last (one batched {@code eth_getTransactionByHash}) and looks again at those
 * already found paying the wallet, to drop the mined and the gone. The whole pool is read once each time the announcements
 * start (a subscription accepted: what entered before it was announced to nobody), after announcements were lost (an outage,
 * an overflow of {@link #MAX_QUEUED}, a failed fetch), and at every poll while there are none (no endpoint, or a node that
 * refuses the subscription) — what the follower did before.
 *
 * <p>What a poll finds is matched against the watched addresses when the transaction is first fetched: one paying an address
 * watched only after that is found once mined, as any deposit is. Announcements come from the listener's thread, polls from
 * the follower's.
 */
final class EvmPendingPool {
    /** Announcements kept between two polls at most; past it they are dropped and the next poll reads the pool whole. */
    static final int MAX_QUEUED = 100_000;
    /** Transactions fetched in one batch at most. */
    static final int BATCH = 256;

    private final ConcurrentLinkedQueue<String> announced = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Moves whenever announcements start, stop or were dropped: the pool must then be read whole. */
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean live;

    // The follower's side (under this monitor).
    /** The epoch whose start the last whole read covered; -1 when none does. */
    private long seeded = -1;
    /** Pending transactions paying watched addresses, by hash, with what each pays. */
    private final Map<String, List<Payment>> paying = new LinkedHashMap<>();
    private long wholeReads;

    /** The node accepted the subscription: announcements from now on; what came before is read whole at the next poll. */
    void subscribed() {
        live = true;
        epoch.incrementAndGet();
    }

    /** The subscription is gone (connection lost, listener closed): polls read the pool whole until it is back. */
    void lost() {
        live = false;
        epoch.incrementAndGet();
    }

    /** Whether announcements are being received. */
    boolean live() {
        return live;
    }

    /** The node announced a transaction entering its pool. */
    void announced(String hash) {
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
        announced.add(hash);
    }

    /** How many times the pool was read whole (for tests). */
    synchronized long wholeReads() {
        return wholeReads;
    }

    /**
     * The pending payments to the wallet now.
     *
     * @param whole  every transaction of the node's pending pool (the node's JSON objects), or null when the node cannot list it
     * @param byHash the transactions of these hashes, in their order, as the node's JSON objects (null for one it does not know),
     *               in one round trip
     * @param pays   what one pending transaction pays to watched addresses (empty for most)
     */
    synchronized List<Payment> pending(Supplier<List<Map<String, Object>>> whole,
            Function<List<String>, List<Map<String, Object>>> byHash, Function<Map<String, Object>, List<Payment>> pays) {
        long at = epoch.get();
        boolean announcing = live;
        try {
            if (!announcing || at != seeded) {
                seeded = -1;
                drain(); // covered by the whole read below (announced before it, so in the pool it lists, or already gone)
                paying.clear();
                List<Map<String, Object>> all = whole.get();
                wholeReads++;
                if (all != null) {
                    for (Map<String, Object> tx : all) {
                        keep(tx, pays);
                    }
                }
                seeded = announcing ? at : -1;
            } else {
                Set<String> fresh = drain();
                fresh.removeAll(paying.keySet());
                List<String> known = new ArrayList<>(paying.keySet());
                List<String> ask = new ArrayList<>(known);
                ask.addAll(fresh);
                List<Map<String, Object>> txs = new ArrayList<>(ask.size());
                for (int i = 0; i < ask.size(); i += BATCH) {
                    txs.addAll(byHash.apply(ask.subList(i, Math.min(ask.size(), i + BATCH))));
                }
                for (int i = 0; i < known.size(); i++) {
                    if (!pending(txs.get(i))) {
                        paying.remove(known.get(i)); // mined (the block says the rest) or gone from the pool
                    }
                }
                for (int i = known.size(); i < ask.size(); i++) {
                    if (pending(txs.get(i))) {
                        keep(txs.get(i), pays);
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

    private void keep(Map<String, Object> tx, Function<Map<String, Object>, List<Payment>> pays) {
        List<Payment> p = pays.apply(tx);
        if (!p.isEmpty()) {
            paying.put((String) tx.get("hash"), List.copyOf(p));
        }
    }

    /** A transaction the node knows and has not mined (a pending one's {@code blockNumber} is null). */
    private static boolean pending(Map<String, Object> tx) {
        return tx != null && tx.get("blockNumber") == null;
    }

    private Set<String> drain() {
        Set<String> out = new LinkedHashSet<>();
        for (String h; (h = announced.poll()) != null; ) {
            queued.decrementAndGet();
            out.add(h);
        }
        return out;
    }
}
