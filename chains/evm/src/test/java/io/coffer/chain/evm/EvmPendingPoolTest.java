package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.Payment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pending pool's bookkeeping against a scripted node (pure logic; the real node's path is {@link EvmPendingPoolIT}): whole
 * reads only when announcements start or were lost, otherwise only the announced and the already found transactions fetched.
 */
class EvmPendingPoolTest {
    /** A node's pool: transactions by hash (a mined one has a block number), and what was asked of it. */
    private static final class Node {
        final Map<String, Map<String, Object>> pool = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> mined = new HashMap<>();
        final List<List<String>> fetches = new ArrayList<>();
        int wholeReads;
        boolean failFetch;

        void add(String hash, boolean paysUs) {
            Map<String, Object> tx = new HashMap<>();
            tx.put("hash", hash);
            tx.put("paysUs", paysUs);
            tx.put("blockNumber", null);
            pool.put(hash, tx);
        }

        void mine(String hash) {
            Map<String, Object> tx = new HashMap<>(pool.remove(hash));
            tx.put("blockNumber", "0x10");
            mined.put(hash, tx);
        }

        List<Map<String, Object>> whole() {
            wholeReads++;
            return new ArrayList<>(pool.values());
        }

        List<Map<String, Object>> byHash(List<String> hashes) {
            if (failFetch) {
                throw new EvmRpcException("ethereum", "eth_getTransactionByHash", -32000, "scripted failure");
            }
            fetches.add(List.copyOf(hashes));
            List<Map<String, Object>> out = new ArrayList<>();
            for (String h : hashes) {
                out.add(pool.containsKey(h) ? pool.get(h) : mined.get(h));
            }
            return out;
        }

        List<String> poll(EvmPendingPool p) {
            return p.pending(this::whole, this::byHash, tx -> Boolean.TRUE.equals(tx.get("paysUs"))
                    ? List.of(new Payment((String) tx.get("hash"), 0, "0xours", "ethereum/ETH", BigInteger.ONE, List.of())) : List.of())
                    .stream().map(Payment::txid).toList();
        }
    }

    @Test
    void withoutAnnouncementsEveryPollReadsThePoolWhole() {
        Node node = new Node();
        EvmPendingPool pool = new EvmPendingPool();
        node.add("a", true);
        node.add("b", false);
        assertEquals(List.of("a"), node.poll(pool));
        node.add("c", true);
        assertEquals(List.of("a", "c"), node.poll(pool));
        assertEquals(2, node.wholeReads);
        pool.announced("ignored"); // not subscribed: nothing is kept
        assertEquals(List.of("a", "c"), node.poll(pool));
        assertTrue(node.fetches.isEmpty());
    }

    @Test
    void announcedTransactionsAreFetchedAndTheFoundOnesLookedAtAgainUntilMinedOrGone() {
        Node node = new Node();
        EvmPendingPool pool = new EvmPendingPool();
        node.add("before", true);
        pool.subscribed();
        pool.announced("early"); // announced before the first poll: covered by its whole read
        node.add("early", false);
        assertEquals(List.of("before"), node.poll(pool), "the first poll reads what entered before the subscription");
        assertEquals(1, node.wholeReads);
        assertTrue(node.fetches.isEmpty());

        for (String h : List.of("x1", "x2", "x3")) {
            node.add(h, false);
            pool.announced(h);
        }
        node.add("ours", true);
        pool.announced("ours");
        pool.announced("unknown"); // announced and gone before the poll
        assertEquals(List.of("before", "ours"), node.poll(pool));
        assertEquals(List.of(List.of("before", "x1", "x2", "x3", "ours", "unknown")), node.fetches,
                "the found one looked at again, the announced fetched, in one batch");

        node.fetches.clear();
        assertEquals(List.of("before", "ours"), node.poll(pool), "nothing announced: only the found ones are looked at");
        assertEquals(List.of(List.of("before", "ours")), node.fetches);

        node.mine("before");
        node.pool.remove("ours"); // dropped (replaced, evicted)
        node.fetches.clear();
        assertEquals(List.of(), node.poll(pool));
        node.fetches.clear();
        assertEquals(List.of(), node.poll(pool));
        assertTrue(node.fetches.isEmpty(), "nothing found, nothing announced: nothing asked");
        assertEquals(1, node.wholeReads, "the pool was read whole once");
    }

    @Test
    void aLostSubscriptionAnOverflowOrAFailedFetchMakesTheNextPollReadThePoolWhole() {
        Node node = new Node();
        EvmPendingPool pool = new EvmPendingPool();
        pool.subscribed();
        node.poll(pool);
        assertEquals(1, node.wholeReads);

        pool.lost();
        node.add("meanwhile", true);
        assertEquals(List.of("meanwhile"), node.poll(pool));
        assertEquals(List.of("meanwhile"), node.poll(pool));
        assertEquals(3, node.wholeReads, "no announcements: whole reads");
        pool.subscribed();
        node.poll(pool);
        node.poll(pool);
        assertEquals(4, node.wholeReads, "announcements again: one whole read, then fetches");

        for (int i = 0; i <= EvmPendingPool.MAX_QUEUED; i++) {
            pool.announced("flood" + i);
        }
        node.add("ours", true);
        assertEquals(List.of("meanwhile", "ours"), node.poll(pool));
        assertEquals(5, node.wholeReads, "announcements dropped past the bound: read whole");

        node.add("late", true);
        pool.announced("late");
        node.failFetch = true;
        assertThrows(EvmRpcException.class, () -> node.poll(pool));
        node.failFetch = false;
        assertEquals(List.of("meanwhile", "ours", "late"), node.poll(pool), "the announcement taken by the failed poll is not lost");
        assertEquals(6, node.wholeReads);
    }

    @Test
    void manyAnnouncementsAreFetchedInBoundedBatches() {
        Node node = new Node();
        EvmPendingPool pool = new EvmPendingPool();
        pool.subscribed();
        node.poll(pool);
        for (int i = 0; i < 600; i++) {
            node.add("t" + i, i % 100 == 0);
            pool.announced("t" + i);
        }
        assertEquals(6, node.poll(pool).size());
        assertEquals(List.of(256, 256, 88), node.fetches.stream().map(List::size).toList());
    }
}
