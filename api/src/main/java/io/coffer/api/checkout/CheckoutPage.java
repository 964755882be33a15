package io.coffer.api.checkout;

import io.coffer.core.checkout.CheckoutView;
import io.coffer.core.payment.PaymentRequestStatus;

/**
 * The checkout page's HTML and its status JSON. The HTML is whole on first load (the status of that moment, the QR, the
 * address) so the page says what to pay even before its script runs; the script then keeps it live from the JSON.
 */
final class CheckoutPage {
    private CheckoutPage() {
    }

    /** What the page's script needs to show the request's state now. */
    static String statusJson(CheckoutView v) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "status", v.status().name()).append(',');
        b.append("\"final\":").append(v.isFinal()).append(',');
        field(b, "amount", v.decimal(v.amount())).append(',');
        field(b, "paid", v.decimal(v.paid())).append(',');
        field(b, "due", v.decimal(v.due())).append(',');
        field(b, "symbol", v.symbol()).append(',');
        b.append("\"confirmations\":").append(v.confirmations()).append(',');
        b.append("\"required\":").append(v.required()).append(',');
        b.append("\"expiresAt\":").append(v.expiresAt().map(t -> Long.toString(t.toEpochMilli())).orElse("null")).append(',');
        b.append("\"late\":").append(v.late()).append(',');
        b.append("\"remainder\":").append(showsRemainder(v)).append(',');
        field(b, "uri", showsRemainder(v) ? v.remainderUri() : v.paymentUri()).append(',');
        field(b, "redirect", v.redirectUrl());
        return b.append('}').toString();
    }

    /** Underpaid and still open: the QR and the link are for what is left. */
    static boolean showsRemainder(CheckoutView v) {
        return v.status() == PaymentRequestStatus.UNDERPAID;
    }

    static String html(CheckoutView v, Messages m) {
        String token = Html.escape(v.token());
        String uri = Html.escape(showsRemainder(v) ? v.remainderUri() : v.paymentUri());
        StringBuilder b = new StringBuilder(4096);
        b.append("<!doctype html><html lang=\"").append(m.tag()).append("\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<meta name=\"referrer\" content=\"no-referrer\">")
                .append("<title>").append(Html.escape(m.get("title").replace("{merchant}", v.merchant()))).append("</title>")
                .append("<link rel=\"stylesheet\" href=\"/checkout/app.css\"></head><body>")
                .append("<main id=\"checkout\" class=\"card\" data-token=\"").append(token).append('"')
                .append(" data-status=\"").append(v.status().name()).append('"')
                .append(" data-expires=\"").append(v.expiresAt().map(t -> Long.toString(t.toEpochMilli())).orElse("")).append('"');
        for (String key : Messages.FOR_SCRIPT) {
            b.append(" data-msg-").append(key.toLowerCase(java.util.Locale.ROOT)).append("=\"").append(Html.escape(m.get(key))).append('"');
        }
        b.append('>');
        b.append("<header><div class=\"merchant\" id=\"merchant\">").append(Html.escape(v.merchant())).append("</div><nav class=\"lang\">");
        for (Messages other : Messages.values()) {
            if (other == m) {
                b.append("<span aria-current=\"true\">").append(other.languageName()).append("</span>");
            } else {
                b.append("<a id=\"lang-").append(other.code()).append("\" href=\"?lang=").append(other.code()).append("\" hreflang=\"")
                        .append(other.tag()).append("\">").append(other.languageName()).append("</a>");
            }
        }
        b.append("</nav></header>");
        if (!v.orderId().isEmpty() || !v.description().isEmpty()) {
            b.append("<section class=\"order\">");
            if (!v.orderId().isEmpty()) {
                b.append("<div class=\"order-id\">").append(m.get("order")).append(" <span id=\"order-id\">")
                        .append(Html.escape(v.orderId())).append("</span></div>");
            }
            if (!v.description().isEmpty()) {
                b.append("<p id=\"description\">").append(Html.escape(v.description())).append("</p>");
            }
            b.append("</section>");
        }
        b.append("<div class=\"due-label\">").append(m.get("due")).append("</div>")
                .append("<div class=\"amount\"><span id=\"due\">").append(Html.escape(v.decimal(showsRemainder(v) ? v.due() : v.amount())))
                .append("</span> <span class=\"symbol\">").append(Html.escape(v.symbol())).append("</span></div>")
                .append("<div id=\"state\" class=\"state\" role=\"status\" aria-live=\"polite\">").append(Html.escape(initialState(v, m)))
                .append("</div>")
                .append("<div id=\"pay\" class=\"pay\"><p class=\"instructions\">").append(m.get("instructions")).append("</p>")
                .append("<img id=\"qr\" class=\"qr\" width=\"240\" height=\"240\" alt=\"").append(m.get("qr")).append("\" src=\"/pay/")
                .append(token).append("/qr.svg").append(showsRemainder(v) ? "?for=due" : "").append("\">")
                .append("<div class=\"address\"><span class=\"label\">").append(m.get("address")).append("</span>")
                .append("<code id=\"address\">").append(Html.escape(v.address())).append("</code>")
                .append("<button id=\"copy\" type=\"button\">").append(m.get("copy")).append("</button></div>")
                .append("<a id=\"open\" class=\"button\" href=\"").append(uri).append("\">").append(m.get("open")).append("</a>");
        if (v.expiresAt().isPresent()) {
            b.append("<div class=\"expiry\">").append(m.get("expires")).append(" <span id=\"countdown\"></span></div>");
        }
        b.append("</div>");
        b.append("<a id=\"back\" class=\"button back\" hidden href=\"").append(Html.escape(v.redirectUrl())).append("\">")
                .append(m.get("back")).append("</a>");
        b.append("</main><script src=\"/checkout/app.js\" defer></script></body></html>");
        return b.toString();
    }

    /** The state line as the first load shows it (the script rewrites it the same way on every change). */
    static String initialState(CheckoutView v, Messages m) {
        String s = switch (v.status()) {
            case PENDING -> m.get("waiting");
            case PAID_UNCONFIRMED -> m.get("seen").replace("{n}", Integer.toString(v.confirmations())).replace("{N}",
                    Integer.toString(v.required()));
            case UNDERPAID -> m.get("underpaid").replace("{due}", v.decimal(v.due())).replace("{symbol}", v.symbol());
            case CONFIRMED -> m.get("confirmed");
            case EXPIRED -> m.get("expired");
            case CANCELLED -> m.get("cancelled");
        };
        return v.late() ? s + " " + m.get("late") : s;
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return b.append('"').append(name).append("\":").append(Web.jsonString(value));
    }
}
