package io.coffer.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
