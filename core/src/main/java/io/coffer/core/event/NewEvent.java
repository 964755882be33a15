package io.coffer.core.event;

import java.util.Objects;

/**
 * An event about to be written: its tenant, type, the id of what it is about, and that subject rendered as JSON (an object,
 * the proto3 JSON of the subject message). The outbox adds the id, sequence and time.
 *
 * @param paymentRequestId the payment request the event moves ("" for none): its own id for a request's events, the request a
 *                         deposit pays for a deposit's; not stored, only handed to the outbox's listeners (live checkout pages)
 */
public record NewEvent(String tenant, EventType type, String subjectId, String subjectJson, String paymentRequestId) {
    /** An event about no payment request, or a payment request's own (its subject). */
    public NewEvent(String tenant, EventType type, String subjectId, String subjectJson) {
        this(tenant, type, subjectId, subjectJson, type != null && type.aboutPaymentRequest() ? subjectId : "");
    }

    public NewEvent {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(paymentRequestId, "paymentRequestId");
        if (subjectJson == null || !subjectJson.startsWith("{")) {
            throw new IllegalArgumentException("subject must be a JSON object");
        }
    }
}
