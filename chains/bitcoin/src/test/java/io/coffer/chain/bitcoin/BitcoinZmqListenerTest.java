package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.AnnouncedPool;
import io.coffer.core.chain.Payment;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZMQ listener against a publisher of bitcoind's message shapes (a real ZMQ PUB socket, scripted; bitcoind's own path is
 * BitcoinPendingPoolIT): each {@code hashtx} wakes the follower and hands its txid to the pool as RPC spells it, and a gap in
 * the sequence numbers makes the next poll list the mempool whole.
 */
class BitcoinZmqListenerTest {
    private static final String TXID = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static void hashtx(ZMQ.Socket pub, String txid, int sequence) {
        pub.sendMore("hashtx");
        pub.sendMore(HexFormat.of().parseHex(txid));
        pub.send(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(sequence).array());
    }

    /** A node whose pool holds nothing: records what the pool asks it. */
    private static final class Asked implements AnnouncedPool.Reads {
        final List<String> fetched = new CopyOnWriteArrayList<>();
        final AtomicInteger wholes = new AtomicInteger();

        @Override
        public Map<String, List<Payment>> whole() {
            wholes.incrementAndGet();
            return Map.of();
        }

        @Override
        public List<List<Payment>> fetch(List<String> ids) {
            fetched.addAll(ids);
            List<List<Payment>> none = new ArrayList<>();
            ids.forEach(id -> none.add(null));
            return none;
        }

        @Override
        public List<Boolean> stillPending(List<String> ids) {
            return ids.stream().map(id -> false).toList();
        }
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), what);
            Thread.sleep(20);
        }
    }

    @Test
    void hashtxHandsItsTxidToThePoolAndAGapInTheSequenceListsTheMempoolWhole() throws Exception {
        AnnouncedPool pool = new AnnouncedPool();
        Asked node = new Asked();
        AtomicInteger wakes = new AtomicInteger();
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket pub = ctx.createSocket(SocketType.PUB);
            int port = pub.bindToRandomPort("tcp://127.0.0.1");
            try (BitcoinZmqListener listener = new BitcoinZmqListener("bitcoin", URI.create("tcp://127.0.0.1:" + port), wakes::incrementAndGet,
                    pool)) {
                await(pool::live, "the handshake makes the pool live");
                pool.pending(node); // the whole read that starts the announcements
                assertEquals(1, node.wholes.get());
                // A subscriber misses what is published before its subscription reaches the publisher: publish until one lands.
                int sequence = 0;
                while (node.fetched.isEmpty()) {
                    hashtx(pub, TXID, sequence++);
                    Thread.sleep(20);
                    pool.pending(node);
                    assertTrue(sequence < 1_500, "an announcement reaches the pool");
                }
                assertEquals(TXID, node.fetched.get(0), "the txid as RPC spells it");
                assertTrue(wakes.get() >= 1, "an announcement wakes the follower");
                int wholes = node.wholes.get();
                assertEquals(1, wholes, "announcements in sequence: no whole read");

                hashtx(pub, TXID, sequence + 5); // four lost on the way
                await(() -> {
                    pool.pending(node);
                    return node.wholes.get() > wholes;
                }, "a gap in the sequence: the mempool listed whole");
            }
            assertTrue(!pool.live(), "closed: not announcing");
        }
    }
}
