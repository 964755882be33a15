package io.coffer.core.transfer;

/**
 * Where a tenant's transfer stands, as the merchant sees it (the API's {@code TransferStatus} has the same names): before its
 * withdrawal exists, the transfer's own state (waiting for approvals, rejected, refused); after, its withdrawal's status
 * ({@link WithdrawalStatus}, whose transitions are documented there).
 */
public enum TransferStatus {
    AWAITING_APPROVAL,
    SIGNED,
    BROADCAST,
    BROADCAST_UNKNOWN,
    CONFIRMING,
    CONFIRMED,
    FAILED,
    REJECTED,
    CONFLICTED,
    REVERTED;

    /** The status of a transfer whose withdrawal is {@code w}. */
    public static TransferStatus of(WithdrawalStatus w) {
        return switch (w) {
            case SIGNED -> SIGNED;
            case BROADCAST -> BROADCAST;
            case BROADCAST_UNKNOWN -> BROADCAST_UNKNOWN;
            case CONFIRMING -> CONFIRMING;
            case CONFIRMED -> CONFIRMED;
            case FAILED -> FAILED;
            case CONFLICTED -> CONFLICTED;
            case REVERTED -> REVERTED;
        };
    }

    /** Whether the transfer's amount counts against the tenant's limits (everything that is not refused or failed). */
    public boolean countsAgainstLimits() {
        return this != REJECTED && this != FAILED;
    }
}
