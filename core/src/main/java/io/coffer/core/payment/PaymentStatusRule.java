package io.coffer.core.payment;

import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositStatus;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one function that decides a payment request's status, from its deposits and the clock.
 *
 * <p>A deposit counts towards the request when it is of the request's asset, in a block or in the mempool (not reorged out
 * and missing, replaced or failed), and first seen before the request expired or was cancelled (otherwise it is late: credited to the tenant,
 * flagged, but never moving the request). A counted deposit is confirmed when it has the request's
 * required confirmations (for 0: as soon as seen). Then: confirmed sum ≥ amount → CONFIRMED; counted sum ≥
 * amount → PAID_UNCONFIRMED; cancelled → CANCELLED; past expiry → EXPIRED; something counted → UNDERPAID;
 * else PENDING. A reorg lowers the confirmed sum and the status moves back by itself.
 */
public final class PaymentStatusRule {
    private PaymentStatusRule() {
    }

    /** The evaluation: the status and the sums behind it. */
    public record Evaluation(PaymentRequestStatus status, BigInteger paid, BigInteger confirmed, BigInteger overpaid,
                             List<Deposit> counted, List<Deposit> late, boolean isFinal) {
    }

    /**
     * Whether a deposit's change from {@code before} to {@code after} can change the evaluation of a request that needs
     * {@code required} confirmations: {@link #evaluate} reads a deposit's asset, status, amount and first sighting, and its
     * confirmations only against the required number. A block adds a confirmation to every open deposit; one that stays on
     * the same side of the number changes nothing, and its request need not be evaluated again (that cost a block as much as
     * its open deposits). Kept beside the rule: a rule reading more of a deposit must say so here.
     */
    public static boolean mayChange(Deposit before, Deposit after, int required) {
        if (before == null || before.status() != after.status() || !before.amount().equals(after.amount())
                || !before.asset().equals(after.asset()) || !before.firstSeen().equals(after.firstSeen())) {
            return true;
        }
        return (before.confirmations() >= required) != (after.confirmations() >= required);
    }

    public static Evaluation evaluate(PaymentRequest pr, List<Deposit> deposits, Instant now) {
        Instant cutoff = pr.cancelledAt() != null ? pr.cancelledAt() : pr.expiresAt();
        List<Deposit> counted = new ArrayList<>();
        List<Deposit> late = new ArrayList<>();
        for (Deposit d : deposits) {
            if (!d.asset().equals(pr.asset()) || d.status() == DepositStatus.REPLACED || d.status() == DepositStatus.FAILED
                    || d.status() == DepositStatus.REORGED) {
                continue; // REORGED: out of the chain and not (yet) back in the mempool; once seen there again it is SEEN and counts
            }
            if (cutoff != null && d.firstSeen().isAfter(cutoff)) {
                late.add(d);
            } else {
                counted.add(d);
            }
        }
        BigInteger paid = BigInteger.ZERO;
        BigInteger confirmed = BigInteger.ZERO;
        boolean allFinal = !counted.isEmpty();
        for (Deposit d : counted) {
            paid = paid.add(d.amount());
            boolean inChain = d.status() == DepositStatus.CONFIRMING || d.status().isConfirmed();
            // A FINAL payment is past the chain's reorg-safety depth and no longer followed: its confirmations stop there, so it
            // is enough for any requirement (a request stored needing more, made before that was refused or before the depth
            // was lowered, would otherwise never be confirmed).
            boolean enough = pr.requiredConfirmations() == 0
                    || inChain && (d.confirmations() >= pr.requiredConfirmations() || d.status() == DepositStatus.FINAL);
            if (enough) {
                confirmed = confirmed.add(d.amount());
            }
            allFinal &= d.status() == DepositStatus.FINAL;
        }
        PaymentRequestStatus status;
        if (confirmed.compareTo(pr.amount()) >= 0) {
            status = PaymentRequestStatus.CONFIRMED;
        } else if (paid.compareTo(pr.amount()) >= 0) {
            status = PaymentRequestStatus.PAID_UNCONFIRMED;
        } else if (pr.cancelledAt() != null) {
            status = PaymentRequestStatus.CANCELLED;
        } else if (pr.expiresAt() != null && now.isAfter(pr.expiresAt())) {
            status = PaymentRequestStatus.EXPIRED;
        } else if (paid.signum() > 0) {
            status = PaymentRequestStatus.UNDERPAID;
        } else {
            status = PaymentRequestStatus.PENDING;
        }
        BigInteger over = paid.subtract(pr.amount()).max(BigInteger.ZERO);
        return new Evaluation(status, paid, confirmed, over, counted, late, status == PaymentRequestStatus.CONFIRMED && allFinal);
    }
}
