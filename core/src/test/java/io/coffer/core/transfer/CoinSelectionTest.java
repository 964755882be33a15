package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void theFeeRoundsUpToTheNextSatoshi() {
        assertEquals(BigInteger.valueOf(142), FeeRate.milliSatPerVbyte(1_001).feeFor(141), "141.141 sat rounds up");
        assertEquals(BigInteger.valueOf(141), FeeRate.milliSatPerVbyte(1_000).feeFor(141));
    }
}
