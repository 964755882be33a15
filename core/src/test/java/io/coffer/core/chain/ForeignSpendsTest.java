package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.CofferSchema;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spent-outputs rows of both chain kinds, and which of them {@link ForeignSpends} lists. */
class ForeignSpendsTest {
    @TempDir
    Path dir;

    @Test
    void aUtxoRowKeepsItsFormAndAnAccountRowCarriesWhatMovedAndItsFee() throws Exception {
        ByteArrayOutputStream old = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(old)) { // the row as schema 5 wrote it
            out.writeUTF("spender");
            out.writeLong(7);
        }
        var codec = ChainTables.SPENT_OUTPUTS.values();
        assertEquals(new ChainTables.SpentOutput("spender", 7), codec.decode(old.toByteArray()));
        assertEquals(java.util.HexFormat.of().formatHex(old.toByteArray()),
                java.util.HexFormat.of().formatHex(codec.encode(new ChainTables.SpentOutput("spender", 7))), "UTXO rows unchanged");
        var account = new ChainTables.SpentOutput("0xfeed", 9, "ethereum/USDC", BigInteger.valueOf(12_500_000), "ethereum/ETH",
                new BigInteger("21000000000000"));
        assertEquals(account, codec.decode(codec.encode(account)));
    }

    @Test
    void spendsByTransactionsTheLedgerMadeAreNotListed() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            DepositId coin = new DepositId("aa".repeat(32), 1);
            store.batch()
                    .put(ChainTables.DEPOSITS, new ChainTables.ChainDeposit("bitcoin", coin), new Deposit("bitcoin", coin, "bcrt1q", 0,
                            "bitcoin/BTC", BigInteger.valueOf(50_000), DepositStatus.CONFIRMED, 3, "h3", 4, java.time.Instant.EPOCH,
                            java.time.Instant.EPOCH, List.of()))
                    .put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("bitcoin", coin), new ChainTables.SpentOutput("foreign", 5))
                    .put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("bitcoin", new DepositId("bb".repeat(32), 0)),
                            new ChainTables.SpentOutput("ours", 6))
                    .put(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress("bitcoin", "ours"), "wd_1")
                    .put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("ethereum", new DepositId("0xHot", 4)),
                            new ChainTables.SpentOutput("0xfeed", 9, "ethereum/ETH", BigInteger.TEN, "ethereum/ETH", BigInteger.ONE))
                    .commit();
            assertEquals(List.of(
                    new ForeignSpends.Spend("bitcoin", coin, "bitcoin/BTC", BigInteger.valueOf(50_000), "", BigInteger.ZERO, "foreign", 5),
                    new ForeignSpends.Spend("ethereum", new DepositId("0xHot", 4), "ethereum/ETH", BigInteger.TEN, "ethereum/ETH",
                            BigInteger.ONE, "0xfeed", 9)), ForeignSpends.find(store));
        }
    }
}
