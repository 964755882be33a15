package io.coffer.core.report;

import java.util.List;

/** RFC 4180 CSV lines, with spreadsheet formula injection neutralised in text a tenant or its customers wrote. */
public final class Csv {
    private Csv() {
    }

    /** One CRLF-terminated line. */
    public static String line(List<String> fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(fields.get(i)));
        }
        return b.append("\r\n").toString();
    }

    static String field(String v) {
        if (v == null) {
            return "";
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    /**
     * Free text (memo, order id, description, metadata): a leading {@code = + - @} or tab/CR would make a spreadsheet evaluate
     * the cell as a formula, so such text gets a leading apostrophe (OWASP's advice for CSV exports).
     */
    public static String text(String v) {
        if (v != null && !v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            return "'" + v;
        }
        return v;
    }
}
