package io.coffer.core.event;

/** What changed; mirrors {@code coffer.v1.EventType} (proto name = "EVENT_TYPE_" + name). */
public enum EventType {
    PAYMENT_REQUEST_CREATED,
    /** Status, paid or confirmed amount, finality or late payments of a request changed. */
    PAYMENT_REQUEST_UPDATED,
    /** A deposit to one of the tenant's addresses was first seen (mempool or block). */
    DEPOSIT_SEEN,
    /** A deposit's status, or its confirmations while below the chain's target, changed. */
    DEPOSIT_UPDATED,
    TRANSFER_CREATED,
    TRANSFER_UPDATED;

    /** The proto enum name. */
    public String protoName() {
        return "EVENT_TYPE_" + name();
    }

    /** Whether the subject is a payment request (its id is the event's subject id). */
    public boolean aboutPaymentRequest() {
        return this == PAYMENT_REQUEST_CREATED || this == PAYMENT_REQUEST_UPDATED;
    }

    /** The JSON field the subject goes in (proto3 JSON names of the {@code Event.subject} oneof). */
    public String subjectField() {
        return switch (this) {
            case PAYMENT_REQUEST_CREATED, PAYMENT_REQUEST_UPDATED -> "paymentRequest";
            case DEPOSIT_SEEN, DEPOSIT_UPDATED -> "deposit";
            case TRANSFER_CREATED, TRANSFER_UPDATED -> "transfer";
        };
    }
}
