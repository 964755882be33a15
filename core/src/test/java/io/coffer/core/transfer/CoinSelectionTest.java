package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.DepositId;
import io.coffer.core.error.CofferException;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Largest-first selection, its fee and change arithmetic, and the edges: dust, exact amounts, one satoshi short. */
class CoinSelectionTest {
    private static final FeeRate RATE = FeeRate.satPerVbyte(2);
    private static final int DEST = CoinSelection.P2WPKH_OUTPUT_VBYTES;

    private static CoinSelection.Coin coin(String txid, long sats) {
        return new CoinSelection.Coin(new DepositId(txid, 0), BigInteger.valueOf(sats));
    }

    private static long feeOf(int inputs, boolean change) {
        int vsize = CoinSelection.OVERHEAD_VBYTES + inputs * CoinSelection.P2WPKH_INPUT_VBYTES + DEST + (change ? CoinSelection.P2WPKH_OUTPUT_VBYTES : 0);
        return RATE.feeFor(vsize).longValueExact();
    }

    @Test
    void theLargestCoinsAreTakenFirstAndTheChangeBalancesExactly() {
        List<CoinSelection.Coin> coins = List.of(coin("a", 10_000), coin("b", 50_000), coin("c", 30_000));
        CoinSelection.Selection s = CoinSelection.select(coins, BigInteger.valueOf(60_000), RATE, DEST);
        assertEquals(List.of("b", "c"), s.inputs().stream().map(c -> c.id().txid()).toList());
        assertEquals(feeOf(2, true), s.fee().longValueExact());
        assertEquals(80_000 - 60_000 - feeOf(2, true), s.change().longValueExact());
        assertEquals(s.inputs().stream().map(CoinSelection.Coin::amount).reduce(BigInteger.ZERO, BigInteger::add),
                BigInteger.valueOf(60_000).add(s.fee()).add(s.change()), "inputs = amount + fee + change, to the satoshi");
    }

    @Test
    void changeBelowTheDustLimitGoesToTheFeeInsteadOfAnOutput() {
        long amount = 50_000 - feeOf(1, false) - 100; // 100 sat left over: less than dust plus a change output
        CoinSelection.Selection s = CoinSelection.select(List.of(coin("a", 50_000)), BigInteger.valueOf(amount), RATE, DEST);
        assertEquals(BigInteger.ZERO, s.change());
        assertEquals(feeOf(1, false) + 100, s.fee().longValueExact());
        assertEquals(s.vsize(), CoinSelection.OVERHEAD_VBYTES + CoinSelection.P2WPKH_INPUT_VBYTES + DEST, "no change output in the size");
    }

    @Test
    void anExactAmountNeedsNoChange() {
        long amount = 50_000 - feeOf(1, false);
        CoinSelection.Selection s = CoinSelection.select(List.of(coin("a", 50_000)), BigInteger.valueOf(amount), RATE, DEST);
        assertEquals(BigInteger.ZERO, s.change());
        assertEquals(feeOf(1, false), s.fee().longValueExact());
    }

