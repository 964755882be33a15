package io.coffer.core.payment;

/**
 * The derived state of a payment request (see payments.proto for the merchant's view). Computed by
 * {@link PaymentStatusRule#evaluate} from facts; the only stored decision is cancellation.
 */
public enum PaymentRequestStatus {
    /** Nothing counted yet. */
    PENDING,
    /** Counted payments reach the amount, not all with the required confirmations. */
    PAID_UNCONFIRMED,
    /** Counted payments are below the amount; the customer may still top up until expiry. */
    UNDERPAID,
    /** Payments with the required confirmations reach the amount. */
    CONFIRMED,
    /** Expired before reaching the amount; later payments are late. */
    EXPIRED,
    /** Cancelled by the merchant before payment; later payments are late. */
    CANCELLED
}
