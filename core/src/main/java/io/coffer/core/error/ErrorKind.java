package io.coffer.core.error;

/**
 * The category of a domain error, chosen so that each maps to exactly one gRPC status code at the
 * edge without core knowing gRPC. The client-visible meaning of each is documented in common.proto.
 */
public enum ErrorKind {
    /** A request field is malformed; nothing was changed. */
    INVALID_ARGUMENT,
    /** The object does not exist, or belongs to another tenant. */
    NOT_FOUND,
    /** An object with the same identity exists (e.g. idempotency key reused with other fields). */
    ALREADY_EXISTS,
    /** The node's state forbids the operation now (sealed, watch-only, wrong status...). */
    FAILED_PRECONDITION,
    /** A dependency (a chain node) could not be reached; retrying later is safe. */
    UNAVAILABLE,
    /** The caller is not identified. */
    UNAUTHENTICATED,
    /** The caller is identified but lacks the scope. */
    PERMISSION_DENIED,
    /** Too many attempts (wrong second-factor codes): wait for the time its metadata gives. */
    RESOURCE_EXHAUSTED,
    /** A bug or an environment failure; details stay in the node's log. */
    INTERNAL
}
