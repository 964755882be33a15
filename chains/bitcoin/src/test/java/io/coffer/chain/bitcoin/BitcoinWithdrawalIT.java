package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.CustodyException;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.UtxoWithdrawalService;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Withdrawals built, signed, broadcast, confirmed and fee-bumped on a real bitcoind. */
@WithDevnet
class BitcoinWithdrawalIT {
    @TempDir
    Path dir;
    BitcoindNode node;
    BitcoinTestWallet wallet;
    Store store;
    AddressBook book;
    ChainFollower follower;
    UtxoWithdrawalService withdrawals;

    @BeforeEach
    void setUp(BitcoindNode node) {
        this.node = node;
        if (node.height() < 150) {
            node.mine(150);
        }
        wallet = new BitcoinTestWallet(dir, node, 1, 3);
        store = wallet.store;
        book = wallet.book;
        follower = wallet.follower;
        withdrawals = wallet.withdrawals;
        follower.poll();
        // Fund the wallet with three deposits, confirmed.
        for (String btc : new String[] {"0.5", "0.2", "0.1"}) {
            node.minerWallet("sendtoaddress", book.next(0, 0).address(), btc);
        }
        node.mine(1);
        sync();
        assertEquals(BigInteger.valueOf(80_000_000), withdrawals.balance(0).confirmed());
        assertEquals("SEALED", assertThrows(CustodyException.class, () -> withdrawals.create(0, minerAddress(),
                BigInteger.valueOf(1000), io.coffer.core.transfer.FeeRate.satPerVbyte(2), "sealed-try")).code());
        wallet.keys.unseal();
    }

    @AfterEach
    void tearDown() {
        wallet.close();
    }

    private void sync() {
        wallet.sync();
    }

    private String minerAddress() {
        return node.minerWallet("getnewaddress", "payee", "bech32").asText();
    }

    private BigInteger received(String address) {
        return new BigDecimal(node.minerWallet("getreceivedbyaddress", address, 0).asText()).movePointRight(8).toBigIntegerExact();
    }

    @Test
    void aWithdrawalIsSignedSentConfirmedAndTheBalanceAddsUp() {
        String payee = minerAddress();
        Withdrawal w = withdrawals.create(0, payee, BigInteger.valueOf(30_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(2), "order-1");
        assertEquals(WithdrawalStatus.BROADCAST, w.status());
        JsonNode entry = node.rpc("getmempoolentry", w.txid());
        assertTrue(entry.path("bip125-replaceable").asBoolean(true), "RBF signalled");
        assertEquals(1, w.inputs().size(), "largest coin first: 0.5 covers 0.3");
        UtxoWithdrawalService.Balance during = withdrawals.balance(0);
        assertEquals(BigInteger.valueOf(30_000_000).add(w.fee()), during.pendingOutgoing());

        node.mine(1);
        sync();
        Withdrawal done = withdrawals.get(w.id()).orElseThrow();
        assertEquals(WithdrawalStatus.CONFIRMED, done.status());
        assertEquals(BigInteger.valueOf(30_000_000), received(payee));
        UtxoWithdrawalService.Balance after = withdrawals.balance(0);
        assertEquals(BigInteger.valueOf(80_000_000 - 30_000_000).subtract(w.fee()), after.confirmed(), "change came back");
        assertEquals(BigInteger.ZERO, after.pendingOutgoing());
        // The fee matches the rate: vsize * 2 sat/vB, rounded up.
        long vsize = node.rpc("getrawtransaction", w.txid(), true).get("vsize").asLong();
        assertTrue(w.fee().subtract(BigInteger.valueOf(vsize * 2)).abs().compareTo(BigInteger.valueOf(4)) <= 0,
                "fee " + w.fee() + " is 2 sat/vB of the real size " + vsize + " within the estimate's rounding");
    }

    @Test
    void aFeeBumpReplacesTheTransactionAndKeepsTheId() {
        String payee = minerAddress();
        Withdrawal w = withdrawals.create(0, payee, BigInteger.valueOf(10_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "order-2");
        Withdrawal bumped = withdrawals.bump(w.id(), io.coffer.core.transfer.FeeRate.satPerVbyte(5));
        assertEquals(w.id(), bumped.id());
        assertNotEquals(w.txid(), bumped.txid());
        assertEquals(java.util.List.of(w.txid()), bumped.replacedTxids());
        assertTrue(bumped.fee().compareTo(w.fee()) > 0);
        assertEquals("FEE_TOO_LOW", assertThrows(CofferException.class, () -> withdrawals.bump(w.id(), io.coffer.core.transfer.FeeRate.milliSatPerVbyte(5_500))).code());
        node.mine(1);
        sync();
        Withdrawal done = withdrawals.get(w.id()).orElseThrow();
        assertEquals(WithdrawalStatus.CONFIRMED, done.status());
        assertEquals(bumped.txid(), done.txid());
        assertEquals(BigInteger.valueOf(10_000_000), received(payee), "paid exactly once");
    }

    /**
     * A merchant's wallet is mostly small deposits. A withdrawal needing more of them than one transaction nodes relay can spend
     * (100,000 vB) is refused naming what one can send; sending that builds a transaction bitcoind takes into its mempool.
     */
    @Test
    void aWalletOfManySmallCoinsSendsAtMostWhatOneRelayableTransactionHolds() {
        java.util.Map<String, String> outs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 1_500; i++) {
            outs.put(book.next(0, 0).address(), "0.0001");
        }
        node.minerWallet("sendmany", "", outs);
        node.mine(1);
        sync();
        assertEquals(BigInteger.valueOf(80_000_000 + 1_500 * 10_000), withdrawals.balance(0).confirmed());
        String payee = minerAddress();
        io.coffer.core.transfer.FeeRate rate = io.coffer.core.transfer.FeeRate.satPerVbyte(1);
        UtxoWithdrawalService.Balance before = withdrawals.balance(0);
        // The three large coins and all 1,500 small ones would be needed: more than the 1,469 inputs one transaction may have.
        CofferException e = assertThrows(CofferException.class,
                () -> withdrawals.create(0, payee, BigInteger.valueOf(94_800_000), rate, "many-1"));
        assertEquals("TOO_MANY_INPUTS", e.code());
        assertEquals("amount", e.field());
        assertEquals(before, withdrawals.balance(0), "nothing locked or written");
        BigInteger most = new BigInteger(e.details().get("most"));
        assertTrue(most.compareTo(BigInteger.valueOf(94_000_000)) > 0 && most.compareTo(BigInteger.valueOf(94_800_000)) < 0, most.toString());
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class,
                () -> withdrawals.create(0, payee, BigInteger.valueOf(95_000_000), rate, "many-2")).code(), "more than the account holds");

