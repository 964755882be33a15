package io.coffer.core.payment;

/**
 * A merchant's choice of how long a payment must wait before its request counts as CONFIRMED, named as BTCPay names them, in
 * place of a number of confirmations. A policy asking for more confirmations than its chain follows (its reorg-safety depth,
 * where a payment is final) is refused naming the policy, as the same number given as such would be refused naming the number.
 */
public enum SpeedPolicy {
    /** Confirmed when seen (small amounts only, at the merchant's risk). */
    HIGH(0),
    MEDIUM(1),
    LOW_MEDIUM(2),
    LOW(6);

    private final int confirmations;

    SpeedPolicy(int confirmations) {
        this.confirmations = confirmations;
    }

    /** The confirmations a payment needs under this policy. */
    public int confirmations() {
        return confirmations;
    }
}
