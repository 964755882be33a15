package io.coffer.core.transfer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A UTXO chain's fee rate, kept in milli-satoshi per virtual byte so a merchant's "1.5 sat/vB" is exact. Where a caller may give
 * one or leave the choice to the node's estimate for a {@link FeePriority}, it is an {@code Optional<FeeRate>}.
 */
public record FeeRate(long milliSatPerVbyte) implements Comparable<FeeRate> {
    /** BIP-125's smallest step for a replacement: the relay fee of 1 sat/vB. */
    public static final FeeRate RELAY_STEP = satPerVbyte(1);

    public FeeRate {
        if (milliSatPerVbyte <= 0) {
            throw new IllegalArgumentException("a fee rate is positive");
        }
    }

    public static FeeRate satPerVbyte(long sat) {
        return new FeeRate(Math.multiplyExact(sat, 1000L));
    }

    public static FeeRate milliSatPerVbyte(long milli) {
        return new FeeRate(milli);
    }

    /** The fee, in satoshi rounded up, of a transaction of {@code vsize} virtual bytes at this rate. */
    public BigInteger feeFor(int vsize) {
        return BigInteger.valueOf(milliSatPerVbyte).multiply(BigInteger.valueOf(vsize)).add(BigInteger.valueOf(999))
                .divide(BigInteger.valueOf(1000));
    }

    public FeeRate plus(FeeRate other) {
        return new FeeRate(Math.addExact(milliSatPerVbyte, other.milliSatPerVbyte));
    }

    public boolean isAbove(FeeRate other) {
        return milliSatPerVbyte > other.milliSatPerVbyte;
    }

    public static FeeRate max(FeeRate a, FeeRate b) {
        return a.isAbove(b) ? a : b;
    }

    /** The rate as a merchant writes it: "2", "1.5" (sat/vB, no trailing zeros). */
    public String satPerVbyteText() {
        return new BigDecimal(milliSatPerVbyte).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    /** Whole sat/vB, rounded down (for messages). */
    public long wholeSatPerVbyte() {
        return BigDecimal.valueOf(milliSatPerVbyte).movePointLeft(3).setScale(0, RoundingMode.DOWN).longValue();
    }

    @Override
    public int compareTo(FeeRate o) {
        return Long.compare(milliSatPerVbyte, o.milliSatPerVbyte);
    }

    @Override
    public String toString() {
        return satPerVbyteText() + " sat/vB";
    }
}
