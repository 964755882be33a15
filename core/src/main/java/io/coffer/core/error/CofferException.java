package io.coffer.core.error;

import java.util.Map;
import java.util.Objects;

/**
 * Base of every domain error. The {@link #code()} is a stable, documented machine code (for example
 * {@code "SCHEMA_TOO_NEW"}) that clients can switch on; {@link #field()} names the offending request
 * field or configuration key when there is one. The message is for humans and must never contain a
 * secret: constructors take already-safe text only.
 */
public class CofferException extends RuntimeException {
    private final ErrorKind kind;
    private final String code;
    private final String field;
    private final Map<String, String> details;

    public CofferException(ErrorKind kind, String code, String message) {
        this(kind, code, null, message, Map.of(), null);
    }

    public CofferException(ErrorKind kind, String code, String field, String message,
                           Map<String, String> details, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.details = Map.copyOf(details);
    }

    /** An INVALID_ARGUMENT error naming the request field. */
    public static CofferException invalid(String field, String code, String message) {
        return new CofferException(ErrorKind.INVALID_ARGUMENT, code, field, field + ": " + message, Map.of(), null);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** The request field or configuration key at fault, or {@code null}. */
    public String field() {
        return field;
    }

    /** Non-secret structured data about the error (e.g. {@code missing} amount). */
    public Map<String, String> details() {
        return details;
    }
}
