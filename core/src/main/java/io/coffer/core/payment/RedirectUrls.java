package io.coffer.core.payment;

import io.coffer.core.error.CofferException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rule for a payment request's redirect URL: the checkout page sends the customer's browser there, so it must be a plain web
 * address the merchant owns — absolute {@code http}/{@code https} with a host, no user info (which phishing links use to look
 * like another site), no control characters or spaces, at most {@link #MAX_LENGTH} characters. {@code javascript:},
 * {@code data:} and relative URLs are refused. The node never fetches it.
 */
final class RedirectUrls {
    static final int MAX_LENGTH = 2_000;

    private RedirectUrls() {
    }

    /** @throws CofferException INVALID_ARGUMENT REDIRECT_URL_INVALID (field redirect_url); empty is fine (no redirect) */
    static void check(String url) {
        if (url.isEmpty()) {
            return;
        }
        if (url.length() > MAX_LENGTH) {
            throw CofferException.invalid("redirect_url", "FIELD_TOO_LONG", "at most " + MAX_LENGTH + " characters");
        }
        if (!url.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw invalid("printable ASCII without spaces (percent-encode the rest)");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw invalid("an absolute http:// or https:// URL is required");
        }
        if (u.getRawUserInfo() != null || u.getHost() == null || u.getHost().isEmpty()) {
            throw invalid("a host is required and user info is not allowed");
        }
    }

    private static CofferException invalid(String why) {
        return CofferException.invalid("redirect_url", "REDIRECT_URL_INVALID", why);
    }
}
