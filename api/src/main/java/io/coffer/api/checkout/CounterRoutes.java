package io.coffer.api.checkout;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.coffer.core.checkout.CheckoutService;
import io.coffer.core.checkout.CheckoutView;
import io.coffer.core.checkout.CounterCredential;
import io.coffer.core.checkout.CounterService;
import io.coffer.core.error.CofferException;
import io.coffer.core.payment.PaymentRequestService;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The shop counter, {@code /counter} on the checkout listener. A device pairs once with the code of a counter credential (it
 * becomes an HttpOnly, SameSite=Strict cookie scoped to {@code /counter}); then staff type an amount, pick the asset, and the
 * counter shows the request's QR code full screen, green once paid, with the day's charges below. Every call that changes
 * something is a JSON POST that also carries {@code X-Coffer-Counter: 1}, which no other site's page can send (with the
 * cookie's SameSite, the cross-site request defence). A revoked credential is refused at once.
 */
public final class CounterRoutes implements HttpService {
    static final String COOKIE = "coffer_counter";
    private static final HeaderName MARKER = HeaderNames.create("X-Coffer-Counter");
    private static final int MAX_BODY = 4096;

    private final CounterService counters;
    private final CheckoutService checkout;
    private final boolean tls;
    private final byte[] script = Web.resource("counter.js");

    public CounterRoutes(CounterService counters, CheckoutService checkout, boolean tls) {
        this.counters = counters;
        this.checkout = checkout;
        this.tls = tls;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/counter", this::page)
                .get("/checkout/counter.js", (req, res) -> Web.secure(res).header(HeaderNames.CONTENT_TYPE, "text/javascript; charset=utf-8")
                        .header(HeaderNames.CACHE_CONTROL, "public, max-age=3600").send(script))
                .post("/counter/pair", this::pair)
                .post("/counter/unpair", this::unpair)
                .post("/counter/charges", this::charge)
                .get("/counter/charges", this::charges);
    }

    private Optional<CounterCredential> paired(ServerRequest req) {
        return req.headers().cookies().first(COOKIE).flatMap(counters::authenticate);
    }

