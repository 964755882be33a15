package io.coffer.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookServiceTest {
    @TempDir
    Path dir;

    private static WebhookService.Settings settings(boolean allowPrivate) {
        return new WebhookService.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
                allowPrivate);
    }

    @Test
    void privateTargetsAreRefusedUnlessAllowed() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            try (WebhookService strict = new WebhookService(store, outbox, audit, Clock.systemUTC(), settings(false))) {
                for (String url : new String[] {"http://127.0.0.1:8332/", "http://localhost/hook", "https://10.0.0.7/x", "http://192.168.1.1/",
                    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/", "http://[fd00::1]/", "http://0.0.0.0/"}) {
                    CofferException e = assertThrows(CofferException.class, () -> strict.set("t", url, false, 1, "ak_x"), url);
                    assertEquals("url", e.field(), url);
                    assertEquals("URL_TARGET_REFUSED", e.code(), url);
                }
                // A public address (an IP literal: no DNS needed) is fine; the secret is kept unless rotated.
                Webhook w = strict.set("t", "https://93.184.216.34/hook", false, 1, "ak_x");
                assertTrue(w.secret().matches("whsec_[0-9a-f]{64}"));
                assertEquals(w.secret(), strict.set("t", "https://93.184.216.34/other", false, 1, "ak_x").secret());
                assertNotEquals(w.secret(), strict.set("t", "https://93.184.216.34/other", true, 1, "ak_x").secret());
            }
            try (WebhookService dev = new WebhookService(store, outbox, audit, Clock.systemUTC(), settings(true))) {
                assertEquals("http://127.0.0.1:9/hook", dev.set("t2", "http://127.0.0.1:9/hook", false, 1, "ak_x").url());
            }
        }
    }

    /**
     * The sender loop is woken only by a commit that queued a delivery: one per event of a tenant with a webhook, none for other
     * tenants (no store read, no wake-up); a restarted node knows the webhooks from the store. The loop is not started here, so
     * the wake-up stays pending where the test can see it.
     */
    @Test
    void onlyCommitsThatQueueADeliveryWakeTheSender() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            try (WebhookService hooks = new WebhookService(store, outbox, audit, Clock.systemUTC(), settings(true))) {
                outbox.append(store.batch(), List.of(event("hooked", "pr_before")));
                assertFalse(hooks.wakePending(), "before its webhook is set, the tenant's event queues nothing");
                hooks.set("hooked", "http://127.0.0.1:9/hook", false, 2, "ak_x");
                outbox.append(store.batch(), List.of(event("quiet", "pr_q1"), event("quiet", "pr_q2")));
                assertFalse(hooks.wakePending(), "a tenant without a webhook: nothing queued, nothing woken");
                outbox.commit(store.batch(), () -> List.of(event("quiet", "pr_q3")));
                assertFalse(hooks.wakePending());
                outbox.append(store.batch(), List.of(event("quiet", "pr_q4"), event("hooked", "pr_h2")));
                assertTrue(hooks.wakePending(), "a commit that queued a delivery wakes the sender");
            }
            assertEquals(List.of(2L), sequencesQueued(store, "hooked"));
            assertEquals(List.of(), sequencesQueued(store, "quiet"));

            EventOutbox restarted = new EventOutbox(store, Clock.systemUTC());
            try (WebhookService hooks = new WebhookService(store, restarted, audit, Clock.systemUTC(), settings(true))) {
                restarted.commit(store.batch(), () -> List.of(event("hooked", "pr_h3")));
                assertTrue(hooks.wakePending(), "the webhook set before the restart is known from the store");
            }
            assertEquals(List.of(2L, 3L), sequencesQueued(store, "hooked"));
        }
    }

    private static NewEvent event(String tenant, String request) {
        return new NewEvent(tenant, EventType.PAYMENT_REQUEST_CREATED, request, "{\"id\":\"" + request + "\"}");
    }

    /** The sequences of the tenant's events with a delivery due. */
    private static List<Long> sequencesQueued(Store store, String tenant) {
        return store.list(EventTables.DUE, EventTables.DUE.all(), 100).stream().map(java.util.Map.Entry::getKey)
                .filter(d -> d.tenant().equals(tenant)).map(EventTables.Due::sequence).toList();
    }
}
