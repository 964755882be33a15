package io.coffer.core.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.event.WebhookService;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An open finding is one alert; acknowledging closes it (audited, its hook in the same write); the webhook posts each, signed, once. */
class AlertServiceTest {
    @TempDir
    Path dir;

    @Test
    void aFindingStaysOneAlertUntilAcknowledged() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            AlertService alerts = new AlertService(store, audit, Clock.systemUTC());
            alerts.onAck(AlertKind.RECONCILIATION, (a, b) -> b.put(io.coffer.core.driver.Reconciler.ACCEPTED, a.subject() + "|hooked", "yes"));
            Alert a = alerts.raise(AlertKind.RECONCILIATION, "bitcoin", "f1", "1 difference", Map.of("spent x:0", "by y"));
            assertEquals(a, alerts.raise(AlertKind.RECONCILIATION, "bitcoin", "f1", "1 difference", Map.of("spent x:0", "by y")), "not again");
            Alert other = alerts.raise(AlertKind.RECONCILIATION, "ethereum", "f1", "1 difference", Map.of());
            assertTrue(alerts.anyOpen(AlertKind.RECONCILIATION, "bitcoin"));
            assertEquals(2, alerts.openCounts().get(AlertKind.RECONCILIATION));
            Alert acked = alerts.ack(a.id(), "op:alice", "checked");
            assertEquals("op:alice", acked.ackedBy().orElseThrow());
            assertFalse(alerts.anyOpen(AlertKind.RECONCILIATION, "bitcoin"));
            assertEquals("yes", store.get(io.coffer.core.driver.Reconciler.ACCEPTED, "bitcoin|hooked").orElseThrow());
            assertEquals("ALREADY_ACKNOWLEDGED", assertThrows(CofferException.class, () -> alerts.ack(a.id(), "op:bob", "")).code());
            assertEquals("ALERT_NOT_FOUND", assertThrows(CofferException.class, () -> alerts.ack(99, "op:bob", "")).code());
            assertEquals(List.of(other), alerts.list(0, 10, true));
            assertEquals(2, alerts.list(0, 10, false).size());
            assertTrue(audit.list(0, 10).stream().anyMatch(e -> e.action().equals("alert.ack") && e.actor().equals("op:alice")));
            // Raised again after the acknowledgement: a new alert (the reconciler filters accepted rows before raising).
            assertTrue(alerts.raise(AlertKind.RECONCILIATION, "bitcoin", "f1", "again", Map.of()).id() > other.id());
            // A new service over the same store knows what is open.
            AlertService again = new AlertService(store, audit, Clock.systemUTC());
            assertTrue(again.anyOpen(AlertKind.RECONCILIATION, "bitcoin") && again.anyOpen(AlertKind.RECONCILIATION, "ethereum"));
            assertEquals(3, again.lastId());
        }
    }

    @Test
    void theOperatorsWebhookGetsEachAlertOnceSignedInOrderRetryingFailures() throws Exception {
        BlockingQueue<String[]> posts = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = calls.incrementAndGet();
            int status = n == 2 ? 503 : 204; // the second post fails once: retried, not skipped
            if (status == 204) {
                posts.add(new String[] {ex.getRequestHeaders().getFirst(WebhookService.SIGNATURE_HEADER), body});
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AlertService alerts = new AlertService(store, new AuditLog(store, Clock.systemUTC()), Clock.systemUTC());
            alerts.raise(AlertKind.AUTH_FAILURES, "key_1", "k", "20 failed authentications", Map.of("window", "5 min"));
            alerts.raise(AlertKind.RECONCILIATION, "bitcoin", "r", "1 difference", Map.of("spent a:0", "by \"b\""));
            try (AlertWebhook hook = new AlertWebhook(store, alerts, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
                    "a sixteen+ char secret")) {
                for (int id = 1; id <= 2; id++) {
                    String[] p = posts.poll(30, TimeUnit.SECONDS);
                    assertTrue(p != null, "alert " + id + " posted");
                    assertTrue(p[1].startsWith("{\"id\":" + id + ","), p[1]);
                    String t = p[0].substring(2, p[0].indexOf(','));
                    assertEquals("t=" + t + ",v1=" + WebhookService.sign("a sixteen+ char secret", Long.parseLong(t), p[1]), p[0]);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (store.get(AlertTables.DELIVERED, "delivered").orElse(0L) < 2) { // recorded once the 2xx is read
                    assertTrue(System.nanoTime() < deadline, "delivery recorded");
                    Thread.sleep(20);
                }
                assertTrue(posts.isEmpty());
                assertEquals(3, calls.get(), "two alerts, one retry: nothing posted twice");
            }
        } finally {
            server.stop(0);
        }
    }
}
