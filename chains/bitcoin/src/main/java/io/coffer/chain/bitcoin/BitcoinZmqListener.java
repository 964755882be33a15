package io.coffer.chain.bitcoin;

import java.net.URI;
import java.util.logging.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Listens to bitcoind's ZMQ {@code hashblock} and {@code hashtx} notifications and wakes the follower at
 * once, instead of at the next poll. The notification carries no state that the follower trusts: it only
 * says "look now"; the follower still reads everything over RPC, so a missed or duplicated notification
 * costs latency, never correctness. ZMQ reconnects by itself when bitcoind restarts.
 */
public final class BitcoinZmqListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BitcoinZmqListener.class.getName());
    private final ZContext context = new ZContext(1);
    private final Thread thread;
    private volatile boolean running = true;

    public BitcoinZmqListener(String chain, URI endpoint, Runnable wake) {
        ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        socket.setReceiveTimeOut(500);
        socket.subscribe("hashblock".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.subscribe("hashtx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.connect(endpoint.toString());
        thread = new Thread(() -> {
            while (running && !Thread.currentThread().isInterrupted()) {
                byte[] topic;
                try {
                    topic = socket.recv();
                } catch (org.zeromq.ZMQException e) {
                    break; // context closed
                }
                if (topic == null) {
                    continue;
                }
                while (socket.hasReceiveMore()) {
                    socket.recv(); // body and sequence number: not needed, the follower reads over RPC
                }
                wake.run();
            }
        }, "coffer-zmq-" + chain);
        thread.setDaemon(true);
        thread.start();
        LOG.info("chain " + chain + ": listening to bitcoind notifications at " + endpoint);
    }

    @Override
    public void close() {
        running = false;
        context.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
