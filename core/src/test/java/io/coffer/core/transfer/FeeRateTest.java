package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FeeRateTest {
    @Test
    void aRateReadsAsTheMerchantWroteItAndIsExact() {
        assertEquals("1.5", FeeRate.milliSatPerVbyte(1_500).satPerVbyteText());
        assertEquals("2", FeeRate.satPerVbyte(2).satPerVbyteText());
        assertEquals("0.001 sat/vB", FeeRate.milliSatPerVbyte(1).toString());
        assertEquals(1, FeeRate.milliSatPerVbyte(1_999).wholeSatPerVbyte());
    }

    @Test
    void aReplacementMustPayTheRelayStepMore() {
        FeeRate current = FeeRate.satPerVbyte(2);
        assertEquals(FeeRate.satPerVbyte(3), current.plus(FeeRate.RELAY_STEP));
        assertTrue(current.plus(FeeRate.RELAY_STEP).isAbove(FeeRate.milliSatPerVbyte(2_999)));
        assertFalse(current.plus(FeeRate.RELAY_STEP).isAbove(FeeRate.satPerVbyte(3)));
        assertEquals(FeeRate.satPerVbyte(3), FeeRate.max(FeeRate.satPerVbyte(3), current));
    }

    @Test
    void feesRoundUpToTheSatoshiAndRatesArePositive() {
        assertEquals(BigInteger.valueOf(142), FeeRate.milliSatPerVbyte(1_001).feeFor(141));
        assertEquals(BigInteger.valueOf(141), FeeRate.satPerVbyte(1).feeFor(141));
        assertThrows(IllegalArgumentException.class, () -> FeeRate.milliSatPerVbyte(0));
        assertThrows(IllegalArgumentException.class, () -> FeeRate.milliSatPerVbyte(-1));
    }
}
