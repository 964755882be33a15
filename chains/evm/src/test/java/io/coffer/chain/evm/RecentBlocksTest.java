package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.TxStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What the source keeps of the blocks it read: down to the reorg-safety depth and a margin (a withdrawal's last look comes at
 * that depth), full receipts only of the newest, where each transaction stands of the rest.
 */
class RecentBlocksTest {
    private static String blockHash(int n) {
        return String.format("0x%064x", 0xb10c000L + n);
    }

    private static String txid(int block) {
        return String.format("0x%064x", 0x7000L + block);
    }

    private static BlockHeader header(int n) {
        return new BlockHeader(n, blockHash(n), blockHash(n - 1));
    }

    /** Reads block {@code n} (one transaction) and its receipt, as the follower does. */
    private static void readWithReceipt(RecentBlocks recent, int n) {
        EthBlock.Block b = new EthBlock.Block();
        b.setNumber("0x" + Integer.toHexString(n));
        b.setHash(blockHash(n));
        b.setParentHash(blockHash(n - 1));
        b.setTransactions(List.of(new EthBlock.TransactionHash(txid(n))));
        recent.read(b);
        TransactionReceipt r = new TransactionReceipt();
        r.setTransactionHash(txid(n));
        r.setBlockHash(blockHash(n));
        r.setBlockNumber("0x" + Integer.toHexString(n));
        recent.receipts(blockHash(n), Map.of(txid(n), r));
    }

    private static RecentBlocks recent(int reorgSafetyDepth) {
        return new RecentBlocks(reorgSafetyDepth, r -> TxStatus.inBlock(r.getBlockNumber().longValueExact()));
    }

    @Test
    void blocksAreKeptDownToTheReorgSafetyDepthAndAMargin() {
        assertEquals(RecentBlocks.MIN_KEEP, recent(4).keep());
        assertEquals(64 + RecentBlocks.MARGIN, recent(64).keep(), "Ethereum's default depth");
        assertEquals(RecentBlocks.MAX_KEEP, recent(10_000).keep());

        RecentBlocks recent = recent(64);
        int last = 1 + recent.keep();
        for (int n = 1; n <= last; n++) {
            readWithReceipt(recent, n);
        }
        assertEquals(Optional.of(TxStatus.inBlock(2)), recent.placed(header(last), txid(2)),
                "a transaction as deep as the depth and the margin: placed from what was read");
        assertEquals(Optional.empty(), recent.placed(header(last), txid(1)), "deeper: not kept, the node is asked");
        assertTrue(!recent.keeps(blockHash(1)));
    }

    @Test
    void onlyTheNewestBlocksKeepTheirFullReceipts() {
        RecentBlocks recent = recent(64);
        for (int n = 1; n <= 5; n++) {
            readWithReceipt(recent, n);
        }
        assertEquals(Map.of(), recent.receipts(blockHash(3)), "older than the newest two: its receipts dropped");
        assertEquals(List.of(txid(4)), List.copyOf(recent.receipts(blockHash(4)).keySet()));
        assertEquals(List.of(txid(5)), List.copyOf(recent.receipts(blockHash(5)).keySet()));
        assertEquals(Optional.of(TxStatus.inBlock(3)), recent.placed(header(5), txid(3)), "where its transaction stands: kept");

        // A catch-up reads blocks ahead, then asks each one's payments and spends: the block whose receipts were just read
        // keeps them in full until the next is read.
        EthBlock.Block ahead = new EthBlock.Block();
        ahead.setHash(blockHash(6));
        ahead.setParentHash(blockHash(5));
        ahead.setTransactions(List.of());
        recent.read(ahead);
        TransactionReceipt late = new TransactionReceipt();
        late.setTransactionHash("0x" + "77".repeat(32));
        late.setBlockHash(blockHash(4));
        late.setBlockNumber("0x4");
        recent.receipts(blockHash(4), Map.of(late.getTransactionHash(), late));
        assertEquals(List.of(late.getTransactionHash()), List.copyOf(recent.receipts(blockHash(4)).keySet()),
                "spared while its block is being connected (its spends come next)");
        readWithReceipt(recent, 7);
        assertEquals(Map.of(), recent.receipts(blockHash(4)), "dropped once the next block is read");
    }
}
