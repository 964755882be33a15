package io.coffer.chain.bitcoin;

import io.coffer.core.chain.AnnouncedPool;
import java.util.ArrayList;
import java.util.List;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Listens to bitcoind's ZMQ {@code hashblock} and {@code hashtx} notifications and wakes the follower at
 * once, instead of at the next poll. The notification carries no state that the follower trusts: it only
 * says "look now"; the follower still reads everything over RPC, so a missed or duplicated notification
 * costs latency, never correctness. ZMQ reconnects by itself when bitcoind restarts.
 *
 * <p>A connection can be established at the TCP level and still never carry a message: the ZMTP handshake was seen to
 * stall (bitcoind sent its greeting, jeromq never answered), leaving the node deaf to pushes until the next poll. So the
 * socket is watched: without a completed handshake {@link #HANDSHAKE_TIMEOUT_MS} after connecting (or after a disconnect),
 * it is closed and made again, in a new ZMQ context. Each completed handshake also wakes the follower once, for what was
 * published before the subscription was live (ZMQ's "slow joiner").
 *
 * <p>The txid each {@code hashtx} carries goes to the source's {@link AnnouncedPool}, so a poll fetches the transactions
 * announced instead of listing the whole mempool: the pool counts as announced from each completed handshake until the next
 * disconnect, and a gap in {@code hashtx}'s sequence numbers (ZMQ drops messages past its high-water mark) makes the next
 * poll list the mempool whole.
 */
public final class BitcoinZmqListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BitcoinZmqListener.class.getName());
    static final long HANDSHAKE_TIMEOUT_MS = 3000;
    private static final AtomicInteger MONITORS = new AtomicInteger();
    private volatile ZContext context;
    private final String chain;
    private final URI endpoint;
    private final Runnable wake;
    private final Thread thread;
    private volatile boolean running = true;
    /** Where announced transactions go. */
    private final AnnouncedPool pool;
    /** The last {@code hashtx} sequence number received on this socket; -1 before the first. */
    private long lastTxSequence = -1;

    public BitcoinZmqListener(String chain, URI endpoint, Runnable wake, AnnouncedPool pool) {
        this.chain = chain;
        this.endpoint = endpoint;
        this.wake = wake;
        this.pool = pool;
        thread = new Thread(this::run, "coffer-zmq-" + chain);
        thread.setDaemon(true);
        thread.start();
        LOG.info("chain " + chain + ": listening to bitcoind notifications at " + endpoint);
    }

    private void run() {
        while (running && !Thread.currentThread().isInterrupted()) {
            // A fresh context (and so a fresh I/O thread) per attempt: a stalled handshake was seen to stay stalled for every
            // new socket of the same context.
            ZContext ctx = new ZContext(1);
            context = ctx;
            if (!running) {
                ctx.close();
                return;
            }
            String monitorAddress = "inproc://coffer-zmq-monitor-" + MONITORS.incrementAndGet();
            ZMQ.Socket socket;
            ZMQ.Socket monitor;
            try {
                socket = ctx.createSocket(SocketType.SUB);
                socket.setReceiveTimeOut(250);
                socket.monitor(monitorAddress, ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
                monitor = ctx.createSocket(SocketType.PAIR);
                monitor.connect(monitorAddress);
                socket.subscribe("hashblock".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.subscribe("hashtx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.connect(endpoint.toString());
            } catch (org.zeromq.ZMQException e) {
                return; // context closed
            }
            boolean failed = false;
            try {
                listen(socket, monitor);
            } catch (org.zeromq.ZMQException e) {
                return; // context closed
            } catch (RuntimeException e) {
                // jeromq was seen to throw a NullPointerException from a recv under way when close() ended its context.
                if (!running) {
                    return;
                }
                LOG.warning("chain " + chain + ": ZMQ listener at " + endpoint + " failed (" + e + "); connecting again in 1 s");
                failed = true;
            } finally {
                announcing(false);
                ctx.close();
            }
            if (failed) {
                try {
                    Thread.sleep(1_000); // not a spin of new contexts if it keeps failing
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Receives until closed, or until the handshake is overdue (then returns, and the caller makes a new socket). */
    private void listen(ZMQ.Socket socket, ZMQ.Socket monitor) {
        boolean live = false;
        long deadline = System.currentTimeMillis() + HANDSHAKE_TIMEOUT_MS;
        while (running && !Thread.currentThread().isInterrupted()) {
            ZMQ.Event event;
            while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
                if (event.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                    live = true;
                    announcing(true);
                    wake.run(); // anything published before the subscription was live
                } else if (event.getEvent() == ZMQ.EVENT_DISCONNECTED) {
                    live = false;
                    announcing(false);
                    deadline = System.currentTimeMillis() + HANDSHAKE_TIMEOUT_MS;
                }
            }
            if (!live && System.currentTimeMillis() > deadline) {
                LOG.info("chain " + chain + ": no ZMQ handshake with bitcoind at " + endpoint + " within " + HANDSHAKE_TIMEOUT_MS
                        + " ms; connecting again");
                return;
            }
            byte[] topic = socket.recv();
            if (topic == null) {
                continue;
            }
            live = true;
            List<byte[]> rest = new ArrayList<>(2);
            while (socket.hasReceiveMore()) {
                rest.add(socket.recv()); // the body (a hash), then the topic's sequence number
            }
            if ("hashtx".equals(new String(topic, java.nio.charset.StandardCharsets.US_ASCII)) && rest.size() == 2
                    && rest.get(0).length == 32 && rest.get(1).length == 4) {
                long sequence = java.nio.ByteBuffer.wrap(rest.get(1)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
                if (lastTxSequence >= 0 && sequence != ((lastTxSequence + 1) & 0xFFFFFFFFL)) {
                    pool.missed(); // dropped on the way: the next poll lists the mempool whole
                }
                lastTxSequence = sequence;
                pool.announced(java.util.HexFormat.of().formatHex(rest.get(0))); // bitcoind sends it as RPC shows it
            }
            wake.run();
        }
    }

    /** The pool's announcements start at a handshake and stop at a disconnect; the sequence starts anew with each socket. */
    private void announcing(boolean on) {
        lastTxSequence = -1;
        if (on) {
            pool.subscribed();
        } else if (pool.live()) {
            pool.lost();
        }
    }

    @Override
    public void close() {
        running = false;
        pool.lost();
        ZContext ctx = context;
        if (ctx != null) {
            ctx.close();
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
