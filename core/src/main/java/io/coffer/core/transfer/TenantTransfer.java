package io.coffer.core.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's transfer: the request as made, its approvals, and the chain withdrawal that carries it once sent. The chain
 * side (txid, fee, confirmations, broadcast state) lives in that {@link Withdrawal}; this record never copies it.
 *
 * @param feeRate       an explicit Bitcoin fee rate, empty for the priority's estimate
 * @param priority      how fast, when no explicit fee rate was given
 * @param createdBy     the API key that created it (it can never approve it)
 * @param approvals     admin keys that approved it, in order
 * @param withdrawalId  the chain withdrawal, "" until sent
 * @param failureReason set when FAILED before anything was signed, or REJECTED
 */
public record TenantTransfer(String id, String tenant, int account, String asset, String destination, BigInteger amount, FeePriority priority,
                             java.util.Optional<FeeRate> feeRate, String memo, String refundOf, String idempotencyKey, String createdBy, List<String> approvals,
                             State state, String withdrawalId, String failureReason, Instant createdAt, Instant updatedAt) {
    /**
     * Where a transfer is before (and whether) it has a withdrawal.
     * <pre>
     * AWAITING_APPROVAL --quorum--> SUBMITTING --withdrawal stored--> SUBMITTED (then the withdrawal's own states)
     * AWAITING_APPROVAL --reject--> REJECTED
     * SUBMITTING --refused before signing (funds, sealed, chain down)--> FAILED
     * </pre>
     * A crash in SUBMITTING is resumed with the same withdrawal idempotency key (the transfer id): at most one spend.
     */
    public enum State {
        AWAITING_APPROVAL,
        SUBMITTING,
        SUBMITTED,
        REJECTED,
        FAILED;

        boolean canMoveTo(State next) {
            return switch (this) {
                case AWAITING_APPROVAL -> next == SUBMITTING || next == REJECTED || next == AWAITING_APPROVAL;
                case SUBMITTING -> next == SUBMITTED || next == FAILED;
                case SUBMITTED, REJECTED, FAILED -> false;
            };
        }
    }

    public TenantTransfer {
        approvals = List.copyOf(approvals);
    }

    TenantTransfer moved(State next, List<String> approvals, String withdrawalId, String reason, Instant now) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("transfer " + id + " cannot move from " + state + " to " + next);
        }
        return new TenantTransfer(id, tenant, account, asset, destination, amount, priority, feeRate, memo, refundOf, idempotencyKey,
                createdBy, approvals, next, withdrawalId, reason, createdAt, now);
    }
}
