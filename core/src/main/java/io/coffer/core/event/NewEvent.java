package io.coffer.core.event;

import java.util.Objects;

/**
 * An event about to be written: its tenant, type, the id of what it is about, and that subject rendered as JSON (an object,
 * the proto3 JSON of the subject message). The outbox adds the id, sequence and time.
 */
public record NewEvent(String tenant, EventType type, String subjectId, String subjectJson) {
    public NewEvent {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subjectId, "subjectId");
        if (subjectJson == null || !subjectJson.startsWith("{")) {
            throw new IllegalArgumentException("subject must be a JSON object");
        }
    }
}
