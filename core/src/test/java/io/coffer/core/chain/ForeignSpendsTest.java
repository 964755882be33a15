package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            ForeignSpends.keep(store, "bitcoin");
            ForeignSpends.keep(store, "ethereum");
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

    /**
     * Random lives of spends (recorded, re-recorded by another transaction, disconnected) and of the wallet's transaction ids
     * (some written before the spend is seen, as the ledger writes them, some after): what the index finds is, after every
     * batch, what reading every spend and checking each finds.
     */
    @Test
    void theIndexFindsWhatReadingEverySpendFinds() {
        java.util.Random random = new java.util.Random(20261203L);
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            ForeignSpends.keep(store, "bitcoin");
            ForeignSpends.keep(store, "ethereum");
            // The rows the index must hold: a spend is filed when the batch writing it leaves its transaction none of the
            // wallet's, and leaves with it; a transaction id made the wallet's later leaves it filed (find checks again).
            java.util.Set<ChainTables.ChainDeposit> filed = new java.util.TreeSet<>(java.util.Comparator.comparing(ChainTables.ChainDeposit::chain)
                    .thenComparing(c -> c.id().txid()).thenComparing(c -> c.id().index()));
            java.util.Set<ChainTables.ChainAddress> own = new java.util.HashSet<>();
            for (int step = 0; step < 400; step++) {
                var b = store.batch();
                for (int op = random.nextInt(4); op >= 0; op--) {
                    String chain = random.nextBoolean() ? "bitcoin" : "ethereum";
                    var coin = new ChainTables.ChainDeposit(chain, new DepositId(Integer.toHexString(random.nextInt(12)), random.nextInt(2)));
                    String txid = "tx" + random.nextInt(300);
                    switch (random.nextInt(4)) {
                        case 0, 1 -> b.put(ChainTables.SPENT_OUTPUTS, coin, chain.equals("bitcoin") ? new ChainTables.SpentOutput(txid, step)
                                : new ChainTables.SpentOutput(txid, step, "ethereum/ETH", BigInteger.ONE, "ethereum/ETH", BigInteger.TWO));
                        case 2 -> b.delete(ChainTables.SPENT_OUTPUTS, coin);
                        default -> b.put(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(chain, txid), "wd_" + txid);
                    }
                }
                own.addAll(b.changes(ChainTables.OWN_TXIDS).keySet());
                b.changes(ChainTables.SPENT_OUTPUTS).forEach((coin, spend) -> {
                    if (spend.isPresent() && !own.contains(new ChainTables.ChainAddress(coin.chain(), spend.get().txid()))) {
                        filed.add(coin);
                    } else {
                        filed.remove(coin);
                    }
                });
                b.commit();
                assertEquals(everySpendChecked(store), ForeignSpends.find(store), "after batch " + step);
                assertEquals(new java.util.ArrayList<>(filed), store.list(ChainTables.FOREIGN_SPENDS, ChainTables.FOREIGN_SPENDS.all(),
                        Integer.MAX_VALUE).stream().map(java.util.Map.Entry::getKey).toList(), "the index after batch " + step);
            }
            assertTrue(!ForeignSpends.find(store, "bitcoin").isEmpty() && !ForeignSpends.find(store, "ethereum").isEmpty(),
                    "the life left foreign spends on both chains");
            assertEquals(ForeignSpends.find(store).stream().filter(f -> f.chain().equals("ethereum")).toList(),
                    ForeignSpends.find(store, "ethereum"));
        }
    }

    /** What the index must find: every spend recorded whose transaction is none of the wallet's, by chain and coin. */
    private static List<ForeignSpends.Spend> everySpendChecked(Store store) {
        List<ForeignSpends.Spend> out = new java.util.ArrayList<>();
        for (var e : store.list(ChainTables.SPENT_OUTPUTS, ChainTables.SPENT_OUTPUTS.all(), Integer.MAX_VALUE)) {
            var coin = e.getKey();
            var by = e.getValue();
            if (store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(coin.chain(), by.txid())).isEmpty()) {
                out.add(new ForeignSpends.Spend(coin.chain(), coin.id(), by.asset(), by.amount(), by.feeAsset(), by.fee(), by.txid(),
                        by.height()));
            }
        }
        return out;
    }
}
