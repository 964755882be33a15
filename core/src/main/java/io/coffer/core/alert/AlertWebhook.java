package io.coffer.core.alert;

import io.coffer.core.event.WebhookService;
import io.coffer.core.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Posts every alert, in order, to the operators' webhook ({@code coffer.alerts.webhook-url}), signed as merchant webhooks
 * are ({@code Coffer-Signature: t=..,v1=HMAC-SHA256(secret, t + "." + body)}): a 2xx answer moves it to the next alert
 * (recorded, so a restart neither repeats nor skips one); anything else is retried with a backoff from 1 s doubling to 5 min.
 */
public final class AlertWebhook implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AlertWebhook.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private final Store store;
    private final AlertService alerts;
    private final URI url;
    private final String secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Thread sender;
    private volatile boolean closed;

    public AlertWebhook(Store store, AlertService alerts, URI url, String secret) {
        this.store = store;
        this.alerts = alerts;
        this.url = url;
        this.secret = secret;
        this.sender = Thread.ofPlatform().name("coffer-alert-webhook").daemon().start(this::run);
    }

    private void run() {
        Duration backoff = Duration.ofSeconds(1);
        while (!closed) {
            try {
                long delivered = store.get(AlertTables.DELIVERED, "delivered").orElse(0L);
                List<Alert> next = alerts.list(delivered, 1, false);
                if (next.isEmpty()) {
                    alerts.awaitAfter(delivered, 10_000);
                    continue;
                }
                Alert a = next.get(0);
                if (post(a)) {
                    store.batch().put(AlertTables.DELIVERED, "delivered", a.id()).commit();
                    backoff = Duration.ofSeconds(1);
                } else {
                    Thread.sleep(backoff.toMillis()); // retry pacing; close() interrupts it
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "alerts webhook: round failed; retrying", e);
            }
        }
    }

    private boolean post(Alert a) throws InterruptedException {
        String body = json(a);
        long t = System.currentTimeMillis() / 1000;
        HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("User-Agent", "coffer-alerts/1").header(WebhookService.SIGNATURE_HEADER, "t=" + t + ",v1=" + WebhookService.sign(secret, t, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        try {
            int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return true;
            }
            LOG.warning("alerts webhook: " + url.getHost() + " answered " + status + " for alert " + a.id() + "; retrying");
        } catch (java.io.IOException e) {
            LOG.warning("alerts webhook: " + url.getHost() + " unreachable for alert " + a.id() + " (" + e.getClass().getSimpleName() + "); retrying");
        }
        return false;
    }

    /** The alert as the webhook's JSON body: {"id":..,"at":"..","kind":"..","subject":"..","summary":"..","details":{..}}. */
    public static String json(Alert a) {
        StringBuilder b = new StringBuilder("{\"id\":").append(a.id()).append(",\"at\":").append(quote(a.at().toString()))
                .append(",\"kind\":").append(quote(a.kind().label())).append(",\"subject\":").append(quote(a.subject()))
                .append(",\"summary\":").append(quote(a.summary())).append(",\"details\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(a.details()).entrySet()) {
            b.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        return b.append("}}").toString();
    }

    private static String quote(String s) {
        return io.coffer.core.text.Json.quote(s);
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        alerts.wake();
    }
}
