package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static io.coffer.api.ApiTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpServer;
import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventType;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.ListWebhookDeliveriesRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.RedeliverEventRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SetWebhookRequest;
import io.coffer.proto.v1.StreamEventsRequest;
import io.coffer.proto.v1.TxStatus;
import io.coffer.proto.v1.WebhookDelivery;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events over real gRPC and real webhooks on a real bitcoind: every payment request outcome (exact, under, over, expired then
 * paid late, cancelled) arrives in order on the stream and at a signature-checking receiver; a stream reconnected with its
 * last sequence loses and repeats nothing while events keep coming; a receiver that is down gets everything once it is back;
 * a delivery that keeps failing ends FAILED and is redelivered by hand.
 */
@WithDevnet
class EventsIT {
    @TempDir
    Path dir;


    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil, String webhooks) throws java.io.IOException {
        return ApiTests.devConfig(dir, btc, anvil, "", "  webhooks:\n" + webhooks);
    }

    /** A tenant with a read+payments+admin key on {@code node}. */
    private record Merchant(PaymentsGrpc.PaymentsBlockingStub payments, EventsGrpc.EventsBlockingStub events, EventsGrpc.EventsStub async,
            io.grpc.ClientInterceptor auth) {
    }

    private Merchant merchant(ManagedChannel ch, String name) throws java.io.IOException {
        var admin = ApiTests.operator(ch, dir.resolve("data"));
        String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName(name).build()).getId();
        var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_ADMIN).build()).getSecret()));
        return new Merchant(PaymentsGrpc.newBlockingStub(ch).withInterceptors(auth), EventsGrpc.newBlockingStub(ch).withInterceptors(auth),
                EventsGrpc.newStub(ch).withInterceptors(auth), auth);
    }

    /** A webhook receiver that checks every signature (401 when wrong) and can be told to fail. */
    private static final class Receiver implements AutoCloseable {
        final HttpServer server;
        volatile String secret = "";
        final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
        final List<Event> events = new CopyOnWriteArrayList<>();
        final AtomicInteger badSignatures = new AtomicInteger();
        volatile boolean failing;

        Receiver(int port) throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/hook", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                String sig = ex.getRequestHeaders().getFirst("Coffer-Signature");
                int status;
                if (!valid(sig, new String(body, StandardCharsets.UTF_8))) {
                    badSignatures.incrementAndGet();
                    status = 401;
                } else if (failing) {
                    status = 503;
                } else {
                    Event.Builder e = Event.newBuilder();
                    JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), e);
                    assertEquals(e.getId(), ex.getRequestHeaders().getFirst("Coffer-Event-Id"));
                    events.add(e.build());
                    accepted.computeIfAbsent(e.getId(), k -> new AtomicInteger()).incrementAndGet();
                    status = 204;
                }
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        /** Checked here from the documented scheme, not with the node's code: t=<secs>,v1=hex(HMAC-SHA256(secret, t.body)). */
        private boolean valid(String header, String body) {
            try {
                if (header == null || !header.matches("t=\\d+,v1=[0-9a-f]{64}")) {
                    return false;
                }
                String t = header.substring(2, header.indexOf(','));
                if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) > 300) {
                    return false;
                }
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
                return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        header.substring(header.indexOf("v1=") + 3).getBytes(StandardCharsets.US_ASCII));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** An open event stream whose events land in a queue; {@link #cancel()} drops it like a client going away. */
    private static final class Stream {
        final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile ClientCallStreamObserver<StreamEventsRequest> call;

        Stream(EventsGrpc.EventsStub stub, long after) {
            stub.streamEvents(StreamEventsRequest.newBuilder().setAfterSequence(after).build(), new ClientResponseObserver<StreamEventsRequest, Event>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<StreamEventsRequest> s) {
                    call = s;
                }

                @Override
                public void onNext(Event e) {
                    queue.add(e);
                }

                @Override
                public void onError(Throwable t) {
                    ended.set(true);
                }

                @Override
                public void onCompleted() {
                    ended.set(true);
                }
            });
        }

        Event take() throws InterruptedException {
            Event e = queue.poll(30, TimeUnit.SECONDS);
            assertTrue(e != null, "an event within 30 s");
            return e;
        }

        void cancel() {
            call.cancel("client goes away", null);
        }
    }


    private static PaymentRequest pr(Merchant m, String asset, String amount, String key) {
        return m.payments().createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset(asset).setAmount(amount)
                .setRequiredConfirmations(1).setIdempotencyKey(key).build());
    }

    private static PaymentRequestStatus status(Merchant m, String id) {
        return m.payments().getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(id).build()).getStatus();
    }

    @Test
    void everyOutcomeArrivesInOrderOnTheStreamAndAtTheWebhook(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil, "    retry-initial: 200ms\n    retry-max: 1s\n"));
             Receiver receiver = new Receiver(0)) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Merchant shop = merchant(ch, "shop");
                receiver.secret = shop.events().setWebhook(SetWebhookRequest.newBuilder().setUrl(receiver.url()).build()).getSecret();
                Stream stream = new Stream(shop.async(), 0);

                PaymentRequest exact = pr(shop, "bitcoin/BTC", "250000", "exact");
                PaymentRequest under = pr(shop, "bitcoin/BTC", "300000", "under");
                PaymentRequest over = pr(shop, "bitcoin/BTC", "100000", "over");
                PaymentRequest cancel = pr(shop, "bitcoin/BTC", "100000", "cancel");
                Instant in2s = Instant.now().plusSeconds(2);
                PaymentRequest expiring = shop.payments().createPaymentRequest(CreatePaymentRequestRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setAmount("70000").setRequiredConfirmations(1).setIdempotencyKey("expiring")
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(in2s.getEpochSecond()).setNanos(in2s.getNano())).build());
                btc.minerWallet("sendtoaddress", exact.getAddress(), "0.0025");
                btc.minerWallet("sendtoaddress", under.getAddress(), "0.001");
                btc.minerWallet("sendtoaddress", over.getAddress(), "0.0015");
                shop.payments().cancelPaymentRequest(CancelPaymentRequestRequest.newBuilder().setId(cancel.getId()).build());
                // The clock's change is published by itself (checked every second), before anything else happens to the request.
                await("the EXPIRED event", () -> shop.events().listEvents(ListEventsRequest.newBuilder().setLimit(500).build()).getEventsList()
                        .stream().anyMatch(e -> e.getPaymentRequest().getId().equals(expiring.getId())
                                && e.getPaymentRequest().getStatus() == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED));
                btc.minerWallet("sendtoaddress", expiring.getAddress(), "0.0007");
                await("mempool payments seen", () -> status(shop, exact.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED
                        && status(shop, over.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED
                        && shop.payments().getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(expiring.getId()).build()).getHasLatePayments());
                btc.mine(1);
                // The block's deposits, their events and the requests' events are one batch: once all three payments read as
                // confirmed, every event of that block is stored.
                await("confirmed", () -> status(shop, exact.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED
                        && status(shop, over.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED
                        && shop.payments().getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(under.getId()).build())
                                .getAmountConfirmed().getValue().equals("100000"));

                long latest = shop.events().listEvents(ListEventsRequest.newBuilder().build()).getLatestSequence();
                List<Event> streamed = new ArrayList<>();
                while (streamed.size() < latest) {
                    streamed.add(stream.take());
                }
                stream.cancel();
                for (int i = 0; i < streamed.size(); i++) {
                    assertEquals(i + 1, streamed.get(i).getSequence(), "sequences 1..n without gap or repeat");
                }
                // Each request's published states, in order.
                Map<String, List<String>> states = new LinkedHashMap<>();
                for (Event e : streamed) {
                    if (e.hasPaymentRequest()) {
                        PaymentRequest p = e.getPaymentRequest();
                        states.computeIfAbsent(p.getId(), k -> new ArrayList<>()).add(p.getStatus().name().replace("PAYMENT_REQUEST_STATUS_", "")
                                + "/" + p.getAmountConfirmed().getValue() + (p.getHasLatePayments() ? "+late" : "") + (p.getOverpaid().getValue().equals("0") ? "" : "+over" + p.getOverpaid().getValue()));
                    }
                }
                // status/confirmed amount; UPDATED is published when either (or paid, finality, late payments) changes.
                assertEquals(List.of("PENDING/0", "PAID_UNCONFIRMED/0", "CONFIRMED/250000"), states.get(exact.getId()));
                assertEquals(List.of("PENDING/0", "UNDERPAID/0", "UNDERPAID/100000"), states.get(under.getId()));
                assertEquals(List.of("PENDING/0", "PAID_UNCONFIRMED/0+over50000", "CONFIRMED/150000+over50000"), states.get(over.getId()));
                assertEquals(List.of("PENDING/0", "CANCELLED/0"), states.get(cancel.getId()));
                // A late payment never counts: confirmed stays 0, the request stays EXPIRED and is flagged.
                assertEquals(List.of("PENDING/0", "EXPIRED/0", "EXPIRED/0+late"), states.get(expiring.getId()));
                // The exact payment's deposit: seen in the mempool, then confirmed, tied to its request.
                List<Event> deposit = streamed.stream().filter(e -> e.hasDeposit() && e.getDeposit().getAddress().equals(exact.getAddress())).toList();
                assertEquals(List.of(EventType.EVENT_TYPE_DEPOSIT_SEEN, EventType.EVENT_TYPE_DEPOSIT_UPDATED), deposit.stream().map(Event::getType).toList());
                assertEquals(List.of(TxStatus.TX_STATUS_SEEN, TxStatus.TX_STATUS_CONFIRMED), deposit.stream().map(e -> e.getDeposit().getStatus()).toList());
                assertTrue(deposit.stream().allMatch(e -> e.getDeposit().getPaymentRequestId().equals(exact.getId())
                        && e.getDeposit().getAmount().getValue().equals("250000")));

                // The webhook got the same events, each once, every signature valid.
                await("webhook deliveries", () -> receiver.accepted.size() == latest);
                assertEquals(0, receiver.badSignatures.get());
                receiver.accepted.forEach((id, n) -> assertEquals(1, n.get(), "event " + id + " delivered once"));
                List<Event> hooked = new ArrayList<>(receiver.events);
                hooked.sort(java.util.Comparator.comparingLong(Event::getSequence));
                assertEquals(streamed, hooked, "the webhook bodies are the streamed events");
                assertTrue(shop.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().build()).getDeliveriesList().stream()
                        .allMatch(d -> d.getState() == WebhookDelivery.State.STATE_DELIVERED && d.getLastHttpStatus() == 204));
                // Deliveries page by cursor, newest first: every one once.
                List<Long> pagedSequences = new ArrayList<>();
                String token = "";
                do {
                    var page = shop.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
                            .setPage(io.coffer.proto.v1.PageRequest.newBuilder().setPageSize(2).setPageToken(token)).build());
                    assertTrue(page.getDeliveriesCount() <= 2);
                    page.getDeliveriesList().forEach(d -> pagedSequences.add(d.getSequence()));
                    token = page.getNextPageToken();
                } while (!token.isEmpty());
                List<Long> expected = new ArrayList<>(hooked.stream().map(Event::getSequence).toList());
                java.util.Collections.reverse(expected);
                assertEquals(expected, pagedSequences);
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void aReorgMovesARequestBackAndItsEveryStepIsPublishedOnce(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil, "    retry-initial: 200ms\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Merchant m = merchant(ch, "reorg-shop");
                PaymentRequest p = pr(m, "bitcoin/BTC", "40000", "reorg-1");
                btc.minerWallet("sendtoaddress", p.getAddress(), "0.0004");
                await("seen", () -> status(m, p.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED);
                btc.mine(1);
                await("confirmed", () -> status(m, p.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                btc.rpc("invalidateblock", btc.bestBlockHash()); // the payment goes back to the mempool
                await("back to unconfirmed", () -> status(m, p.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED);
                btc.mine(1);
                // The request's status and the events that say so are written in one batch: once it reads CONFIRMED, they are there.
                await("confirmed again", () -> status(m, p.getId()) == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                List<Event> events = m.events().listEvents(ListEventsRequest.newBuilder().setLimit(500).build()).getEventsList();
                assertEquals(List.of("PENDING/0", "PAID_UNCONFIRMED/0", "CONFIRMED/40000", "PAID_UNCONFIRMED/0", "CONFIRMED/40000"),
                        events.stream().filter(Event::hasPaymentRequest).map(e -> e.getPaymentRequest().getStatus().name()
                                .replace("PAYMENT_REQUEST_STATUS_", "") + "/" + e.getPaymentRequest().getAmountConfirmed().getValue()).toList());
                assertEquals(List.of(TxStatus.TX_STATUS_SEEN, TxStatus.TX_STATUS_CONFIRMED, TxStatus.TX_STATUS_REORGED, TxStatus.TX_STATUS_SEEN,
                        TxStatus.TX_STATUS_CONFIRMED), events.stream().filter(Event::hasDeposit).map(e -> e.getDeposit().getStatus()).toList());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    /**
     * A stream whose client cancels, and one whose client's connection is closed, are released at once (not at the tenant's next
     * event), and the next events (written to nobody) are never logged as an error of the node.
     */
    @Test
    void aStreamWhoseClientLeavesIsReleasedAtOnceAndNeverLoggedAsAnError(BitcoindNode btc, AnvilNode anvil) throws Exception {
        ApiTests.LogCapture capture = new ApiTests.LogCapture();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try (CofferNode node = CofferNode.start(config(btc, anvil, "    retry-initial: 200ms\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            ManagedChannel leaving = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Merchant m = merchant(ch, "leaves");
                int before = io.coffer.api.grpc.EventsService.openStreams();
                pr(m, "bitcoin/BTC", "1000", "l-1");
                Stream cancelled = new Stream(m.async(), 0);
                assertEquals(1, cancelled.take().getSequence());
                pr(m, "bitcoin/BTC", "1000", "l-2");
                Stream dropped = new Stream(EventsGrpc.newStub(leaving).withInterceptors(m.auth()), 0);
                assertEquals(1, dropped.take().getSequence());
                assertEquals(2, dropped.take().getSequence());
                ApiTests.await("both streams open on the node", () -> io.coffer.api.grpc.EventsService.openStreams() == before + 2);

                cancelled.cancel();
                ApiTests.await("the cancelled stream released without a new event",
                        () -> io.coffer.api.grpc.EventsService.openStreams() == before + 1);
                leaving.shutdownNow(); // the client's connection goes away under its stream
                ApiTests.await("the stream of the closed connection released without a new event",
                        () -> io.coffer.api.grpc.EventsService.openStreams() == before);
                for (int i = 3; i < 6; i++) {
                    pr(m, "bitcoin/BTC", "1000", "l-" + i);
                }
                assertEquals(5, m.events().listEvents(ListEventsRequest.newBuilder().build()).getLatestSequence());
                synchronized (capture.records) {
                    for (java.util.logging.LogRecord r : capture.records) {
                        assertTrue(r.getLevel().intValue() < java.util.logging.Level.SEVERE.intValue(), "no SEVERE: " + r.getMessage());
                    }
                }
            } finally {
                leaving.shutdownNow();
                ch.shutdownNow();
            }
        } finally {
            root.removeHandler(capture);
        }
    }

    @Test
    void reconnectingWithTheLastSequenceLosesAndRepeatsNothing(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(config(btc, anvil, "    retry-initial: 200ms\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Merchant m = merchant(ch, "reconnects");
                int total = 300;
                Thread producer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < total; i++) {
                        pr(m, "bitcoin/BTC", "1000", "r-" + i);
                    }
                });
                Random random = new Random(7);
                List<Long> seen = new ArrayList<>();
                long last = 0;
                int reconnects = 0;
                while (last < total) {
                    Stream s = new Stream(m.async(), last);
                    int take = 1 + random.nextInt(25);
                    for (int i = 0; i < take && last < total; i++) {
                        Event e = s.take();
                        seen.add(e.getSequence());
                        last = e.getSequence();
                    }
                    s.cancel();
                    reconnects++;
                }
                producer.join();
                assertTrue(reconnects > 10, "the stream was dropped and resumed many times (" + reconnects + ")");
                assertEquals(total, seen.size());
                for (int i = 0; i < total; i++) {
                    assertEquals(i + 1, seen.get(i), "no gap, no repeat across reconnects");
                }
                assertEquals(total, m.events().listEvents(ListEventsRequest.newBuilder().build()).getLatestSequence());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void aReceiverThatWasDownGetsEverythingOnceAndFailedDeliveriesAreRedelivered(BitcoindNode btc, AnvilNode anvil) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil, "    retry-initial: 200ms\n    retry-max: 500ms\n    give-up-after: 6s\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Merchant m = merchant(ch, "down-receiver");
                String secret = m.events().setWebhook(SetWebhookRequest.newBuilder().setUrl("http://127.0.0.1:" + port + "/hook").build())
                        .getSecret();
                for (int i = 0; i < 10; i++) {
                    pr(m, "bitcoin/BTC", "1000", "d-" + i);
                }
                await("failed attempts while the receiver is down", () -> {
                    var ds = m.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().build()).getDeliveriesList();
                    return ds.size() == 10 && ds.stream().allMatch(d -> d.getAttempts() >= 2 && d.getState() == WebhookDelivery.State.STATE_PENDING
                            && d.getLastError().equals("connection refused"));
                });
                try (Receiver receiver = new Receiver(port)) {
                    receiver.secret = secret;
                    await("every delivery once the receiver is back", () -> receiver.accepted.size() == 10);
                    // A DELIVERED delivery is never attempted again: once all are, a duplicate can no longer arrive.
                    await("every delivery recorded as delivered", () -> m.events().listWebhookDeliveries(
                            ListWebhookDeliveriesRequest.newBuilder().build()).getDeliveriesList().stream()
                            .allMatch(d -> d.getState() == WebhookDelivery.State.STATE_DELIVERED));
                    receiver.accepted.forEach((id, n) -> assertEquals(1, n.get(), "event " + id + " delivered once"));
                    assertTrue(m.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().build()).getDeliveriesList().stream()
                            .allMatch(d -> d.getState() == WebhookDelivery.State.STATE_DELIVERED));

                    // A receiver failing for longer than the retry window: FAILED, listed, then redelivered by hand.
                    receiver.failing = true;
                    String id = pr(m, "bitcoin/BTC", "1000", "f-1").getId();
                    await("a FAILED delivery", () -> m.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().setOnlyFailed(true)
                            .build()).getDeliveriesCount() == 1);
                    WebhookDelivery failed = m.events().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().setOnlyFailed(true).build())
                            .getDeliveries(0);
                    assertEquals("HTTP 503", failed.getLastError());
                    assertTrue(failed.getAttempts() >= 5, "retried until the window closed: " + failed.getAttempts());
                    assertFalse(receiver.accepted.containsKey(failed.getEventId()));
                    receiver.failing = false;
                    m.events().redeliverEvent(RedeliverEventRequest.newBuilder().setEventId(failed.getEventId()).build());
                    await("the redelivery", () -> receiver.accepted.containsKey(failed.getEventId()));
                    assertEquals(id, receiver.events.get(receiver.events.size() - 1).getPaymentRequest().getId());
                    assertEquals(0, receiver.badSignatures.get());
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
