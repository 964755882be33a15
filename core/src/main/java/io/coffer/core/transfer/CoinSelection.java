package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Coin selection for P2WPKH wallets: largest coins first until the amount plus the fee of the
 * transaction being built is covered. Largest-first keeps transactions small (fewer inputs, lower fee)
 * and is predictable for operators; it does consolidate less than branch-and-bound, which is acceptable
 * for a merchant wallet whose deposits are swept by spending. Change below the dust limit is not made:
 * it goes to the fee instead (an output worth less than the fee to spend it is a loss and a privacy leak).
 *
 * <p>Sizes (virtual bytes): 10.5 overhead, 68 per P2WPKH input, 31 per P2WPKH output (43 for P2TR/P2WSH
 * destinations are covered by the caller passing the destination's size).
 */
public final class CoinSelection {
    /** Virtual size of the transaction overhead (version, locktime, counts, segwit marker), rounded up. */
    public static final int OVERHEAD_VBYTES = 11;
    public static final int P2WPKH_INPUT_VBYTES = 68;
    public static final int P2WPKH_OUTPUT_VBYTES = 31;
    /** Outputs below this are dust for P2WPKH at the default relay fee. */
    public static final long DUST_SATS = 294;

    private CoinSelection() {
    }

    /** A spendable coin. */
    public record Coin(DepositId id, BigInteger amount) {
    }

    /** The chosen coins, the fee and the change (0 when none is made). */
    public record Selection(List<Coin> inputs, BigInteger fee, BigInteger change, int vsize) {
    }

    /**
     * @param destinationVbytes    the destination output's size
     * @throws CofferException FAILED_PRECONDITION {@code INSUFFICIENT_FUNDS} with detail {@code missing}
     */
    public static Selection select(List<Coin> available, BigInteger amount, FeeRate feeRate, int destinationVbytes) {
        List<Coin> sorted = new ArrayList<>(available);
        sorted.sort(LARGEST_FIRST);
        return selectLargestFirst(sorted.iterator(), amount, feeRate, destinationVbytes);
    }

    /** The order coins are taken in: largest first, equal ones by outpoint (the order of the kept coins' index by amount). */
    public static final Comparator<Coin> LARGEST_FIRST = Comparator.comparing(Coin::amount).reversed()
            .thenComparing(c -> c.id().txid()).thenComparingInt(c -> c.id().index());

    /**
     * As {@link #select}, from coins given already in {@link #LARGEST_FIRST} order, taking only as many as it needs: a wallet
     * holding thousands of coins reads the few a withdrawal spends (all of them only when they are not enough).
     *
     * @throws CofferException FAILED_PRECONDITION {@code INSUFFICIENT_FUNDS} with detail {@code missing}
     */
    public static Selection selectLargestFirst(Iterator<Coin> largestFirst, BigInteger amount, FeeRate feeRate, int destinationVbytes) {
        if (amount.signum() <= 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        if (amount.compareTo(BigInteger.valueOf(DUST_SATS)) < 0) {
            throw CofferException.invalid("amount", "AMOUNT_DUST", "below the dust limit of " + DUST_SATS + " satoshi");
        }
        List<Coin> chosen = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        while (largestFirst.hasNext()) {
            Coin c = largestFirst.next();
            chosen.add(c);
            total = total.add(c.amount());
            int vsizeWithChange = OVERHEAD_VBYTES + chosen.size() * P2WPKH_INPUT_VBYTES + destinationVbytes + P2WPKH_OUTPUT_VBYTES;
            BigInteger feeWithChange = feeRate.feeFor(vsizeWithChange);
            BigInteger change = total.subtract(amount).subtract(feeWithChange);
            if (change.compareTo(BigInteger.valueOf(DUST_SATS)) >= 0) {
                return new Selection(chosen, feeWithChange, change, vsizeWithChange);
            }
            int vsizeNoChange = vsizeWithChange - P2WPKH_OUTPUT_VBYTES;
            BigInteger feeNoChange = feeRate.feeFor(vsizeNoChange);
            BigInteger rest = total.subtract(amount);
            if (rest.compareTo(feeNoChange) >= 0) {
                // The leftover (< dust + the change output's fee) all goes to the fee.
                return new Selection(chosen, rest, BigInteger.ZERO, vsizeNoChange);
            }
        }
        int vsize = OVERHEAD_VBYTES + Math.max(1, chosen.size()) * P2WPKH_INPUT_VBYTES + destinationVbytes;
        BigInteger missing = amount.add(feeRate.feeFor(vsize)).subtract(total);
        throw new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount",
                "insufficient confirmed funds: " + missing + " more needed (amount plus fee)", Map.of("missing", missing.toString()), null);
    }
}
