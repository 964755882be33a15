package io.coffer.bench;

import java.net.URI;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * When bitcoind announced each transaction and block on ZMQ, as a subscriber beside the node receives it: the start of the
 * detection-latency goal ("after bitcoind's ZMQ announcement").
 */
final class ZmqAnnouncements implements AutoCloseable {
    private final ZContext context = new ZContext(1);
    private final Map<String, Long> at = new ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentSkipListSet<Long> arrivals = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    ZmqAnnouncements(URI endpoint) {
        ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        socket.setReceiveTimeOut(200);
        socket.subscribe("hashblock".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.subscribe("hashtx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.connect(endpoint.toString());
        thread = Thread.ofPlatform().daemon().name("bench-zmq").start(() -> {
            try {
                while (running) {
                    byte[] topic = socket.recv();
                    if (topic == null) {
                        continue;
                    }
                    long now = System.nanoTime();
                    byte[] body = socket.hasReceiveMore() ? socket.recv() : new byte[0];
                    while (socket.hasReceiveMore()) {
                        socket.recv(); // the sequence number
                    }
                    // bitcoind sends the hash in the byte order RPC prints it in.
                    at.putIfAbsent(HexFormat.of().formatHex(body), now);
                    arrivals.add(now);
                }
            } catch (org.zeromq.ZMQException closed) {
                // the context was closed
            }
        });
    }

    /** The arrival of {@code hash}'s announcement (nanoTime), waiting up to {@code millis} for it. */
    long await(String hash, long millis) throws InterruptedException {
        return waitFor(() -> at.get(hash), millis, "bitcoind announced no " + hash);
    }

    /**
     * The first announcement of anything after {@code nanos}, waiting up to {@code millis}: for a block, bitcoind first
     * re-announces its transactions (hashtx) and only then the block (hashblock), and the node wakes at the first.
     */
    long firstAfter(long nanos, long millis) throws InterruptedException {
        return waitFor(() -> arrivals.ceiling(nanos), millis, "bitcoind announced nothing");
    }

    private static long waitFor(java.util.function.Supplier<Long> arrival, long millis, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Long t = arrival.get();
            if (t != null) {
                return t;
            }
            Thread.sleep(0, 100_000);
        }
        throw new IllegalStateException(failure + " within " + millis + " ms");
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        context.close();
    }
}
