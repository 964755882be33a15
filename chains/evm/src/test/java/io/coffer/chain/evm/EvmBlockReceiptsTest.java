package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.chain.OutpointSpend;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.ScriptedJsonRpc;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many calls a block's receipts cost: a block in which the wallet sent or received a good part of the transactions is one
 * {@code eth_getBlockReceipts} for its payments and its spends together, a block with one of the wallet's among many is one
 * receipt, and a node without the method is asked one receipt per transaction from then on. Against a scripted endpoint
 * answering each method from a queue: an unscripted call is refused, so a call the source should not make fails the test.
 */
class EvmBlockReceiptsTest {
    private static final String HOT = "0x" + "ab".repeat(20);
    private static final String DEPOSIT = "0x" + "cd".repeat(20);
    private static final String OUTSIDE = "0x" + "ef".repeat(20);
    private static final WatchList WATCHED = new WatchList() {
        @Override
        public boolean watches(String address) {
            return Set.of(EvmChainSource.checksummed(HOT), EvmChainSource.checksummed(DEPOSIT)).contains(address);
        }

        @Override
        public boolean watchesKey(byte[] key) {
            throw new AssertionError("an EVM source matches by text");
        }
    };
    private ScriptedJsonRpc node;
    private EvmChainSource source;

    @BeforeEach
    void start() {
        node = ScriptedJsonRpc.start();
        EvmChainConfig config = new EvmChainConfig("ethereum", 31337, node.url(), 1, 4, Duration.ofSeconds(1), "ETH", 18, true, List.of());
        source = new EvmChainSource(new EvmRpcClient("ethereum", node.url(), Duration.ofSeconds(5)), config);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static String hash(int block, int tx) {
        return String.format("0x%062x%02x", block, tx);
    }

    private static String blockHash(int block) {
        return String.format("0x%064x", 0xb10c000L + block);
    }

    /** A transaction of block {@code block}: {@code from} pays {@code to} 1,000 wei at nonce {@code tx}. */
    private static String tx(int block, int tx, String from, String to) {
        return "{\"hash\":\"" + hash(block, tx) + "\",\"nonce\":\"0x" + Integer.toHexString(tx) + "\",\"from\":\"" + from + "\",\"to\":\""
                + to + "\",\"value\":\"0x3e8\",\"gas\":\"0x5208\",\"gasPrice\":\"0x3b9aca00\",\"input\":\"0x\",\"blockHash\":\""
                + blockHash(block) + "\",\"blockNumber\":\"0x" + Integer.toHexString(block) + "\",\"transactionIndex\":\"0x"
                + Integer.toHexString(tx) + "\"}";
    }

    private static String receipt(int block, int tx, String ofBlock) {
        return "{\"transactionHash\":\"" + hash(block, tx) + "\",\"blockNumber\":\"0x" + Integer.toHexString(block) + "\",\"blockHash\":\""
                + ofBlock + "\",\"status\":\"0x1\",\"gasUsed\":\"0x5208\",\"cumulativeGasUsed\":\"0x5208\",\"effectiveGasPrice\":"
                + "\"0x3b9aca00\",\"logs\":[],\"transactionIndex\":\"0x" + Integer.toHexString(tx) + "\"}";
    }

    /** Scripts block {@code block} with {@code txs} (JSON objects) and returns its header as the source hands it out. */
    private BlockHeader block(int block, List<String> txs) {
        node.results("eth_getBlockByNumber", "{\"number\":\"0x" + Integer.toHexString(block) + "\",\"hash\":\"" + blockHash(block)
                + "\",\"parentHash\":\"" + blockHash(block - 1) + "\",\"transactions\":[" + String.join(",", txs) + "]}");
        return source.headerToConnect(block);
    }

    private static String receipts(int block, int count) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(receipt(block, i, blockHash(block)));
        }
        return "[" + String.join(",", all) + "]";
    }

    @Test
    void aBlockMostlyTheWalletsIsOneCallForItsPaymentsAndItsSpends() {
        // Five transactions: three sent by the hot wallet, one paying a deposit address, one between outsiders.
        List<String> txs = List.of(tx(7, 0, HOT, OUTSIDE), tx(7, 1, HOT, OUTSIDE), tx(7, 2, OUTSIDE, DEPOSIT), tx(7, 3, HOT, OUTSIDE),
                tx(7, 4, OUTSIDE, OUTSIDE));
        BlockHeader h = block(7, txs);
        node.results("eth_getBlockReceipts", receipts(7, 5));

        List<Payment> payments = source.payments(h, WATCHED);
        List<OutpointSpend> spends = source.spends(h, id -> false, WATCHED);

        assertEquals(List.of(hash(7, 2)), payments.stream().map(Payment::txid).toList());
        assertEquals(List.of(hash(7, 0), hash(7, 1), hash(7, 3)), spends.stream().map(OutpointSpend::txid).toList());
        assertEquals(BigInteger.valueOf(21_000L * 1_000_000_000L), spends.get(0).fee());
        assertEquals(BigInteger.valueOf(1000), spends.get(0).amount());
        assertEquals(Map.of(), node.unasked(), "one eth_getBlockReceipts, no eth_getTransactionReceipt (unscripted: refused)");
    }

    /**
     * The withdrawals' looks right after the follower read the best block: a transaction in it or in an ancestor read lately
     * is answered from the receipts already read (no call); with a best block not read, one on another branch, or for a
     * transaction in none of them, the node is asked.
     */
    @Test
    void aWithdrawalInTheBestBlockJustReadIsPlacedWithoutACall() {
        BlockHeader h = block(13, List.of(tx(13, 0, HOT, OUTSIDE), tx(13, 1, HOT, OUTSIDE)));
        node.results("eth_getBlockReceipts", receipts(13, 2));
        source.payments(h, WATCHED);
        source.spends(h, id -> false, WATCHED);

        TxStatus s = source.txStatus(hash(13, 1), List.of(HOT + ":1"), h);
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(13, s.blockHeight());
        assertEquals(Optional.of(BigInteger.valueOf(21_000L * 1_000_000_000L)), s.feePaid());
        assertEquals(Map.of(), node.unasked(), "no call (an unscripted one is refused)");

        BlockHeader child = block(14, List.of(tx(14, 0, OUTSIDE, OUTSIDE)));
        assertEquals(s, source.txStatus(hash(13, 1), List.of(HOT + ":1"), child), "the best block's parent: not asked either");
        assertEquals(Map.of(), node.unasked());

        node.results("eth_getBlockByHash", "{\"number\":\"0xf\",\"hash\":\"" + blockHash(15) + "\",\"parentHash\":\"" + blockHash(14)
                + "\",\"transactions\":[\"" + hash(15, 0) + "\"]}");
        assertEquals(s, source.txStatus(hash(13, 1), List.of(HOT + ":1"), new BlockHeader(15, blockHash(15), blockHash(14))),
                "a best block the follower has not read: read by hash (its transactions' hashes), linked, no receipt asked");
        assertEquals(Map.of(), node.unasked());
        node.results("eth_getTransactionReceipt", receipt(15, 0, blockHash(15)));
        assertEquals(15, source.txStatus(hash(15, 0), List.of(HOT + ":0"), new BlockHeader(15, blockHash(15), blockHash(14)))
                .blockHeight(), "in that block, whose receipts were not read: asked");
        node.results("eth_getBlockByHash", "null"); // reorged away already
        node.results("eth_getTransactionReceipt", receipt(13, 1, blockHash(13)));
        assertEquals(13, source.txStatus(hash(13, 1), List.of(HOT + ":1"), new BlockHeader(14, blockHash(99), blockHash(98)))
                .blockHeight(), "another branch's best block: asked");
        node.results("eth_getTransactionReceipt", "null");
        node.results("eth_getTransactionByHash", tx(0, 9, HOT, OUTSIDE).replace("\"blockHash\":\"" + blockHash(0) + "\"", "\"blockHash\":null")
                .replace("\"blockNumber\":\"0x0\"", "\"blockNumber\":null"));
        assertEquals(TxState.IN_MEMPOOL, source.txStatus(hash(0, 9), List.of(HOT + ":9"), h).state(),
                "not in the best block: asked");
        assertEquals(Map.of(), node.unasked());
    }

    /**
     * A best block the follower has not read yet (it came between the poll and the looks) holding many of the transactions
     * the looks are about to ask about: linked by hash, its receipts read in one call, and each look answered from them. A
     * block holding few of them among many is left to the looks (a receipt each).
     */
    @Test
    void theLooksAboutToAskAboutManyTransactionsOfABlockNotReadYetCostOneCall() {
        block(40, List.of(tx(40, 0, OUTSIDE, OUTSIDE)));
        BlockHeader best = new BlockHeader(41, blockHash(41), blockHash(40));
        node.results("eth_getBlockByHash", "{\"number\":\"0x29\",\"hash\":\"" + blockHash(41) + "\",\"parentHash\":\""
                + blockHash(40) + "\",\"transactions\":[\"" + hash(41, 0) + "\",\"" + hash(41, 1) + "\",\"" + hash(41, 2) + "\",\""
                + hash(41, 3) + "\"]}");
        node.results("eth_getBlockReceipts", receipts(41, 4));
        List<String> asked = List.of(hash(41, 0), hash(41, 1), hash(41, 3), hash(99, 0));

        source.lookingAt(asked, best);
        assertEquals(Map.of(), node.unasked(), "the block by hash, then its receipts: one call each");
        for (int i : new int[] {0, 1, 3}) {
            TxStatus s = source.txStatus(hash(41, i), List.of(HOT + ":" + i), best);
            assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
            assertEquals(41, s.blockHeight());
        }
        source.lookingAt(asked, best);
        assertEquals(Map.of(), node.unasked(), "no call for the looks, nor for the same hint again");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            many.add("\"" + hash(42, i) + "\"");
        }
        node.results("eth_getBlockByHash", "{\"number\":\"0x2a\",\"hash\":\"" + blockHash(42) + "\",\"parentHash\":\""
                + blockHash(41) + "\",\"transactions\":[" + String.join(",", many) + "]}");
        BlockHeader next = new BlockHeader(42, blockHash(42), blockHash(41));
        source.lookingAt(List.of(hash(42, 0), hash(42, 1)), next);
        assertEquals(Map.of(), node.unasked(), "two of nine: the block linked, its receipts not read (unscripted: refused)");
        node.results("eth_getTransactionReceipt", receipt(42, 0, blockHash(42)));
        assertEquals(42, source.txStatus(hash(42, 0), List.of(HOT + ":0"), next).blockHeight(), "asked by itself");
        assertEquals(41, source.txStatus(hash(41, 3), List.of(HOT + ":3"), next).blockHeight(), "the parent's: still no call");
        assertEquals(Map.of(), node.unasked());

        node.results("eth_getBlockByHash", "{\"number\":\"0x2b\",\"hash\":\"" + blockHash(43) + "\",\"parentHash\":\""
                + blockHash(42) + "\",\"transactions\":[\"" + hash(43, 0) + "\",\"" + hash(43, 1) + "\"]}");
        node.results("eth_getBlockReceipts", "null"); // reorged away between the two calls
        BlockHeader gone = new BlockHeader(43, blockHash(43), blockHash(42));
        source.lookingAt(List.of(hash(43, 0), hash(43, 1)), gone);
        assertEquals(Map.of(), node.unasked(), "a hint that fails is left to the looks");
        node.results("eth_getTransactionReceipt", "null");
        node.results("eth_getTransactionByHash", "null");
        assertEquals(TxState.UNKNOWN, source.txStatus(hash(43, 0), List.of(), gone).state(), "the look asks the node itself");
        assertEquals(Map.of(), node.unasked());
    }

    /**
     * Pending withdrawals when blocks come: none of them in any block read since the last look (linked by parent hashes) is
     * known without a call; one of them in such a block, a block in between not read, or a best block not read, is not.
     */
    @Test
    void whetherPendingTransactionsWereMinedSinceALookIsToldFromTheBlocksRead() {
        BlockHeader looked = block(20, List.of(tx(20, 0, OUTSIDE, OUTSIDE)));
        BlockHeader b21 = block(21, List.of(tx(21, 0, HOT, OUTSIDE)));
        BlockHeader b22 = block(22, List.of(tx(22, 0, OUTSIDE, OUTSIDE)));
        assertTrue(source.noneMinedBetween(List.of(hash(30, 0), hash(30, 1)), looked, b22));
        assertTrue(!source.noneMinedBetween(List.of(hash(30, 0), hash(21, 0)), looked, b22), "one mined in 21");
        assertTrue(source.noneMinedBetween(List.of(hash(21, 0)), b21, b22), "in 21 itself, not after it");
        node.results("eth_getBlockByHash", "{\"number\":\"0x17\",\"hash\":\"" + blockHash(23) + "\",\"parentHash\":\"" + blockHash(22)
                + "\",\"transactions\":[\"" + hash(23, 0) + "\"]}");
        assertTrue(source.noneMinedBetween(List.of(hash(30, 0)), looked, new BlockHeader(23, blockHash(23), blockHash(22))),
                "a best block the follower has not read: read by hash and linked");
        assertTrue(!source.noneMinedBetween(List.of(hash(23, 0)), looked, new BlockHeader(23, blockHash(23), blockHash(22))),
                "one in it");
        assertTrue(source.noneMinedBetween(List.of(hash(30, 0)), new BlockHeader(19, blockHash(19), blockHash(18)), b22),
                "the look's own block need not be read, only those after it");
        BlockHeader b26 = block(26, List.of(tx(26, 0, OUTSIDE, OUTSIDE)));
        assertTrue(!source.noneMinedBetween(List.of(hash(30, 0)), b22, b26), "blocks 24 and 25 not read (the follower's to read)");
        assertTrue(!source.noneMinedBetween(List.of(hash(30, 0)), new BlockHeader(21, blockHash(99), blockHash(20)), b22),
                "a look on another branch");
        assertEquals(Map.of(), node.unasked(), "no call");
    }

    @Test
    void oneOfTheWalletsAmongManyIsOneReceipt() {
        List<String> txs = new ArrayList<>();
        txs.add(tx(8, 0, HOT, OUTSIDE));
        for (int i = 1; i < 10; i++) {
            txs.add(tx(8, i, OUTSIDE, OUTSIDE));
        }
        BlockHeader h = block(8, txs);
        node.results("eth_getTransactionReceipt", receipt(8, 0, blockHash(8)));

        assertEquals(List.of(), source.payments(h, WATCHED));
        assertEquals(List.of(hash(8, 0)), source.spends(h, id -> false, WATCHED).stream().map(OutpointSpend::txid).toList());
        assertEquals(Map.of(), node.unasked());
    }

    @Test
    void aNodeWithoutBlockReceiptsIsAskedOneReceiptEachFromThenOn() {
        BlockHeader first = block(9, List.of(tx(9, 0, HOT, OUTSIDE), tx(9, 1, HOT, OUTSIDE)));
        node.error("eth_getBlockReceipts", -32601, "the method eth_getBlockReceipts does not exist/is not available");
        node.results("eth_getTransactionReceipt", receipt(9, 0, blockHash(9)), receipt(9, 1, blockHash(9)));
        assertEquals(2, source.spends(first, id -> false, WATCHED).size());
        assertEquals(Map.of(), node.unasked());

        BlockHeader second = block(10, List.of(tx(10, 2, HOT, OUTSIDE), tx(10, 3, HOT, OUTSIDE)));
        node.results("eth_getBlockReceipts", receipts(10, 4)); // scripted, and left: not asked again
        node.results("eth_getTransactionReceipt", receipt(10, 2, blockHash(10)), receipt(10, 3, blockHash(10)));
        assertEquals(2, source.spends(second, id -> false, WATCHED).size());
        assertEquals(Map.of("eth_getBlockReceipts", 1), node.unasked());
    }

    /** Receipts of another block at that height (a load-balanced provider's node already on the other side of a reorg). */
    @Test
    void receiptsOfAnotherBlockAreAskedAgainLater() {
        BlockHeader h = block(11, List.of(tx(11, 0, HOT, OUTSIDE), tx(11, 1, HOT, OUTSIDE)));
        node.results("eth_getBlockReceipts", "[" + receipt(11, 0, blockHash(99)) + "," + receipt(11, 1, blockHash(99)) + "]");
        assertThrows(ChainUnavailableException.class, () -> source.spends(h, id -> false, WATCHED));

        node.results("eth_getBlockReceipts", receipts(11, 2));
        assertEquals(2, source.spends(h, id -> false, WATCHED).size());
        assertEquals(Map.of(), node.unasked());
    }

    /** A node that has the block but not yet a receipt of it: the block is asked again later, not its deposit dropped. */
    @Test
    void aDepositWhoseReceiptIsNotYetThereIsAskedAgainNotDropped() {
        BlockHeader h = block(12, List.of(tx(12, 0, OUTSIDE, DEPOSIT)));
        node.results("eth_getTransactionReceipt", "null");
        assertThrows(ChainUnavailableException.class, () -> source.payments(h, WATCHED));

        node.results("eth_getTransactionReceipt", receipt(12, 0, blockHash(12)));
        assertEquals(List.of(hash(12, 0)), source.payments(h, WATCHED).stream().map(Payment::txid).toList());
        assertEquals(Map.of(), node.unasked());
    }
}
