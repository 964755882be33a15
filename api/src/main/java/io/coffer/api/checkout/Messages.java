package io.coffer.api.checkout;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The page's words in English and Simplified Chinese. The language comes from {@code ?lang=} (the switch on the page), else the
 * browser's Accept-Language, else English. Placeholders ({@code {n}}, {@code {due}}...) are filled by the page's script.
 */
enum Messages {
    EN("en", "English", Map.ofEntries(
            Map.entry("title", "Pay {merchant}"),
            Map.entry("order", "Order"),
            Map.entry("due", "Amount due"),
            Map.entry("instructions", "Scan the code with your wallet, or send exactly this amount to the address below."),
            Map.entry("address", "Address"),
            Map.entry("copy", "Copy"),
            Map.entry("copied", "Copied"),
            Map.entry("open", "Open in wallet"),
            Map.entry("expires", "Expires in"),
            Map.entry("waiting", "Waiting for payment"),
            Map.entry("seen", "Payment received: {n} of {N} confirmations"),
            Map.entry("confirmed", "Paid. Thank you!"),
            Map.entry("redirecting", "Taking you back to the merchant…"),
            Map.entry("back", "Back to the merchant"),
            Map.entry("underpaid", "Partly paid: {due} {symbol} still due. Scan the new code to pay the rest."),
            Map.entry("expired", "This payment request has expired. Do not pay to this address; ask the merchant for a new one."),
            Map.entry("cancelled", "The merchant cancelled this payment request. Do not pay to this address."),
            Map.entry("late", "A payment arrived after this request closed. The merchant has been told and will contact you."),
            Map.entry("offline", "Reconnecting…"),
            Map.entry("qr", "QR code of the payment"),
            Map.entry("notFound", "Not found"),
            Map.entry("counter", "Shop counter"),
            Map.entry("pairTitle", "Pair this device"),
            Map.entry("pairHelp", "Type the pairing code the operator gave you for this till. You do this once."),
            Map.entry("pairCode", "Pairing code"),
            Map.entry("pair", "Pair"),
            Map.entry("pairRefused", "That code is not valid (or was revoked)."),
            Map.entry("amount", "Amount"),
            Map.entry("asset", "Currency"),
            Map.entry("charge", "Charge"),
            Map.entry("newSale", "New sale"),
            Map.entry("today", "Today"),
            Map.entry("none", "No payments yet today."),
            Map.entry("unpair", "Unpair this device"),
            Map.entry("paidBig", "PAID"),
            Map.entry("confirming", "Received, confirming…"))),
    ZH("zh-CN", "中文", Map.ofEntries(
            Map.entry("title", "向 {merchant} 付款"),
            Map.entry("order", "订单"),
            Map.entry("due", "应付金额"),
            Map.entry("instructions", "请用钱包扫描二维码，或向以下地址支付该金额（金额须完全一致）。"),
            Map.entry("address", "收款地址"),
            Map.entry("copy", "复制"),
            Map.entry("copied", "已复制"),
            Map.entry("open", "在钱包中打开"),
            Map.entry("expires", "剩余时间"),
            Map.entry("waiting", "等待付款"),
            Map.entry("seen", "已收到付款：确认数 {n}/{N}"),
            Map.entry("confirmed", "付款成功，谢谢！"),
            Map.entry("redirecting", "正在返回商户页面…"),
            Map.entry("back", "返回商户"),
            Map.entry("underpaid", "部分付款：仍需支付 {due} {symbol}，请扫描新的二维码支付余额。"),
            Map.entry("expired", "该付款请求已过期，请勿再向此地址付款，请联系商户重新发起。"),
            Map.entry("cancelled", "商户已取消该付款请求，请勿向此地址付款。"),
            Map.entry("late", "该请求关闭后收到了付款，商户已收到通知，会与您联系。"),
            Map.entry("offline", "正在重新连接…"),
            Map.entry("qr", "付款二维码"),
            Map.entry("notFound", "未找到"),
            Map.entry("counter", "收银台"),
            Map.entry("pairTitle", "绑定此设备"),
            Map.entry("pairHelp", "请输入管理员为此收银台提供的绑定码，只需绑定一次。"),
            Map.entry("pairCode", "绑定码"),
            Map.entry("pair", "绑定"),
            Map.entry("pairRefused", "绑定码无效（或已被撤销）。"),
            Map.entry("amount", "金额"),
            Map.entry("asset", "币种"),
            Map.entry("charge", "收款"),
            Map.entry("newSale", "新的收款"),
            Map.entry("today", "今日收款"),
            Map.entry("none", "今日暂无收款。"),
            Map.entry("unpair", "解除绑定"),
            Map.entry("paidBig", "已付款"),
            Map.entry("confirming", "已收到，确认中…")));

    /** The keys the page's script reads (handed to it as data attributes). */
    static final List<String> FOR_SCRIPT = List.of("waiting", "seen", "confirmed", "redirecting", "underpaid", "expired", "cancelled",
            "late", "offline", "copied", "copy");

    /** The keys the counter's script reads. */
    static final List<String> FOR_COUNTER = List.of("waiting", "underpaid", "expired", "cancelled", "pairRefused", "paidBig",
            "confirming", "none");

    private final String tag;
    private final String name;
    private final Map<String, String> text;

    Messages(String tag, String name, Map<String, String> text) {
        this.tag = tag;
        this.name = name;
        this.text = text;
    }

    String tag() {
        return tag;
    }

    /** The language's own name, for the switch. */
    String languageName() {
        return name;
    }

    /** The short form used in {@code ?lang=}. */
    String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    String get(String key) {
        String v = text.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no message " + key);
        }
        return v;
    }

    /**
     * The language to answer in: {@code lang} when it names one ("en", "zh"), else the first of Accept-Language's ranges (by
     * weight) that is Chinese or English, else English.
     */
    static Messages choose(String lang, String acceptLanguage) {
        if (lang != null) {
            for (Messages m : values()) {
                if (m.code().equalsIgnoreCase(lang)) {
                    return m;
                }
            }
        }
        if (acceptLanguage != null && acceptLanguage.length() <= 500) {
            try {
                for (Locale.LanguageRange r : Locale.LanguageRange.parse(acceptLanguage)) {
                    String range = r.getRange().toLowerCase(Locale.ROOT);
                    if (range.startsWith("zh")) {
                        return ZH;
                    }
                    if (range.startsWith("en")) {
                        return EN;
                    }
                }
            } catch (IllegalArgumentException malformed) {
                return EN; // a malformed header is no reason to refuse the page
            }
        }
        return EN;
    }
}