    private void page(ServerRequest req, ServerResponse res) {
        Messages m = Messages.choose(req.query().first("lang").orElse(null), req.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
        Optional<CounterCredential> c = paired(req);
        String html = c.map(cred -> CounterPage.app(cred, merchantOf(cred), counters.assets(cred), m)).orElseGet(() -> CounterPage.pairing(m));
        Web.secure(res).header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8").header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(html.getBytes(StandardCharsets.UTF_8));
    }

    private String merchantOf(CounterCredential c) {
        return counters.merchantName(c);
    }

    private void pair(ServerRequest req, ServerResponse res) {
        Optional<Struct> body = jsonPost(req, res);
        if (body.isEmpty()) {
            return;
        }
        String code = text(body.get(), "code").strip();
        if (counters.authenticate(code).isEmpty()) {
            json(res, Status.FORBIDDEN_403, "{\"error\":\"PAIRING_REFUSED\"}");
            return;
        }
        res.header(HeaderNames.SET_COOKIE, COOKIE + "=" + code + "; Path=/counter; Max-Age=31536000; HttpOnly; SameSite=Strict"
                + (tls ? "; Secure" : ""));
        json(res, Status.OK_200, "{\"paired\":true}");
    }

    private void unpair(ServerRequest req, ServerResponse res) {
        if (jsonPost(req, res).isEmpty()) {
            return;
        }
        res.header(HeaderNames.SET_COOKIE, COOKIE + "=; Path=/counter; Max-Age=0; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
        json(res, Status.OK_200, "{\"paired\":false}");
    }

    private void charge(ServerRequest req, ServerResponse res) {
        Optional<Struct> body = jsonPost(req, res);
        if (body.isEmpty()) {
            return;
        }
        Optional<CounterCredential> c = paired(req);
        if (c.isEmpty()) {
            json(res, Status.UNAUTHORIZED_401, "{\"error\":\"NOT_PAIRED\"}");
            return;
        }
        try {
            String key = text(body.get(), "key");
            if (!key.matches("[A-Za-z0-9-]{8,64}")) {
                throw CofferException.invalid("key", "IDEMPOTENCY_KEY_INVALID", "8 to 64 letters, digits or '-'");
            }
            PaymentRequestService.View v = counters.charge(c.get(), text(body.get(), "asset"), text(body.get(), "amount"), key);
            CheckoutView view = checkout.view(checkout.tokenOf(v.request().id()), v).orElseThrow();
            json(res, Status.OK_200, charge(view, v));
        } catch (CofferException e) {
            json(res, Status.BAD_REQUEST_400, "{\"error\":\"" + e.code() + "\",\"field\":\"" + (e.field() == null ? "" : e.field())
                    + "\",\"message\":" + Web.jsonString(e.getMessage()) + "}");
        }
    }

    private void charges(ServerRequest req, ServerResponse res) {
        Optional<CounterCredential> c = paired(req);
        if (c.isEmpty()) {
            json(res, Status.UNAUTHORIZED_401, "{\"error\":\"NOT_PAIRED\"}");
            return;
        }
        long since;
        try {
            since = Long.parseLong(req.query().first("since").orElse("0"));
        } catch (NumberFormatException e) {
            since = 0;
        }
        StringBuilder b = new StringBuilder("{\"charges\":[");
        List<PaymentRequestService.View> views = counters.since(c.get(), Instant.ofEpochMilli(Math.max(0, since)));
        for (int i = 0; i < views.size(); i++) {
            PaymentRequestService.View v = views.get(i);
            Optional<CheckoutView> view = checkout.view(checkout.tokenOf(v.request().id()), v);
            if (view.isPresent()) {
                b.append(i == 0 ? "" : ",").append(charge(view.get(), v));
            }
        }
        json(res, Status.OK_200, b.append("]}").toString());
    }

    private static String charge(CheckoutView view, PaymentRequestService.View v) {
        return "{\"id\":" + Web.jsonString(view.paymentRequestId()) + ",\"token\":" + Web.jsonString(view.token()) + ",\"createdAt\":"
                + v.request().createdAt().toEpochMilli() + ",\"amount\":" + Web.jsonString(view.decimal(view.amount())) + ",\"symbol\":"
                + Web.jsonString(view.symbol()) + ",\"status\":" + Web.jsonString(view.status().name()) + "}";
    }

    /** The JSON object of a POST from the counter's own page, or empty (and the answer sent) for anything else. */
    private Optional<Struct> jsonPost(ServerRequest req, ServerResponse res) {
        if (!req.headers().first(MARKER).map("1"::equals).orElse(false)
                || !req.headers().first(HeaderNames.CONTENT_TYPE).map(t -> t.startsWith("application/json")).orElse(false)) {
            json(res, Status.FORBIDDEN_403, "{\"error\":\"NOT_FROM_THE_COUNTER\"}");
            return Optional.empty();
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                json(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "{\"error\":\"TOO_LARGE\"}");
                return Optional.empty();
            }
            Struct.Builder s = Struct.newBuilder();
            JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), s);
            return Optional.of(s.build());
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            json(res, Status.BAD_REQUEST_400, "{\"error\":\"JSON_INVALID\"}");
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(Struct s, String field) {
        var v = s.getFieldsMap().get(field);
        return v == null || !v.hasStringValue() ? "" : v.getStringValue();
    }

    private static void json(ServerResponse res, Status status, String body) {
        Web.secure(res).status(status).header(HeaderNames.CONTENT_TYPE, "application/json").header(HeaderNames.CACHE_CONTROL, "no-store")
                .send(body.getBytes(StandardCharsets.UTF_8));
    }

}
