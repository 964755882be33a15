package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The announced pool's bookkeeping against a scripted node (pure logic; the real nodes' paths are EvmPendingPoolIT and
 * BitcoinPendingPoolIT): whole reads only when announcements start or were lost, otherwise only the announced transactions
 * fetched and the ones found asked about.
 */
class AnnouncedPoolTest {
    /** A node's pool: pending transactions by id (true: pays the wallet), and what was asked of it. */
    private static final class Node implements AnnouncedPool.Reads {
        final Map<String, Boolean> pool = new LinkedHashMap<>();
        final List<List<String>> fetches = new ArrayList<>();
        final List<List<String>> looks = new ArrayList<>();
        int wholeReads;
        boolean failFetch;

        private static List<Payment> pays(String id, boolean paysUs) {
            return paysUs ? List.of(new Payment(id, 0, "ours", "fake/COIN", BigInteger.ONE, List.of())) : List.of();
        }

        @Override
        public Map<String, List<Payment>> whole() {
            wholeReads++;
            Map<String, List<Payment>> out = new LinkedHashMap<>();
            pool.forEach((id, p) -> out.put(id, pays(id, p)));
            return out;
        }

        @Override
        public List<List<Payment>> fetch(List<String> ids) {
            if (failFetch) {
                throw new ChainUnavailableException("fake", "scripted failure", null);
            }
            fetches.add(List.copyOf(ids));
            List<List<Payment>> out = new ArrayList<>();
            ids.forEach(id -> out.add(pool.containsKey(id) ? pays(id, pool.get(id)) : null));
            return out;
        }

        @Override
        public List<Boolean> stillPending(List<String> ids) {
            looks.add(List.copyOf(ids));
            return ids.stream().map(pool::containsKey).toList();
        }

        List<String> poll(AnnouncedPool p) {
            return p.pending(this).stream().map(Payment::txid).toList();
        }
    }

    @Test
    void withoutAnnouncementsEveryPollReadsThePoolWhole() {
        Node node = new Node();
        AnnouncedPool pool = new AnnouncedPool();
        node.pool.put("a", true);
        node.pool.put("b", false);
        assertEquals(List.of("a"), node.poll(pool));
        node.pool.put("c", true);
        assertEquals(List.of("a", "c"), node.poll(pool));
        assertEquals(2, node.wholeReads);
        pool.announced("ignored"); // not subscribed: nothing is kept
        assertEquals(List.of("a", "c"), node.poll(pool));
        assertTrue(node.fetches.isEmpty() && node.looks.isEmpty());
        assertEquals(3, pool.wholeReads());
    }

    @Test
    void announcedTransactionsAreFetchedAndTheFoundOnesAskedAboutUntilMinedOrGone() {
        Node node = new Node();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        AnnouncedPool pool = new AnnouncedPool(clock::get);
        node.pool.put("before", true);
        pool.subscribed();
        pool.announced("early"); // announced before the first poll: covered by its whole read
        node.pool.put("early", false);
        assertEquals(List.of("before"), node.poll(pool), "the first poll reads what entered before the subscription");
        assertEquals(1, node.wholeReads);
        assertTrue(node.fetches.isEmpty());

        for (String id : List.of("x1", "x2", "x3")) {
            node.pool.put(id, false);
            pool.announced(id);
        }
        node.pool.put("ours", true);
        pool.announced("ours");
        pool.announced("ours"); // twice (bitcoind announces a transaction again when it is mined): asked about once
        pool.announced("unknown"); // announced and gone before the poll
        assertEquals(List.of("before", "ours"), node.poll(pool));
        assertEquals(List.of(List.of("x1", "x2", "x3", "ours", "unknown")), node.fetches, "the announced fetched in one batch");
        assertEquals(List.of(List.of("before")), node.looks, "the found one asked about");

        node.fetches.clear();
        node.looks.clear();
        assertEquals(List.of("before", "ours"), node.poll(pool));
        assertTrue(node.fetches.isEmpty() && node.looks.isEmpty(), "nothing announced within the second: nothing asked");
        clock.addAndGet(AnnouncedPool.LOOK_AGAIN_NANOS);
        assertEquals(List.of("before", "ours"), node.poll(pool), "a second later: the found ones are asked about");
        assertTrue(node.fetches.isEmpty());
        assertEquals(List.of(List.of("before", "ours")), node.looks);

        node.looks.clear();
        node.pool.remove("before"); // mined: bitcoind announces it again
        pool.announced("before");
        assertEquals(List.of("ours"), node.poll(pool), "announced again: asked about at once");
        assertEquals(List.of(List.of("before")), node.looks);
        assertTrue(node.fetches.isEmpty(), "a found one announced again is asked about, not fetched");

        node.pool.remove("ours"); // dropped (replaced, evicted): nobody says so
        assertEquals(List.of("ours"), node.poll(pool), "kept until the next look");
        clock.addAndGet(AnnouncedPool.LOOK_AGAIN_NANOS);
        assertEquals(List.of(), node.poll(pool));
        node.looks.clear();
        clock.addAndGet(AnnouncedPool.LOOK_AGAIN_NANOS);
        assertEquals(List.of(), node.poll(pool));
        assertTrue(node.looks.isEmpty(), "nothing found, nothing announced: nothing asked");
        assertEquals(1, node.wholeReads, "the pool was read whole once");
    }

    @Test
    void lostOrMissedAnnouncementsAnOverflowOrAFailedFetchMakeTheNextPollReadThePoolWhole() {
        Node node = new Node();
        AnnouncedPool pool = new AnnouncedPool();
        pool.subscribed();
        node.poll(pool);
        assertEquals(1, node.wholeReads);

        pool.lost();
        node.pool.put("meanwhile", true);
        assertEquals(List.of("meanwhile"), node.poll(pool));
        assertEquals(List.of("meanwhile"), node.poll(pool));
        assertEquals(3, node.wholeReads, "no announcements: whole reads");
        pool.subscribed();
        node.poll(pool);
        node.poll(pool);
        assertEquals(4, node.wholeReads, "announcements again: one whole read, then fetches");

        pool.missed(); // a gap in the announcements' sequence
        node.pool.put("unannounced", true);
        assertEquals(List.of("meanwhile", "unannounced"), node.poll(pool));
        assertEquals(5, node.wholeReads);

        for (int i = 0; i <= AnnouncedPool.MAX_QUEUED; i++) {
            pool.announced("flood" + i);
        }
        node.pool.put("ours", true);
        assertEquals(List.of("meanwhile", "unannounced", "ours"), node.poll(pool));
        assertEquals(6, node.wholeReads, "announcements dropped past the bound: read whole");

        node.pool.put("late", true);
        pool.announced("late");
        node.failFetch = true;
        assertThrows(ChainUnavailableException.class, () -> node.poll(pool));
        node.failFetch = false;
        assertEquals(List.of("meanwhile", "unannounced", "ours", "late"), node.poll(pool),
                "the announcement taken by the failed poll is not lost");
        assertEquals(7, node.wholeReads);
    }

    @Test
    void manyAnnouncementsAreFetchedInBoundedBatches() {
        Node node = new Node();
        AnnouncedPool pool = new AnnouncedPool();
        pool.subscribed();
        node.poll(pool);
        for (int i = 0; i < 600; i++) {
            node.pool.put("t" + i, i % 100 == 0);
            pool.announced("t" + i);
        }
        assertEquals(6, node.poll(pool).size());
        assertEquals(List.of(256, 256, 88), node.fetches.stream().map(List::size).toList());
    }
}