        Withdrawal w = withdrawals.create(0, payee, most, rate, "many-3");
        assertEquals(WithdrawalStatus.BROADCAST, w.status());
        assertEquals(io.coffer.core.transfer.CoinSelection.maxInputs(31), w.inputs().size());
        long vsize = node.rpc("getmempoolentry", w.txid()).get("vsize").asLong();
        assertTrue(vsize <= 100_000, "in bitcoind's mempool at " + vsize + " vB");
        node.mine(1);
        sync();
        assertEquals(WithdrawalStatus.CONFIRMED, withdrawals.get(w.id()).orElseThrow().status());
        assertEquals(most, received(payee));
    }

    @Test
    void badRequestsChangeNothing() {
        UtxoWithdrawalService.Balance before = withdrawals.balance(0);
        CofferException wrongNet = assertThrows(CofferException.class, () -> withdrawals.create(0,
                "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", BigInteger.valueOf(10_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "k1"));
        assertEquals("ADDRESS_WRONG_NETWORK", wrongNet.code());
        assertEquals("destination", wrongNet.field());
        String good = minerAddress();
        String typo = good.substring(0, good.length() - 1) + (good.endsWith("q") ? "p" : "q");
        assertEquals("ADDRESS_MALFORMED", assertThrows(CofferException.class,
                () -> withdrawals.create(0, typo, BigInteger.valueOf(10_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "k2")).code());
        assertEquals("AMOUNT_NOT_POSITIVE", assertThrows(CofferException.class,
                () -> withdrawals.create(0, good, BigInteger.valueOf(-5), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "k3")).code());
        assertEquals("AMOUNT_DUST", assertThrows(CofferException.class,
                () -> withdrawals.create(0, good, BigInteger.valueOf(100), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "k4")).code());
        CofferException poor = assertThrows(CofferException.class,
                () -> withdrawals.create(0, good, BigInteger.valueOf(100_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "k5"));
        assertEquals("INSUFFICIENT_FUNDS", poor.code());
        assertTrue(new BigInteger(poor.details().get("missing")).compareTo(BigInteger.valueOf(20_000_000)) > 0);
        assertEquals(before, withdrawals.balance(0));

        Withdrawal w = withdrawals.create(0, good, BigInteger.valueOf(1_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "same-key");
        assertEquals(w.id(), withdrawals.create(0, good, BigInteger.valueOf(1_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "same-key").id());
        CofferException reused = assertThrows(CofferException.class,
                () -> withdrawals.create(0, good, BigInteger.valueOf(2_000_000), io.coffer.core.transfer.FeeRate.satPerVbyte(1), "same-key"));
        assertEquals(ErrorKind.ALREADY_EXISTS, reused.kind());
    }
}
