/**
 * Payment requests: "pay this amount of this asset to this fresh address by this time". A request's status
 * is never stored as a decision: it is recomputed from the deposits to its address and the clock
 * ({@link io.coffer.core.payment.PaymentStatusRule}), so a reorg or a replaced transaction moves it back
 * by itself, and a late payment is recorded and flagged, never lost. Only cancelling is a decision.
 */
package io.coffer.core.payment;
