package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The withdrawal state machine: what only the chain may end, and the stored ordinals. */
class WithdrawalStatusTest {
    @Test
    void theStoredOrdinalsNeverMove() {
        assertEquals(java.util.List.of("SIGNED", "BROADCAST", "BROADCAST_UNKNOWN", "CONFIRMING", "CONFIRMED", "FAILED", "CONFLICTED",
                "REVERTED"), java.util.Arrays.stream(WithdrawalStatus.values()).map(Enum::name).toList());
    }

    @Test
    void aConfirmedWithdrawalNeverEndsAtOnce() {
        // Whatever undoes a confirmation is followed to the reorg-safety depth first.
        assertFalse(WithdrawalStatus.CONFIRMED.canMoveTo(WithdrawalStatus.FAILED));
        assertTrue(WithdrawalStatus.CONFIRMED.canMoveTo(WithdrawalStatus.REVERTED));
        assertTrue(WithdrawalStatus.CONFIRMED.canMoveTo(WithdrawalStatus.CONFLICTED));
        assertTrue(WithdrawalStatus.CONFIRMED.canMoveTo(WithdrawalStatus.BROADCAST_UNKNOWN));
    }

    @Test
    void revertedAndConflictedAreFollowedNotFinal() {
        for (WithdrawalStatus s : EnumSet.of(WithdrawalStatus.REVERTED, WithdrawalStatus.CONFLICTED)) {
            assertFalse(s.isFinal(), s.name());
            assertTrue(s.wasSent(), s.name());
            assertTrue(s.canMoveTo(WithdrawalStatus.CONFIRMING), s + " can come back when a reorg mines it where it pays");
            assertTrue(s.canMoveTo(WithdrawalStatus.FAILED), s + " ends once past the safety depth");
        }
    }

    @Test
    void failedIsTheEnd() {
        for (WithdrawalStatus s : WithdrawalStatus.values()) {
            assertFalse(WithdrawalStatus.FAILED.canMoveTo(s), s.name());
        }
    }

    @Test
    void minedWithoutPayingIsReadFromTheStatusAndReason() {
        Withdrawal w = new Withdrawal("wd_1", "ethereum", 0, "0xto", java.math.BigInteger.ONE, java.math.BigInteger.ONE, 1,
                WithdrawalStatus.REVERTED, "0xtx", new byte[0], java.util.List.of(), -1, java.util.List.of(), "k", 1,
                WithdrawalLedger.REVERTED_REASON, java.time.Instant.EPOCH, java.time.Instant.EPOCH, "ethereum/ETH", "");
        assertTrue(WithdrawalLedger.minedWithoutPaying(w));
        assertTrue(WithdrawalLedger.minedWithoutPaying(w.with(WithdrawalStatus.FAILED, 0, WithdrawalLedger.CANCELLED_REASON,
                java.time.Instant.EPOCH)));
        assertFalse(WithdrawalLedger.minedWithoutPaying(w.with(WithdrawalStatus.FAILED, 0, "refused: insufficient fee",
                java.time.Instant.EPOCH)), "refused by the node: nothing mined");
        assertFalse(WithdrawalLedger.minedWithoutPaying(w.with(WithdrawalStatus.CONFIRMED, 2, "", java.time.Instant.EPOCH)));
    }
}