    @Test
    void oneSatoshiShortIsRefusedWithWhatIsMissing() {
        long amount = 50_000 - feeOf(1, false) + 1;
        CofferException e = assertThrows(CofferException.class,
                () -> CoinSelection.select(List.of(coin("a", 50_000)), BigInteger.valueOf(amount), RATE, DEST));
        assertEquals("INSUFFICIENT_FUNDS", e.code());
        assertEquals("1", e.details().get("missing"));
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class,
                () -> CoinSelection.select(List.of(), BigInteger.valueOf(1_000), RATE, DEST)).code(), "no coins at all");
    }

    @Test
    void dustAndNonPositiveAmountsAreRefused() {
        List<CoinSelection.Coin> coins = List.of(coin("a", 50_000));
        assertEquals("AMOUNT_DUST", assertThrows(CofferException.class,
                () -> CoinSelection.select(coins, BigInteger.valueOf(CoinSelection.DUST_SATS - 1), RATE, DEST)).code());
        assertEquals("AMOUNT_NOT_POSITIVE", assertThrows(CofferException.class,
                () -> CoinSelection.select(coins, BigInteger.ZERO, RATE, DEST)).code());
        CoinSelection.select(coins, BigInteger.valueOf(CoinSelection.DUST_SATS), RATE, DEST); // the limit itself is fine
    }

    @Test
    void equalCoinsAreTakenInAStableOrder() {
        List<CoinSelection.Coin> coins = List.of(coin("c", 20_000), coin("a", 20_000), coin("b", 20_000));
        assertEquals(List.of("a", "b"), CoinSelection.select(coins, BigInteger.valueOf(30_000), RATE, DEST).inputs().stream()
                .map(c -> c.id().txid()).toList(), "ties broken by outpoint, so a retry builds the same transaction");
    }

    /** {@code n} coins of {@code sats} each in largest-first order, counting how many were read. */
    private static final class Coins implements java.util.Iterator<CoinSelection.Coin> {
        private final int n;
        private final long sats;
        int read;

        Coins(int n, long sats) {
            this.n = n;
            this.sats = sats;
        }

        @Override
        public boolean hasNext() {
            return read < n;
        }

        @Override
        public CoinSelection.Coin next() {
            return coin(String.format("%064x", read++), sats);
        }

        BigInteger all() {
            return BigInteger.valueOf(n * sats);
        }
    }

    @Test
    void noSelectionIsLargerThanNodesRelayAndEnoughInTooManyCoinsSaysWhatOneTransferCanSend() {
        FeeRate rate = FeeRate.satPerVbyte(1);
        int max = CoinSelection.maxInputs(DEST);
        assertEquals(1_469, max, "(400,000 - 4 x (11 + 2 + 31 + 31)) / 272, rounded down");
        Coins coins = new Coins(2_000, 1_000);
        CofferException e = assertThrows(CofferException.class,
                () -> CoinSelection.selectLargestFirst(coins, BigInteger.valueOf(1_600_000), rate, DEST, coins::all));
        assertEquals("TOO_MANY_INPUTS", e.code());
        assertEquals("amount", e.field());
        assertEquals(Integer.toString(max), e.details().get("max_inputs"));
        assertEquals(max + 0, coins.read, "read no more coins than one transaction can spend");
        long most = Long.parseLong(e.details().get("most"));
        Coins again = new Coins(2_000, 1_000);
        CoinSelection.Selection s = CoinSelection.selectLargestFirst(again, BigInteger.valueOf(most), rate, DEST, again::all);
        assertEquals(max, s.inputs().size(), "the most it names is sent by one transaction of every input it may have");
        assertTrue(s.vsize() <= CoinSelection.MAX_STANDARD_WEIGHT / 4, s.vsize() + " vB");
        assertEquals("TOO_MANY_INPUTS", assertThrows(CofferException.class, () -> CoinSelection.selectLargestFirst(new Coins(2_000, 1_000),
                BigInteger.valueOf(most + 1), rate, DEST, () -> BigInteger.valueOf(2_000_000))).code(), "one satoshi more");
    }

    @Test
    void tooLittleInTooManyCoinsIsInsufficientFundsCountingTheWholeAccount() {
        FeeRate rate = FeeRate.satPerVbyte(1);
        int max = CoinSelection.maxInputs(DEST);
        Coins coins = new Coins(2_000, 1_000);
        CofferException e = assertThrows(CofferException.class,
                () -> CoinSelection.selectLargestFirst(coins, BigInteger.valueOf(1_950_000), rate, DEST, coins::all));
        assertEquals("INSUFFICIENT_FUNDS", e.code());
        int fullSize = CoinSelection.OVERHEAD_VBYTES + max * CoinSelection.P2WPKH_INPUT_VBYTES + DEST;
        assertEquals(Long.toString(1_950_000 + fullSize - 2_000_000), e.details().get("missing"),
                "the amount and a full transaction's fee, less what the whole account holds");
        assertEquals(max, coins.read, "the rest of the account's coins were not read");
        // Fewer coins than one transaction may spend are all read, as before: the missing amount is exact.
        Coins few = new Coins(10, 1_000);
        assertEquals(Long.toString(20_000 + CoinSelection.OVERHEAD_VBYTES + 10 * CoinSelection.P2WPKH_INPUT_VBYTES + DEST - 10_000), assertThrows(CofferException.class,
                () -> CoinSelection.selectLargestFirst(few, BigInteger.valueOf(20_000), rate, DEST, () -> {
                    throw new AssertionError("every coin was read: no need to ask for the total");
                })).details().get("missing"));
    }

    @Test
    void theFeeRoundsUpToTheNextSatoshi() {
        assertEquals(BigInteger.valueOf(142), FeeRate.milliSatPerVbyte(1_001).feeFor(141), "141.141 sat rounds up");
        assertEquals(BigInteger.valueOf(141), FeeRate.milliSatPerVbyte(1_000).feeFor(141));
    }
}
