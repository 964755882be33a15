package io.coffer.api.checkout;

import io.coffer.core.checkout.CounterCredential;
import io.coffer.core.driver.AssetInfo;
import java.util.List;
import java.util.Locale;

/** The counter's two HTML views: pairing a device, and the till itself (the script does the rest). */
final class CounterPage {
    private CounterPage() {
    }

    private static StringBuilder head(Messages m, String title) {
        return new StringBuilder(4096).append("<!doctype html><html lang=\"").append(m.tag()).append("\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<meta name=\"referrer\" content=\"no-referrer\"><title>").append(Html.escape(title)).append("</title>")
                .append("<link rel=\"stylesheet\" href=\"/checkout/app.css\"></head><body>");
    }

    private static void messages(StringBuilder b, Messages m) {
        for (String key : Messages.FOR_COUNTER) {
            b.append(" data-msg-").append(key.toLowerCase(Locale.ROOT)).append("=\"").append(Html.escape(m.get(key))).append('"');
        }
        b.append(" data-msg-seen=\"").append(Html.escape(m.get("confirming"))).append('"');
    }

    static String pairing(Messages m) {
        StringBuilder b = head(m, m.get("counter"));
        b.append("<main id=\"counter\" class=\"card counter\" data-paired=\"false\"");
        messages(b, m);
        b.append("><header><div class=\"merchant\">").append(m.get("counter")).append("</div></header>")
                .append("<section id=\"pairing\"><h1>").append(m.get("pairTitle")).append("</h1><p>").append(m.get("pairHelp")).append("</p>")
                .append("<label for=\"code\">").append(m.get("pairCode")).append("</label>")
                .append("<input id=\"code\" autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\">")
                .append("<button id=\"pair\" class=\"button\" type=\"button\">").append(m.get("pair")).append("</button>")
                .append("<div id=\"error\" class=\"error\" role=\"alert\"></div></section>")
                .append("</main><script src=\"/checkout/counter.js\" defer></script></body></html>");
        return b.toString();
    }

    static String app(CounterCredential c, String merchant, List<AssetInfo> assets, Messages m) {
        StringBuilder b = head(m, m.get("counter") + " - " + merchant);
        b.append("<main id=\"counter\" class=\"card counter\" data-paired=\"true\"");
        messages(b, m);
        b.append("><header><div class=\"merchant\" id=\"merchant\">").append(Html.escape(merchant)).append("</div><div class=\"till\">")
                .append(Html.escape(c.label())).append("</div></header>")
                .append("<section id=\"sale\"><label for=\"amount\">").append(m.get("amount")).append("</label>")
                .append("<input id=\"amount\" inputmode=\"decimal\" autocomplete=\"off\" placeholder=\"0.00\">")
                .append("<label for=\"asset\">").append(m.get("asset")).append("</label><select id=\"asset\">");
        for (AssetInfo a : assets) {
            b.append("<option value=\"").append(Html.escape(a.id())).append("\">").append(Html.escape(a.symbol())).append(" (")
                    .append(Html.escape(a.chain())).append(")</option>");
        }
        b.append("</select><button id=\"charge\" class=\"button\" type=\"button\">").append(m.get("charge")).append("</button>")
                .append("<div id=\"error\" class=\"error\" role=\"alert\"></div></section>")
                .append("<section id=\"show\" class=\"show\" hidden><div class=\"show-amount\"><span id=\"show-amount\"></span> ")
                .append("<span id=\"show-symbol\"></span></div><img id=\"show-qr\" class=\"show-qr\" alt=\"").append(m.get("qr"))
                .append("\"><div id=\"show-state\" class=\"show-state\" role=\"status\" aria-live=\"polite\"></div>")
                .append("<button id=\"new-sale\" class=\"button\" type=\"button\">").append(m.get("newSale")).append("</button></section>")
                .append("<section class=\"today\"><h2>").append(m.get("today")).append("</h2><ul id=\"today\"></ul></section>")
                .append("<button id=\"unpair\" class=\"link\" type=\"button\">").append(m.get("unpair")).append("</button>")
                .append("</main><script src=\"/checkout/counter.js\" defer></script></body></html>");
        return b.toString();
    }
}
