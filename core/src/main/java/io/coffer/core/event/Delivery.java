package io.coffer.core.event;

import java.time.Instant;

/**
 * One event's delivery to its tenant's webhook.
 *
 * @param lastHttpStatus HTTP status of the last attempt, 0 when there was no answer
 * @param lastError      "" or a short reason: "timeout", "connection refused", "HTTP 500"
 * @param nextAttemptAt  when PENDING: when it is due; otherwise the time of the last attempt
 * @param windowStart    start of the retry window (first queued, or the last redelivery)
 */
public record Delivery(String tenant, long sequence, String eventId, DeliveryState state, int attempts, int lastHttpStatus,
                       String lastError, Instant nextAttemptAt, Instant windowStart) {
}
