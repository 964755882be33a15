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
    private final ZContext context;
    private final Map<String, Long> at = new ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentSkipListSet<Long> arrivals = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Connects and returns once the connection's handshake is done (a stalled one is retried on a fresh context). */
    ZmqAnnouncements(URI endpoint) {
        // A ZMQ handshake was seen to stall for good now and then (the node's listener retries the same way): the benchmark then
        // waited for announcements that never came.
        ZContext ctx = null;
        ZMQ.Socket connected = null;
        for (int attempt = 1; connected == null; attempt++) {
            ctx = new ZContext(1);
            ZMQ.Socket socket = ctx.createSocket(SocketType.SUB);
            socket.setReceiveTimeOut(200);
            String monitorAddress = "inproc://bench-zmq-monitor";
            socket.monitor(monitorAddress, ZMQ.EVENT_HANDSHAKE_PROTOCOL);
            ZMQ.Socket monitor = ctx.createSocket(SocketType.PAIR);
            monitor.setReceiveTimeOut(5_000);
            monitor.connect(monitorAddress);
            socket.subscribe("hashblock".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.subscribe("hashtx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.connect(endpoint.toString());
            ZMQ.Event handshake = ZMQ.Event.recv(monitor);
            if (handshake != null && handshake.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                connected = socket;
            } else if (attempt == 5) {
                ctx.close();
                throw new IllegalStateException("no ZMQ handshake with bitcoind at " + endpoint + " in 5 attempts of 5 s");
            } else {
                ctx.close();
            }
        }
        context = ctx;
        ZMQ.Socket socket = connected;
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
                    synchronized (this) {
                        notifyAll();
                    }
                }
            } catch (org.zeromq.ZMQException closed) {
                // the context was closed
            }
        });
    }

    /** The arrival of {@code hash}'s announcement (nanoTime), waiting up to {@code millis} for it. */
    long await(String hash, long millis) throws InterruptedException {
        return waitFor(() -> at.get(hash), millis, () -> "bitcoind announced no " + hash + " (" + arrivals.size() + " announcements received)");
    }

    /**
     * The first announcement of anything after {@code nanos}, waiting up to {@code millis}: for a block, bitcoind first
     * re-announces its transactions (hashtx) and only then the block (hashblock), and the node wakes at the first.
     */
    long firstAfter(long nanos, long millis) throws InterruptedException {
        return waitFor(() -> arrivals.ceiling(nanos), millis, () -> "bitcoind announced nothing (" + arrivals.size() + " announcements received before)");
    }

    /** Waits on the monitor the receiving thread notifies (arrivals are stamped as they come; a spin here took CPU from the node). */
    private synchronized long waitFor(java.util.function.Supplier<Long> arrival, long millis, java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            Long t = arrival.get();
            if (t != null) {
                return t;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(failure.get() + " within " + millis + " ms");
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        context.close();
    }
}
