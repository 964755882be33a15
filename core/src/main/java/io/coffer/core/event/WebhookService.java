package io.coffer.core.event;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tenants' webhook endpoints and the delivery of their events.
 *
 * <p>A delivery is queued in the batch that writes its event (an {@link EventOutbox.Hook}), so an event is never written
 * without its delivery nor the other way round. The sender thread takes due deliveries, POSTs each event's body with
 * {@code Coffer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, and records the outcome: 2xx is
 * DELIVERED; anything else is retried after {@code retryInitial * 2^(attempts-1)}, capped at {@code retryMax}, until
 * {@code giveUpAfter} has passed since the delivery was queued, then FAILED (redeliver by hand). Deliveries of one tenant
 * may overlap and arrive out of order after retries: receivers order by {@code sequence} and deduplicate by {@code id}.
 */
public final class WebhookService implements AutoCloseable {
    /** Deliveries given up on (FAILED) since this process started: what an operator alerts on as it grows. */
    private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
    private static final Logger LOG = Logger.getLogger(WebhookService.class.getName());
    public static final String SIGNATURE_HEADER = "Coffer-Signature";
    public static final String EVENT_ID_HEADER = "Coffer-Event-Id";
    private static final int MAX_URL = 2000;

    /**
     * Retry and timeout settings ({@code coffer.webhooks.*}).
     *
     * @param allowPrivateTargets whether a webhook may point at a loopback, private, link-local or unspecified address. Off in
     *                            production: a tenant's admin key must not make the node POST into its own network (the chain
     *                            nodes' RPC, cloud metadata endpoints). Dev mode turns it on by default.
     */
    public record Settings(Duration timeout, Duration retryInitial, Duration retryMax, Duration giveUpAfter, boolean allowPrivateTargets) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofHours(25), false);

        /** Delay before attempt {@code attempts + 1} after {@code attempts} failures (1-based). */
        Duration backoff(int attempts) {
            Duration d = retryInitial;
            for (int i = 1; i < attempts && d.compareTo(retryMax) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(retryMax) > 0 ? retryMax : d;
        }
    }

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();
    private final HttpClient http;
    private final Set<EventTables.Due> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * The tenants with a webhook, read once from the store and added to by {@link #set} before its write: an event's hook and
     * the wake-up after its commit ask this instead of the store. A tenant is added before its webhook is durable, so an event
     * numbered after the webhook's write always finds it; if that write fails it is taken out again (the store then refuses every
     * write until a restart, so no delivery queued meanwhile was written). Webhooks are never removed.
     */
    private final Set<String> hooked = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Rung after every commit that queued a delivery (and by a redelivery); the sender loop takes it. Not a monitor: every
     * committing thread (64 concurrent CreatePaymentRequest calls, say) took one lock in turn to notify it (the notifying
     * frame was the top of a profile of those calls), and a notify while the loop was sending was lost until its next 200 ms
     * wait ended. A permit given while the loop is sending is kept, so a wake-up is never lost to a round already under way.
     */
    private final java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
    private volatile boolean running;
    private Thread loop;

    public WebhookService(Store store, EventOutbox outbox, AuditLog audit, Clock clock, Settings settings) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
        try (var c = store.scan(EventTables.WEBHOOKS.all(), EventTables.WEBHOOKS)) {
            while (c.hasNext()) {
                hooked.add(c.next().getKey());
            }
        }
        outbox.addHook(this::queue);
        outbox.addListener(this::committed);
    }

    /**
     * After a commit that wrote events (once it is durable): the loop is woken only when one of them belongs to a tenant with
     * a webhook, whose delivery that commit queued. Waking it for every commit cost each a thread wake-up (a futex call, the
     * largest frame of a CreatePaymentRequest call in a wall-clock profile of 64 concurrent ones) and the loop a scan of the
     * due deliveries, for a node whose tenants mostly stream or have no webhook at all.
     */
    private void committed(List<NewEvent> events) {
        for (NewEvent e : events) {
            if (hooked.contains(e.tenant())) {
                wakeUp();
                return;
            }
        }
    }

    /**
     * Sets or replaces the tenant's endpoint. A new endpoint, or {@code rotate}, gets a new secret; otherwise the secret stays.
     *
     * @return the webhook with its secret (the only place the tenant sees it)
     * @throws CofferException INVALID_ARGUMENT naming {@code url}
     */
    public synchronized Webhook set(String tenant, String url, boolean rotate, long nextSequence, String actor) {
        validateUrl(url);
        String refused = refusedTarget(URI.create(url).getHost());
        if (refused != null) {
            throw CofferException.invalid("url", "URL_TARGET_REFUSED", refused);
        }
        Optional<Webhook> old = get(tenant);
        String secret = old.isPresent() && !rotate ? old.get().secret() : newSecret();
        Webhook w = new Webhook(tenant, url, secret, clock.instant().truncatedTo(ChronoUnit.MILLIS),
                old.map(Webhook::since).orElse(nextSequence));
        Batch b = store.batch();
        b.put(EventTables.WEBHOOKS, tenant, w);
        audit.append(b, actor, old.isEmpty() ? "webhook.set" : rotate ? "webhook.rotated" : "webhook.updated", tenant, Map.of("url", url));
        hooked.add(tenant);
        try {
            b.commit();
        } catch (RuntimeException e) {
            if (old.isEmpty()) {
                hooked.remove(tenant); // no webhook after all (a failed write also fails every write after it until a restart)
            }
            throw e;
        }
        return w;
    }

    public Optional<Webhook> get(String tenant) {
        return store.get(EventTables.WEBHOOKS, tenant);
    }

    /** Deliveries that became FAILED (retries used up) since this process started; a counter for metrics. */
    public long failedSinceStart() {
        return failed.get();
    }

    /** The tenant's deliveries, newest first; only FAILED ones when {@code onlyFailed}. */
    public io.coffer.core.store.KeyRangePages.Page<Delivery, Long> deliveries(String tenant, boolean onlyFailed,
            java.util.Optional<Long> beforeSequence, int size) {
        EventTables.TenantSeq low = new EventTables.TenantSeq(tenant, 0);
        EventTables.TenantSeq high = new EventTables.TenantSeq(tenant, beforeSequence.orElse(Long.MAX_VALUE));
        var page = io.coffer.core.store.KeyRangePages.descending(store, EventTables.DELIVERIES, low, high, size, SCAN_LIMIT,
                (key, d) -> Optional.of(d).filter(x -> !onlyFailed || x.state() == DeliveryState.FAILED));
        return new io.coffer.core.store.KeyRangePages.Page<>(page.items(), page.next().map(EventTables.TenantSeq::sequence));
    }

    /** Deliveries one page may scan for the failed-only filter before it answers with what it found and a cursor. */
    public static final int SCAN_LIMIT = 5_000;

    /**
     * Queues the tenant's event {@code eventId} for delivery now, with a fresh retry window.
     *
     * @throws CofferException NOT_FOUND (unknown event, another tenant's, or no webhook set)
     */
    /** Deliveries waiting to be (re)tried, and how long the most overdue of them has been due (zero when none is late). */
    public record Backlog(long pending, java.time.Duration overdue) {
    }

    /**
     * What operators watch (a metric). Counts at most {@code limit} pending deliveries, so a scrape stays cheap when a
     * receiver has been down for long (the count then reads as at least the limit).
     */
    public Backlog backlog(int limit) {
        long pending = 0;
        Instant oldestDue = null;
        try (var c = store.scan(EventTables.DUE.all(), EventTables.DUE)) {
            while (pending < limit && c.hasNext()) {
                var due = c.next().getKey();
                if (oldestDue == null) {
                    oldestDue = Instant.ofEpochMilli(due.millis());
                }
                pending++;
            }
        }
        Instant now = clock.instant();
        java.time.Duration overdue = oldestDue == null || oldestDue.isAfter(now) ? java.time.Duration.ZERO
                : java.time.Duration.between(oldestDue, now);
        return new Backlog(pending, overdue);
    }

    public synchronized Delivery redeliver(String tenant, String eventId, String actor) {
        EventTables.TenantSeq k = store.get(EventTables.EVENT_IDS, eventId == null ? "" : eventId).filter(x -> x.tenant().equals(tenant))
                .orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "EVENT_NOT_FOUND", "event_id", "event_id: no such event",
                        Map.of(), null));
        if (get(tenant).isEmpty()) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "WEBHOOK_NOT_SET", "no webhook is set; SetWebhook first");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<Delivery> old = store.get(EventTables.DELIVERIES, k);
        Batch b = store.batch();
        old.filter(d -> d.state() == DeliveryState.PENDING)
                .ifPresent(d -> b.delete(EventTables.DUE, new EventTables.Due(d.nextAttemptAt().toEpochMilli(), tenant, k.sequence())));
        Delivery d = new Delivery(tenant, k.sequence(), eventId, DeliveryState.PENDING, old.map(Delivery::attempts).orElse(0),
                old.map(Delivery::lastHttpStatus).orElse(0), old.map(Delivery::lastError).orElse(""), now, now);
        b.put(EventTables.DELIVERIES, k, d);
        b.put(EventTables.DUE, new EventTables.Due(now.toEpochMilli(), tenant, k.sequence()), "");
        audit.append(b, actor, "webhook.redeliver", eventId, Map.of("tenant", tenant));
        b.commit();
        wakeUp();
        return d;
    }

    /** Outbox hook: an event of a tenant with a webhook gets a delivery due now, in the event's own batch. */
    private void queue(Batch b, StoredEvent e) {
        if (!hooked.contains(e.tenant())) {
            return;
        }
        Instant at = e.createdAt();
        b.put(EventTables.DELIVERIES, new EventTables.TenantSeq(e.tenant(), e.sequence()),
                new Delivery(e.tenant(), e.sequence(), e.id(), DeliveryState.PENDING, 0, 0, "", at, at));
        b.put(EventTables.DUE, new EventTables.Due(at.toEpochMilli(), e.tenant(), e.sequence()), "");
    }

    /** Starts the sender thread. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loop = Thread.ofPlatform().daemon().name("coffer-webhooks").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                sendDue();
                wake.tryAcquire(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "webhooks: sending round failed; retrying", e);
            }
        }
    }

    /** Starts an attempt for every delivery due now that is not already in flight; returns how many. */
    int sendDue() {
        long now = clock.millis();
        int started = 0;
        for (var e : store.list(EventTables.DUE, EventTables.DUE.all(), 500)) {
            EventTables.Due due = e.getKey();
            if (due.millis() > now) {
                break;
            }
            if (inFlight.add(due)) {
                started++;
                senders.execute(() -> {
                    try {
                        attempt(due);
                    } catch (RuntimeException ex) {
                        LOG.log(Level.WARNING, "webhooks: attempt for " + due.tenant() + "/" + due.sequence() + " failed", ex);
                    } finally {
                        inFlight.remove(due);
                    }
                });
            }
        }
        return started;
    }

    private void attempt(EventTables.Due due) {
        EventTables.TenantSeq k = new EventTables.TenantSeq(due.tenant(), due.sequence());
        Optional<Delivery> d = store.get(EventTables.DELIVERIES, k);
        Optional<Webhook> w = get(due.tenant());
        Optional<StoredEvent> e = store.get(EventTables.EVENTS, k);
        if (d.isEmpty() || d.get().state() != DeliveryState.PENDING || d.get().nextAttemptAt().toEpochMilli() != due.millis()
                || w.isEmpty() || e.isEmpty()) {
            synchronized (this) {
                Batch b = store.batch();
                b.delete(EventTables.DUE, due); // stale: redelivered, already done, or the webhook was removed
                b.commit();
            }
            return;
        }
        int status = 0;
        String error = "";
        String refused = refusedTarget(URI.create(w.get().url()).getHost());
        if (refused != null) {
            // Checked again at every attempt: the name may resolve elsewhere now than when the webhook was set.
            record(due, d.get(), 0, refused);
            return;
        }
        try {
            HttpResponse<Void> r = http.send(request(w.get(), e.get()), HttpResponse.BodyHandlers.discarding());
            status = r.statusCode();
            if (status / 100 != 2) {
                error = "HTTP " + status;
            }
        } catch (HttpTimeoutException ex) {
            error = "timeout";
        } catch (ConnectException ex) {
            error = "connection refused";
        } catch (IOException ex) {
            error = "network error (" + ex.getClass().getSimpleName() + ")";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        }
        record(due, d.get(), status, error);
    }

    private synchronized void record(EventTables.Due due, Delivery sent, int status, String error) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Batch b = store.batch();
        b.delete(EventTables.DUE, due);
        Delivery d = store.get(EventTables.DELIVERIES, new EventTables.TenantSeq(sent.tenant(), sent.sequence())).orElse(sent);
        if (d.state() == DeliveryState.PENDING && d.nextAttemptAt().toEpochMilli() != due.millis()) {
            // Redelivered while this attempt was in flight: a success settles it; a failure leaves the new attempt queued.
            if (!error.isEmpty()) {
                b.commit();
                return;
            }
            b.delete(EventTables.DUE, new EventTables.Due(d.nextAttemptAt().toEpochMilli(), d.tenant(), d.sequence()));
        }
        int attempts = d.attempts() + 1;
        Delivery next;
        if (error.isEmpty()) {
            next = new Delivery(d.tenant(), d.sequence(), d.eventId(), DeliveryState.DELIVERED, attempts, status, "", now, d.windowStart());
        } else {
            Instant retryAt = now.plus(settings.backoff(attempts));
            if (retryAt.isAfter(d.windowStart().plus(settings.giveUpAfter()))) {
                next = new Delivery(d.tenant(), d.sequence(), d.eventId(), DeliveryState.FAILED, attempts, status, error, now, d.windowStart());
                failed.incrementAndGet();
                LOG.warning("webhooks: event " + d.eventId() + " of tenant " + d.tenant() + " FAILED after " + attempts + " attempts ("
                        + error + "); 'coffer webhook redeliver' sends it again");
            } else {
                next = new Delivery(d.tenant(), d.sequence(), d.eventId(), DeliveryState.PENDING, attempts, status, error, retryAt,
                        d.windowStart());
                b.put(EventTables.DUE, new EventTables.Due(retryAt.toEpochMilli(), d.tenant(), d.sequence()), "");
            }
        }
        b.put(EventTables.DELIVERIES, new EventTables.TenantSeq(d.tenant(), d.sequence()), next);
        b.commit();
    }

    private HttpRequest request(Webhook w, StoredEvent e) {
        long t = clock.instant().getEpochSecond();
        return HttpRequest.newBuilder(URI.create(w.url())).timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "coffer-webhooks/1")
                .header(EVENT_ID_HEADER, e.id())
                .header(SIGNATURE_HEADER, "t=" + t + ",v1=" + sign(w.secret(), t, e.body()))
                .POST(HttpRequest.BodyPublishers.ofString(e.body(), StandardCharsets.UTF_8)).build();
    }

    /** Hex HMAC-SHA256 of {@code t + "." + body} keyed by the UTF-8 bytes of {@code secret}. */
    public static String sign(String secret, long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    /** Why a webhook host is refused (a private target while they are not allowed, or an unresolvable name), or null. */
    private String refusedTarget(String host) {
        if (settings.allowPrivateTargets()) {
            return null;
        }
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                        || a.isMulticastAddress() || isUniqueLocal(a)) {
                    return "the host resolves to a private address (" + a.getHostAddress() + "); allowed only with "
                            + "coffer.webhooks.allow-private-targets";
                }
            }
            return null;
        } catch (java.net.UnknownHostException ex) {
            return "the host does not resolve";
        }
    }

    /** IPv6 unique local addresses (fc00::/7), which InetAddress does not call site-local. */
    private static boolean isUniqueLocal(java.net.InetAddress a) {
        return a instanceof java.net.Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    private static void validateUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw CofferException.invalid("url", "URL_INVALID", "required: an http(s) URL");
        }
        if (url.length() > MAX_URL) {
            throw CofferException.invalid("url", "FIELD_TOO_LONG", "at most " + MAX_URL + " characters");
        }
        try {
            URI u = new URI(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getUserInfo() != null
                    || u.getFragment() != null) {
                throw CofferException.invalid("url", "URL_INVALID", "must be http:// or https:// with a host, no user info or fragment");
            }
        } catch (URISyntaxException ex) {
            throw CofferException.invalid("url", "URL_INVALID", "not a valid URL");
        }
    }

    private String newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return "whsec_" + HexFormat.of().formatHex(b);
    }

    /** Whether the sender loop has a wake-up waiting (for tests: which commits ring it). */
    boolean wakePending() {
        return wake.availablePermits() > 0;
    }

    private void wakeUp() {
        if (wake.availablePermits() == 0) { // a read, no write, while a wake-up is already pending (the common case under load)
            wake.release();
        }
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
        senders.shutdownNow();
        http.close();
    }
}
