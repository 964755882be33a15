package io.coffer.core.event;

/**
 * A webhook delivery's state.
 *
 * <pre>
 * PENDING --2xx--> DELIVERED
 * PENDING --failure, retry window not over--> PENDING (attempts + 1, next attempt later)
 * PENDING --failure after the retry window--> FAILED
 * FAILED / DELIVERED --redeliver--> PENDING (due now)
 * </pre>
 */
public enum DeliveryState {
    PENDING,
    DELIVERED,
    FAILED
}
