package io.coffer.api.checkout;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** What every answer of the checkout listener shares: its security headers, its bundled files, JSON strings. */
final class Web {
    /** Nothing but this listener's own script, style and images; no framing, no forms, no base rewriting. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private Web() {
    }

    static ServerResponse secure(ServerResponse res) {
        return res.header(HeaderNames.create("Content-Security-Policy"), CSP).header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(HeaderNames.create("Referrer-Policy"), "no-referrer").header(HeaderNames.create("X-Frame-Options"), "DENY");
    }

    /** A file of the page bundled in the build ({@code /checkout/NAME} on the classpath). */
    static byte[] resource(String name) {
        try (InputStream in = Web.class.getResourceAsStream("/checkout/" + name)) {
            if (in == null) {
                throw new IllegalStateException("checkout/" + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code s} as a JSON string, with {@code <} escaped too (never "</script>" in a body, wherever it is pasted). */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        io.coffer.core.text.Json.escape(b, s, true);
        return b.append('"').toString();
    }
}
