package io.coffer.chain.evm;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.AnnouncedPool;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Subscribes to the node's new heads ({@code eth_subscribe ["newHeads"]} over its WebSocket endpoint) and wakes the follower at
 * each, instead of at the next poll. Like bitcoind's ZMQ for Bitcoin, a notification carries nothing the follower trusts: it
 * only says "look now", the follower reads everything over RPC, so a missed or repeated head costs latency, never correctness.
 *
 * <p>Once the heads are subscribed to, the transactions entering the node's pool are too ({@code newPendingTransactions}):
 * their hashes go to the {@link AnnouncedPool}, so a poll fetches what arrived instead of the whole pool, and they wake the
 * follower too, so a payment is seen as it enters the pool (a customer at the till sees it at once, not at the next poll) —
 * at most once every {@link #PENDING_WAKE_SPACING_NANOS}: a busy chain's pool takes in hundreds of transactions a second, and
 * a round per transaction would each ask the node for its tip. The first after a quiet spell wakes at once; those during the
 * spacing share one wake at its end (a head still wakes at once). A node refusing that second subscription is told once; its
 * pool is then read whole at each poll, as without a WebSocket endpoint.
 *
 * <p>The subscription is made again after any close or error, after 1 s, doubling up to 30 s while the node stays away; each
 * accepted subscription wakes the follower once, for the heads it missed meanwhile. One warning per outage, one line when it
 * is back.
 */
final class EvmHeadsListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EvmHeadsListener.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_FIRST_MS = 1_000;
    private static final long RETRY_MAX_MS = 30_000;
    /**
     * The least time between two wakes for announced pending transactions: at most 200 such rounds a second, while a payment
     * announced in a burst is seen at most this much later than alone. Measured ({@code scripts/bench latency 100 200}, payments one
     * after the other, each announced a few milliseconds after the last one was seen): PAID_UNCONFIRMED p50 16 ms with 20 ms
     * (every payment waited out the spacing), 2.7-2.8 ms with 5, 2.7-3.0 ms with none.
     */
    static final long PENDING_WAKE_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final String chain;
    private final URI endpoint;
    private final Runnable wake;
    /** Where announced pending transactions go; null: not subscribed to. */
    private final AnnouncedPool pending;
    /** Whether a refusal of the pending subscription was told already (once per listener, not per connection). */
    private volatile boolean pendingRefusalTold;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService retries;
    private volatile boolean running = true;
    private volatile WebSocket socket;
    private long retryMs = RETRY_FIRST_MS;
    /** Whether the current outage was reported (one warning per outage, not per attempt). */
    private boolean outageReported;
    private final long pendingWakeSpacingNanos;
    /** Whether a wake for announced transactions is due (scheduled or running): later ones share it. */
    private final java.util.concurrent.atomic.AtomicBoolean pendingWakeDue = new java.util.concurrent.atomic.AtomicBoolean();
    /** When the last wake for announced transactions ran ({@link System#nanoTime()}); set before it runs. */
    private volatile long pendingWokeAt;

    EvmHeadsListener(String chain, URI endpoint, Runnable wake) {
        this(chain, endpoint, wake, null);
    }

    EvmHeadsListener(String chain, URI endpoint, Runnable wake, AnnouncedPool pending) {
        this(chain, endpoint, wake, pending, PENDING_WAKE_SPACING_NANOS);
    }

    /** @param pendingWakeSpacingNanos {@link #PENDING_WAKE_SPACING_NANOS} but in tests */
    EvmHeadsListener(String chain, URI endpoint, Runnable wake, AnnouncedPool pending, long pendingWakeSpacingNanos) {
        this.pendingWakeSpacingNanos = pendingWakeSpacingNanos;
        this.pendingWokeAt = System.nanoTime() - pendingWakeSpacingNanos;
        this.chain = chain;
        this.endpoint = endpoint;
        this.wake = wake;
        this.pending = pending;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coffer-ws-" + chain);
            t.setDaemon(true);
            return t;
        });
        retries.execute(this::connect);
    }

    private void connect() {
        if (!running) {
            return;
        }
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(endpoint, new Heads())
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        lost("cannot connect: " + rootMessage(error));
                    }
                });
    }

    /** The connection is gone (or never came): report it once, and try again later. */
    private synchronized void lost(String why) {
        socket = null;
        if (pending != null) {
            pending.lost();
        }
        if (!running) {
            return;
        }
        if (!outageReported) {
            outageReported = true;
            LOG.warning("chain " + chain + ": new heads from " + endpoint + " not received (" + why + "); polling meanwhile, "
                    + "subscribing again");
        }
        long delay = retryMs;
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
        retries.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void subscribed() {
        retryMs = RETRY_FIRST_MS;
        LOG.info("chain " + chain + ": " + (outageReported ? "receiving new heads again" : "receiving new heads") + " from " + endpoint);
        outageReported = false;
        wake.run(); // whatever came while not subscribed
    }

    /**
     * A transaction was announced (and is in the pool's queue): wakes the follower now, or at the end of the spacing when a wake
     * for announcements ran less than {@link #PENDING_WAKE_SPACING_NANOS} ago; none when one is due already (the round it
     * starts fetches this one too: it was queued before the round starts).
     */
    private void pendingAnnounced() {
        if (!running || !pendingWakeDue.compareAndSet(false, true)) {
            return;
        }
        long wait = pendingWokeAt + pendingWakeSpacingNanos - System.nanoTime();
        if (wait <= 0) {
            pendingWake();
            return;
        }
        try {
            retries.schedule(this::pendingWake, wait, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pendingWakeDue.set(false); // closed: nothing more to wake
        }
    }

    private void pendingWake() {
        pendingWokeAt = System.nanoTime();
        pendingWakeDue.set(false); // before the wake: one announced from here on is fetched by that round or makes a wake of its own
        wake.run();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /**
     * Messages of one connection: the heads subscription's answer, then the pending one's, then a notification per head and
     * per transaction announced, told apart by their subscription's id.
     */
    private final class Heads implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile String pendingSubscription;

        @Override
        public void onOpen(WebSocket ws) {
            socket = ws;
            ws.request(1);
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}", true);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(ws, text);
            }
            ws.request(1);
            return null;
        }

        private void handle(WebSocket ws, String text) {
            JsonNode msg;
            try {
                msg = JSON.readTree(text);
            } catch (java.io.IOException e) {
                return; // not JSON: nothing to act on
            }
            if ("eth_subscription".equals(msg.path("method").asText())) {
                JsonNode params = msg.path("params");
                if (pendingSubscription != null && pendingSubscription.equals(params.path("subscription").asText())) {
                    JsonNode tx = params.path("result"); // a hash; some nodes send the whole transaction
                    pending.announced(tx.isTextual() ? tx.asText() : tx.path("hash").asText());
                    pendingAnnounced();
                } else {
                    wake.run();
                }
            } else if (msg.path("id").asInt() == 1) {
                if (msg.hasNonNull("error")) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
                    lost("the node refused the subscription: " + msg.path("error").path("message").asText());
                } else {
                    subscribed();
                    if (pending != null) {
                        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_subscribe\","
                                + "\"params\":[\"newPendingTransactions\"]}", true);
                    }
                }
            } else if (msg.path("id").asInt() == 2 && pending != null) {
                if (msg.hasNonNull("error") || !msg.path("result").isTextual()) {
                    if (!pendingRefusalTold) {
                        pendingRefusalTold = true;
                        LOG.info("chain " + chain + ": " + endpoint + " does not announce pending transactions ("
                                + msg.path("error").path("message").asText("no subscription id")
                                + "); its pool is read whole at each poll");
                    }
                } else if (socket == ws) {
                    pendingSubscription = msg.path("result").asText();
                    pending.subscribed();
                }
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (socket == ws) {
                lost("closed by the node (" + statusCode + ")");
            }
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (socket == ws) {
                lost(rootMessage(error));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (pending != null) {
            pending.lost();
        }
        WebSocket ws = socket;
        socket = null;
        if (ws != null) {
            ws.abort();
        }
        retries.shutdownNow();
        http.shutdownNow(); // nothing of it is worth waiting for: a connect under way to a node that is gone
    }
}
