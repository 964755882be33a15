package io.coffer.core.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status rule is pure: facts in, status out. Every branch, and the moves back after a reorg. */
class PaymentStatusRuleTest {
    static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");
    static final Instant EXPIRY = T0.plusSeconds(900);

    static PaymentRequest request(long amount, int confirmations) {
        return new PaymentRequest("pr_1", "tn_1", 0, "bitcoin/BTC", BigInteger.valueOf(amount), "bcrt1qx", "bitcoin:bcrt1qx", confirmations,
                T0, EXPIRY, "order-1", Map.of(), "", "k", null, "");
    }

    static Deposit deposit(String txid, long amount, DepositStatus status, int conf, Instant seen) {
        return new Deposit("bitcoin", new DepositId(txid, 0), "bcrt1qx", 0, "bitcoin/BTC", BigInteger.valueOf(amount), status,
                conf > 0 ? 100 : 0, conf > 0 ? "h" : "", conf, seen, seen, List.of());
    }

    private static PaymentRequestStatus status(PaymentRequest pr, Instant now, Deposit... ds) {
        return PaymentStatusRule.evaluate(pr, List.of(ds), now).status();
    }

    @Test
    void exactUnderOverAndConfirmation() {
        PaymentRequest pr = request(1000, 2);
        Instant t = T0.plusSeconds(60);
        assertEquals(PaymentRequestStatus.PENDING, status(pr, t));
        assertEquals(PaymentRequestStatus.UNDERPAID, status(pr, t, deposit("a", 400, DepositStatus.SEEN, 0, t)));
        assertEquals(PaymentRequestStatus.PAID_UNCONFIRMED, status(pr, t, deposit("a", 1000, DepositStatus.SEEN, 0, t)));
        assertEquals(PaymentRequestStatus.PAID_UNCONFIRMED, status(pr, t, deposit("a", 1000, DepositStatus.CONFIRMING, 1, t)));
        assertEquals(PaymentRequestStatus.CONFIRMED, status(pr, t, deposit("a", 1000, DepositStatus.CONFIRMED, 2, t)));
        // Two payments adding up; an overpayment is recorded.
        var over = PaymentStatusRule.evaluate(pr, List.of(deposit("a", 700, DepositStatus.CONFIRMED, 3, t),
                deposit("b", 500, DepositStatus.CONFIRMED, 2, t)), t);
        assertEquals(PaymentRequestStatus.CONFIRMED, over.status());
        assertEquals(BigInteger.valueOf(200), over.overpaid());
        assertFalse(over.isFinal());
        assertTrue(PaymentStatusRule.evaluate(pr, List.of(deposit("a", 1000, DepositStatus.FINAL, 6, t)), t).isFinal());
    }

    @Test
    void aReorgOrAReplacementMovesTheStatusBack() {
        PaymentRequest pr = request(1000, 1);
        Instant t = T0.plusSeconds(60);
        // Out of its block and not back in the mempool: it counts nothing (paid 0); back in the mempool it is SEEN and counts.
        var reorged = PaymentStatusRule.evaluate(pr, List.of(deposit("a", 1000, DepositStatus.REORGED, 0, t)), t);
        assertEquals(PaymentRequestStatus.PENDING, reorged.status());
        assertEquals(BigInteger.ZERO, reorged.paid());
        assertEquals(PaymentRequestStatus.PAID_UNCONFIRMED, status(pr, t, deposit("a", 1000, DepositStatus.SEEN, 0, t)));
        assertEquals(PaymentRequestStatus.PENDING, status(request(1000, 0), t, deposit("a", 1000, DepositStatus.REORGED, 0, t)),
                "not even a zero-confirmation request counts a payment that is nowhere");
        assertEquals(PaymentRequestStatus.PENDING, status(pr, t, deposit("a", 1000, DepositStatus.REPLACED, 0, t)));
        assertEquals(PaymentRequestStatus.PENDING, status(pr, t, deposit("a", 1000, DepositStatus.FAILED, 0, t)));
    }

    @Test
    void expiryLatePaymentsAndCancellation() {
        PaymentRequest pr = request(1000, 1);
        Instant after = EXPIRY.plusSeconds(1);
        assertEquals(PaymentRequestStatus.EXPIRED, status(pr, after));
        var late = PaymentStatusRule.evaluate(pr, List.of(deposit("a", 1000, DepositStatus.CONFIRMED, 1, after)), after.plusSeconds(5));
        assertEquals(PaymentRequestStatus.EXPIRED, late.status(), "a late payment never moves the request");
        assertEquals(1, late.late().size(), "but it is recorded");
        // Paid in time, confirmed after expiry: confirmed.
        assertEquals(PaymentRequestStatus.CONFIRMED, status(pr, after, deposit("a", 1000, DepositStatus.CONFIRMED, 1, T0.plusSeconds(30))));
        PaymentRequest cancelled = pr.cancelled(T0.plusSeconds(100));
        assertEquals(PaymentRequestStatus.CANCELLED, status(cancelled, T0.plusSeconds(200),
                deposit("a", 1000, DepositStatus.CONFIRMED, 1, T0.plusSeconds(150))));
        assertEquals(PaymentRequestStatus.PENDING, status(request(1000, 0), T0.plusSeconds(1)));
        assertEquals(PaymentRequestStatus.CONFIRMED, status(request(1000, 0), T0.plusSeconds(1),
                deposit("a", 1000, DepositStatus.SEEN, 0, T0)), "0 confirmations: counted when seen");
    }

    /** A confirmation more or fewer (a block, a reorg) matters only across the required number; anything else always may. */
    @Test
    void onlyConfirmationsCrossingTheRequiredNumberOrOtherChangesMayMoveARequest() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Deposit two = deposit("aa", 1000, DepositStatus.CONFIRMED, 2, t);
        Deposit three = deposit("aa", 1000, DepositStatus.CONFIRMED, 3, t);
        Deposit four = deposit("aa", 1000, DepositStatus.CONFIRMED, 4, t);
        assertFalse(PaymentStatusRule.mayChange(three, four, 3), "past the number");
        assertFalse(PaymentStatusRule.mayChange(deposit("aa", 1000, DepositStatus.CONFIRMED, 1, t), two, 3), "below it");
        assertTrue(PaymentStatusRule.mayChange(two, three, 3), "reaching it");
        assertTrue(PaymentStatusRule.mayChange(four, two, 3), "a reorg taking it back below");
        assertFalse(PaymentStatusRule.mayChange(two, three, 0), "a request needing none");
        assertTrue(PaymentStatusRule.mayChange(null, three, 3), "a new deposit");
        assertTrue(PaymentStatusRule.mayChange(three, deposit("aa", 1000, DepositStatus.FINAL, 4, t), 3), "a status step");
        assertTrue(PaymentStatusRule.mayChange(three, deposit("aa", 1000, DepositStatus.CONFIRMED, 3, t.plusSeconds(1)), 3),
                "another first sighting");
        assertTrue(PaymentStatusRule.mayChange(three, deposit("aa", 999, DepositStatus.CONFIRMED, 3, t), 3), "another amount");
    }
}
