package io.coffer.api.checkout;

import io.coffer.core.checkout.CheckoutService;
import io.coffer.core.checkout.CheckoutView;
import io.coffer.core.event.EventOutbox;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The checkout listener's routes: {@code /pay/{token}} (the page), {@code /pay/{token}/status} (its state as JSON: the polling
 * fallback), {@code /pay/{token}/events} (the same state pushed as Server-Sent Events whenever the tenant's event outbox moves),
 * {@code /pay/{token}/qr.svg}, and the page's own script and style. Anything else, and any token this node did not make, is a
 * plain 404 that says nothing more.
 */
public final class CheckoutRoutes implements HttpService {
    private static final Logger LOG = Logger.getLogger(CheckoutRoutes.class.getName());
    /** Live pages a node holds open at once; more wait for a slot by polling (the script falls back to it). */
    static final int MAX_LIVE = 10_000;
    private static final long KEEPALIVE_MILLIS = 15_000;

    private final CheckoutService checkout;
    private final EventOutbox outbox;
    private final BooleanSupplier serving;
    /** How long one live connection lasts before the browser reconnects (it does so by itself, resuming). */
    private final long liveForMillis;
    private final AtomicInteger live = new AtomicInteger();
    private final LiveRequests waiting = new LiveRequests();
    private final byte[] script = Web.resource("app.js");
    private final byte[] style = Web.resource("app.css");

    public CheckoutRoutes(CheckoutService checkout, EventOutbox outbox, java.time.Duration streamLimit, BooleanSupplier serving) {
        this.checkout = checkout;
        this.outbox = outbox;
        this.serving = serving;
        this.liveForMillis = streamLimit.toMillis();
        outbox.addListener(waiting::committed);
    }

    /** Ends every live page's wait (the node is stopping: each sees it and closes). */
    public void stopLivePages() {
        waiting.wakeAll();
    }

    /** Live pages open now (a gauge for operators). */
    public int livePages() {
        return live.get();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/checkout/app.js", (req, res) -> asset(res, "text/javascript; charset=utf-8", script))
                .get("/checkout/app.css", (req, res) -> asset(res, "text/css; charset=utf-8", style))
                .get("/pay/{token}", this::page)
                .get("/pay/{token}/status", this::status)
                .get("/pay/{token}/events", this::events)
                .get("/pay/{token}/qr.svg", this::qr)
                .any((req, res) -> notFound(res));
    }

    private Optional<CheckoutView> open(ServerRequest req) {
        return checkout.open(req.path().pathParameters().first("token").orElse(""));
    }

    private void page(ServerRequest req, ServerResponse res) {
        Optional<CheckoutView> v = open(req);
        if (v.isEmpty()) {
            notFound(res);
            return;
        }
        Messages m = Messages.choose(req.query().first("lang").orElse(null),
                req.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
        Web.secure(res).header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8").header(HeaderNames.CACHE_CONTROL, "no-store")
                .header(HeaderNames.create("Content-Language"), m.tag())
                .send(CheckoutPage.html(v.get(), m).getBytes(StandardCharsets.UTF_8));
    }

    private void status(ServerRequest req, ServerResponse res) {
        Optional<CheckoutView> v = open(req);
        if (v.isEmpty()) {
            notFound(res);
            return;
        }
        Web.secure(res).header(HeaderNames.CONTENT_TYPE, "application/json").header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(CheckoutPage.statusJson(v.get()).getBytes(StandardCharsets.UTF_8));
    }

    private void qr(ServerRequest req, ServerResponse res) {
        Optional<CheckoutView> v = open(req);
        if (v.isEmpty()) {
            notFound(res);
            return;
        }
        boolean remainder = req.query().first("for").map("due"::equals).orElse(false);
        String uri = remainder ? v.get().remainderUri() : v.get().paymentUri();
        Web.secure(res).header(HeaderNames.CONTENT_TYPE, "image/svg+xml").header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(QrSvg.of(uri).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The page's state, pushed: now, then each time an event moves the request and the state differs, until the request is final
     * and closed, the node stops, the client leaves, or the configured stream limit passes (the browser reconnects and gets the
     * state of that moment: nothing is lost by reconnecting, since each message is the whole state). Comments keep idle
     * connections alive and find departed clients.
     */
    private void events(ServerRequest req, ServerResponse res) {
        String token = req.path().pathParameters().first("token").orElse("");
        Optional<String> tenant = checkout.tenantOf(token);
        if (tenant.isEmpty()) {
            notFound(res);
            return;
        }
        if (live.incrementAndGet() > MAX_LIVE) {
            live.decrementAndGet();
            Web.secure(res).status(Status.SERVICE_UNAVAILABLE_503).header(HeaderNames.create("Retry-After"), "10")
                    .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").send("busy; poll the status instead");
            return;
        }
        // Listening before the first look: an event between the two is never missed.
        String request = checkout.requestOf(token).orElseThrow();
        java.util.concurrent.Semaphore wake = waiting.listen(request);
        Optional<CheckoutView> first = checkout.open(token);
        try {
            if (first.isEmpty()) {
                notFound(res);
                return;
            }
            Web.secure(res).header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8").header(HeaderNames.CACHE_CONTROL, "no-store")
                    .header(HeaderNames.create("X-Accel-Buffering"), "no");
            try (OutputStream out = res.outputStream()) {
                write(out, "retry: 2000\n\n");
                long until = System.currentTimeMillis() + liveForMillis;
                String last = "";
                Optional<CheckoutView> v = first;
                while (serving.getAsBoolean() && System.currentTimeMillis() < until) {
                    if (v.isEmpty()) {
                        return;
                    }
                    String json = CheckoutPage.statusJson(v.get());
                    if (!json.equals(last)) {
                        write(out, "id: " + outbox.latest(tenant.get()) + "\ndata: " + json + "\n\n");
                        last = json;
                    }
                    if (v.get().isFinal() && !v.get().late()) {
                        return; // nothing will change any more
                    }
                    long wait = Math.max(1, Math.min(KEEPALIVE_MILLIS, until - System.currentTimeMillis()));
                    if (wake.tryAcquire(wait, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        wake.drainPermits(); // a burst of events: one look
                        v = checkout.open(token);
                    } else {
                        write(out, ": keep-alive\n\n");
                        v = checkout.open(token); // the clock moves a request too (expiry), with or without an event
                    }
                }
            }
        } catch (UncheckedIOException | IOException gone) {
            LOG.log(Level.FINE, "checkout: a live page left", gone); // how live pages usually end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.stop(request, wake);
            live.decrementAndGet();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void asset(ServerResponse res, String type, byte[] body) {
        Web.secure(res).header(HeaderNames.CONTENT_TYPE, type).header(HeaderNames.CACHE_CONTROL, "public, max-age=3600").send(body);
    }

    private static void notFound(ServerResponse res) {
        Web.secure(res).status(Status.NOT_FOUND_404).header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HeaderNames.CACHE_CONTROL, "no-store").send("Not found");
    }

}
