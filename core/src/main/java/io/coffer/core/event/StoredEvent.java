package io.coffer.core.event;

import java.time.Instant;

/**
 * An event as written.
 *
 * @param id       "ev_" + 24 hex, stable: consumers deduplicate by it
 * @param sequence the tenant's sequence, 1, 2, 3... without gaps
 * @param body     the full event as JSON, exactly what a webhook receives
 */
public record StoredEvent(String id, String tenant, long sequence, EventType type, Instant createdAt, String subjectId, String body) {
}
