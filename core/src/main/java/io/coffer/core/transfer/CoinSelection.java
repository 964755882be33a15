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
    /**
     * The largest transaction nodes relay: Bitcoin Core's {@code MAX_STANDARD_TX_WEIGHT} (400,000 weight units, 100,000 vB).
     * A larger one is valid in a block but refused by every mempool ({@code tx-size}): signed, stored and never mined.
     */
    public static final int MAX_STANDARD_WEIGHT = 400_000;
    /**
     * A P2WPKH input's weight at most: 41 bytes outside the witness (x4) and a witness of at most 108 (item count, a DER
     * signature of at most 71 bytes — a 33-byte R, a low S, as relay requires — with its sighash byte, a 33-byte key, their
     * lengths): the 68 vB {@link #P2WPKH_INPUT_VBYTES} prices, so a transaction at the bound stays relayable whatever R is.
     */
    private static final int P2WPKH_INPUT_MAX_WEIGHT = 41 * 4 + 108;
    /** The input count's varint past 252 inputs: two bytes more than {@link #OVERHEAD_VBYTES} counts. */
    private static final int LONG_INPUT_COUNT_VBYTES = 2;

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
        return selectLargestFirst(sorted.iterator(), amount, feeRate, destinationVbytes,
                () -> available.stream().map(Coin::amount).reduce(BigInteger.ZERO, BigInteger::add));
    }

    /**
     * The most inputs a transaction paying a destination of {@code destinationVbytes} and a change output may have and stay
     * within {@link #MAX_STANDARD_WEIGHT}, every signature at its longest.
     */
    public static int maxInputs(int destinationVbytes) {
        int outside = 4 * (OVERHEAD_VBYTES + LONG_INPUT_COUNT_VBYTES + destinationVbytes + P2WPKH_OUTPUT_VBYTES);
        return (MAX_STANDARD_WEIGHT - outside) / P2WPKH_INPUT_MAX_WEIGHT;
    }

    /** The order coins are taken in: largest first, equal ones by outpoint (the order of the kept coins' index by amount). */
    public static final Comparator<Coin> LARGEST_FIRST = Comparator.comparing(Coin::amount).reversed()
            .thenComparing(c -> c.id().txid()).thenComparingInt(c -> c.id().index());

    /**
     * As {@link #select}, from coins given already in {@link #LARGEST_FIRST} order, taking only as many as it needs and never
     * more than a relayable transaction holds ({@link #maxInputs}): a wallet holding thousands of coins reads the few a
     * withdrawal spends, and at most {@code maxInputs + 1} when they are not enough.
     *
     * @param allCoins what all the account's coins hold, asked only when the largest {@code maxInputs} do not cover the amount
     *                 and more are left (to tell too little money from money in too many small coins)
     * @throws CofferException FAILED_PRECONDITION {@code INSUFFICIENT_FUNDS} with detail {@code missing}, or
     *                         {@code TOO_MANY_INPUTS} (the account holds enough, in more coins than one transaction relayed
     *                         can spend) with details {@code max_inputs} and {@code most}, the most one transaction can send
     */
    public static Selection selectLargestFirst(Iterator<Coin> largestFirst, BigInteger amount, FeeRate feeRate, int destinationVbytes,
            java.util.function.Supplier<BigInteger> allCoins) {
        if (amount.signum() <= 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        if (amount.compareTo(BigInteger.valueOf(DUST_SATS)) < 0) {
            throw CofferException.invalid("amount", "AMOUNT_DUST", "below the dust limit of " + DUST_SATS + " satoshi");
        }
        int max = maxInputs(destinationVbytes);
        List<Coin> chosen = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        while (chosen.size() < max && largestFirst.hasNext()) {
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
        if (chosen.size() == max && largestFirst.hasNext()) {
            // Coins are left that no relayable transaction can also spend: missing counts the whole account against a full
            // transaction's fee, and when the account holds enough the refusal says what one transaction can send instead.
            BigInteger all = allCoins.get();
            BigInteger fee = feeRate.feeFor(vsize);
            if (all.compareTo(amount.add(fee)) >= 0) {
                BigInteger most = total.subtract(fee).max(BigInteger.ZERO);
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "TOO_MANY_INPUTS", "amount", "amount: the account holds it in "
                        + "more coins than one transaction can spend (at most " + max + " inputs, " + MAX_STANDARD_WEIGHT / 4
                        + " vB, what nodes relay); at most " + most + " in one transfer now: send less at a time",
                        Map.of("max_inputs", Integer.toString(max), "most", most.toString()), null);
            }
            total = all;
        }
        BigInteger missing = amount.add(feeRate.feeFor(vsize)).subtract(total);
        throw new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount",
                "insufficient confirmed funds: " + missing + " more needed (amount plus fee)", Map.of("missing", missing.toString()), null);
    }
}
