package io.coffer.api.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * A JUL formatter writing one JSON object per record:
 * {@code {"ts":"…","level":"INFO","logger":"…","thread":"…","msg":"…","error":"…","stack":"…"}}.
 * {@code error} and {@code stack} appear only when the record carries a throwable.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"ts\":\"").append(Instant.ofEpochMilli(r.getMillis())).append('"');
        field(b, "level", r.getLevel().getName());
        field(b, "logger", r.getLoggerName());
        field(b, "thread", Thread.currentThread().getName());
        field(b, "msg", formatMessage(r));
        if (r.getThrown() != null) {
            field(b, "error", r.getThrown().getClass().getName() + ": " + r.getThrown().getMessage());
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            field(b, "stack", sw.toString());
        }
        return b.append("}\n").toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        escape(b, value);
        b.append('"');
    }

    static void escape(StringBuilder b, String s) {
        io.coffer.core.text.Json.escape(b, s, false);
    }
}
