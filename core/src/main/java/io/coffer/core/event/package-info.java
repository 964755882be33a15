/**
 * The tenant event outbox and its webhook delivery.
 *
 * <p>Every change a merchant can see (a payment request, a deposit, a transfer) becomes a {@link io.coffer.core.event.StoredEvent}
 * written by {@link io.coffer.core.event.EventOutbox} in the same atomic batch as the change, with the tenant's next sequence
 * number. Sequences are given and committed under one lock, so a reader that has seen sequence {@code n} has seen every
 * sequence below it: resuming "after n" never skips one. Webhook deliveries are queued in that same batch and sent by
 * {@link io.coffer.core.event.WebhookService} with retries; delivery state lives next to the events, never in memory only.
 *
 * <p>The event body is stored rendered (the JSON a webhook receives, the proto3 JSON of {@code coffer.v1.Event}): it describes
 * the subject as it was at that moment, which a later re-render from current state could not.
 */
package io.coffer.core.event;
