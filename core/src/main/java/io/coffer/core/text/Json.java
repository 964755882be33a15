package io.coffer.core.text;

/** JSON string literals (RFC 8259): the one escaping the node's hand-written JSON uses (logs, alert webhooks, checkout pages). */
public final class Json {
    private Json() {
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        escape(b, s, false);
        return b.append('"').toString();
    }

    /**
     * Appends {@code s} escaped for the inside of a JSON string: quote, backslash and control characters; {@code <} too when
     * {@code forHtml} (a body pasted into a page can then never close a script element).
     */
    public static void escape(StringBuilder b, String s, boolean forHtml) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || forHtml && c == '<') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
