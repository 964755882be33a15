package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * What the new-heads listener does when a node refuses the subscription, against a scripted WebSocket endpoint (a real
 * anvil accepts every subscription; its accepted path is {@link EvmHeadsListenerIT}): the refusal is reported once and wakes
 * nobody, the listener subscribes again later, and the subscription then accepted wakes the follower once, and each head
 * after it once.
 */
class EvmHeadsListenerTest {
    private static final String REFUSAL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"subscriptions disabled\"}}";
    private static final String ACCEPTED = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x9cef478923ff08bf67fde6c64013158d\"}";
    private static final String HEAD = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":"
            + "\"0x9cef478923ff08bf67fde6c64013158d\",\"result\":{\"number\":\"0x1b4\"}}}";

    @Test
    void aRefusedSubscriptionIsReportedOnceWakesNobodyAndIsMadeAgain() throws Exception {
        List<LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(EvmHeadsListener.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        AtomicInteger wakes = new AtomicInteger();
        try (ScriptedNode node = new ScriptedNode(List.of(REFUSAL, REFUSAL, ACCEPTED));
                EvmHeadsListener listener = new EvmHeadsListener("ethereum", node.uri(), wakes::incrementAndGet)) {
            // Two refusals, then an acceptance: the listener came back after each (1 s, then 2 s).
            assertEquals("eth_subscribe", node.awaitRequest().path("method").asText());
            assertEquals("eth_subscribe", node.awaitRequest().path("method").asText());
            assertEquals(0, wakes.get(), "a refused subscription wakes nobody");
            assertEquals("eth_subscribe", node.awaitRequest().path("method").asText());
            EvmHeadsListenerIT.awaitWakes(wakes, n -> n >= 1, "the accepted subscription wakes once, for the heads missed meanwhile");
            node.push(HEAD);
            EvmHeadsListenerIT.awaitWakes(wakes, n -> n >= 2, "a head wakes");
            assertEquals(2, wakes.get());
            assertEquals(1, warnings.size(), "one warning for the outage, not one per attempt: " + warnings.stream()
                    .map(LogRecord::getMessage).toList());
            assertTrue(warnings.get(0).getMessage().contains("the node refused the subscription: subscriptions disabled"),
                    warnings.get(0).getMessage());
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void pendingTransactionsAreSubscribedToAfterTheHeadsTheirHashesGoToThePoolAndWakeTheFollowerSpaced() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        io.coffer.core.chain.AnnouncedPool pool = new io.coffer.core.chain.AnnouncedPool();
        List<List<String>> fetched = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ScriptedNode node = new ScriptedNode(List.of(ACCEPTED));
                EvmHeadsListener listener = new EvmHeadsListener("ethereum", node.uri(), wakes::incrementAndGet, pool,
                        TimeUnit.HOURS.toNanos(1))) {
            assertEquals("newHeads", node.awaitRequest().path("params").path(0).asText());
            com.fasterxml.jackson.databind.JsonNode second = node.readNext();
            assertEquals("newPendingTransactions", second.path("params").path(0).asText());
            assertEquals(2, second.path("id").asInt());
            assertTrue(!pool.live(), "not before the node accepts it");
            node.push("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x77\"}");
            long t0 = System.nanoTime();
            while (!pool.live()) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "the accepted subscription makes the pool live");
                Thread.sleep(20);
            }
            io.coffer.core.chain.AnnouncedPool.Reads node2 = new io.coffer.core.chain.AnnouncedPool.Reads() {
                @Override
                public java.util.Map<String, List<io.coffer.core.chain.Payment>> whole() {
                    return java.util.Map.of();
                }

                @Override
                public List<List<io.coffer.core.chain.Payment>> fetch(List<String> ids) {
                    fetched.add(ids);
                    List<List<io.coffer.core.chain.Payment>> none = new ArrayList<>();
                    ids.forEach(x -> none.add(null));
                    return none;
                }

                @Override
                public List<Boolean> stillPending(List<String> ids) {
                    return ids.stream().map(x -> false).toList();
                }
            };
            pool.pending(node2); // the whole read that starts it
            EvmHeadsListenerIT.awaitWakes(wakes, n -> n >= 1, "the accepted subscription wakes once");
            assertEquals(1, wakes.get());
            node.push("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x77\",\"result\":\"0xabc\"}}");
            EvmHeadsListenerIT.awaitWakes(wakes, n -> n >= 2, "the first announced transaction wakes at once");
            node.push(HEAD);
            EvmHeadsListenerIT.awaitWakes(wakes, n -> n >= 3, "a head wakes at once");
            // A burst within the spacing (an hour here): the announcements still reach the pool, their wake waits for its end.
            for (int i = 0; i < 20; i++) {
                node.push("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x77\",\"result\":\"0xb" + i + "\"}}");
            }
            t0 = System.nanoTime();
            while (fetched.stream().noneMatch(f -> f.contains("0xb19"))) { // the last one handled: every one before it was too
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "the announced hashes reach the pool");
                pool.pending(node2);
                Thread.sleep(20);
            }
            assertTrue(fetched.stream().anyMatch(f -> f.contains("0xabc")), "the first one reached the pool too");
            assertEquals(3, wakes.get(), "announcements within the spacing of the last wake share one at its end, not one each");
        }
        assertTrue(!pool.live(), "closed: the pool reads whole again");
    }

    /**
     * A WebSocket endpoint (RFC 6455, text frames only) that answers the n-th connection's first message with the n-th
     * scripted answer; a connection whose answer was an error is left for the client to close.
     */
    private static final class ScriptedNode implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile OutputStream current;
        private volatile DataInputStream currentIn;
        private final Thread acceptor;

        ScriptedNode(List<String> answers) throws IOException {
            List<String> left = new ArrayList<>(answers);
            acceptor = Thread.ofPlatform().daemon().name("scripted-ws").start(() -> {
                try {
                    while (!left.isEmpty()) {
                        Socket s = server.accept();
                        sockets.add(s);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        handshake(in, out);
                        DataInputStream data = new DataInputStream(in);
                        currentIn = data; // before the request is handed on: the test reads the next one as soon as it has it
                        current = out;
                        requests.add(readText(data));
                        writeText(out, left.remove(0));
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + server.getLocalPort());
        }

        com.fasterxml.jackson.databind.JsonNode awaitRequest() throws Exception {
            String r = requests.poll(30, TimeUnit.SECONDS);
            assertTrue(r != null, "the listener connected and sent its subscription");
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r);
        }

        /** The next message the client sends on the last connection (after its first, which the script answered). */
        com.fasterxml.jackson.databind.JsonNode readNext() throws IOException {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(readText(currentIn));
        }

        /** Sends {@code text} on the last connection. */
        void push(String text) throws IOException {
            writeText(current, text);
        }

        private static void handshake(InputStream in, OutputStream out) throws IOException {
            String key = null;
            for (String line; !(line = readLine(in)).isEmpty(); ) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("closed");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        /** One masked text frame from the client (what a client sends). */
        private static String readText(DataInputStream in) throws IOException {
            in.readUnsignedByte(); // FIN and opcode: the listener sends one whole text frame
            int len = in.readUnsignedByte() & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                throw new IOException("frame too long for this script");
            }
            byte[] mask = in.readNBytes(4);
            byte[] payload = in.readNBytes(len);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** One unmasked text frame (what a server sends). */
        private static synchronized void writeText(OutputStream out, String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            out.write(0x81);
            if (payload.length < 126) {
                out.write(payload.length);
            } else {
                out.write(126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xff);
            }
            out.write(payload);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
