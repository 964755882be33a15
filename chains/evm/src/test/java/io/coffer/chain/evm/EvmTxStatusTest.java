package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.ScriptedJsonRpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a withdrawal's transaction is placed when the node moves between the looks the source takes (receipt, transaction,
 * sender's nonce: separate RPCs, and behind a load-balanced provider separate nodes), against a scripted endpoint answering
 * each method from a queue: the moment a real node mines cannot be put between two RPCs on purpose.
 */
class EvmTxStatusTest {
    private static final String TXID = "0x" + "ec".repeat(32);
    private static final String SENDER = "0x" + "ab".repeat(20);
    private static final String MINED = "{\"transactionHash\":\"" + TXID + "\",\"blockNumber\":\"0x78\",\"blockHash\":\"0x" + "cd".repeat(32)
            + "\",\"status\":\"0x1\",\"gasUsed\":\"0x5208\",\"cumulativeGasUsed\":\"0x5208\",\"logs\":[],\"transactionIndex\":\"0x0\"}";
    private ScriptedJsonRpc node;

    @BeforeEach
    void start() {
        node = ScriptedJsonRpc.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private TxStatus status() {
        EvmChainConfig config = new EvmChainConfig("ethereum", 31337, node.url(), 1, 4, Duration.ofSeconds(1), "ETH", 18, true, List.of());
        TxStatus s = new EvmChainSource(new EvmRpcClient("ethereum", node.url(), Duration.ofSeconds(5)), config)
                .txStatus(TXID, List.of(SENDER + ":5"));
        assertEquals(Map.of(), node.unasked(), "every scripted look was taken");
        return s;
    }

    @Test
    void minedBetweenTheLooksIsInABlockNotConflicted() {
        // Neither receipt nor transaction at the first looks (a lagging backend), mined before the nonce look: the nonce is
        // used, by itself.
        node.results("eth_getTransactionReceipt", "null", MINED);
        node.results("eth_getTransactionByHash", "null");
        node.results("eth_getTransactionCount", "\"0x6\"");
        TxStatus s = status();
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(120, s.blockHeight());
    }

    /**
     * The receipt that places a transaction in a block also tells what it paid (gas used times the effective gas price), so the
     * withdrawal that records it does not ask for the same receipt again; a node that leaves the price out tells no fee.
     */
    @Test
    void aMinedTransactionsStatusCarriesTheFeeItsReceiptTells() {
        node.results("eth_getTransactionReceipt", MINED.replace("\"status\"", "\"effectiveGasPrice\":\"0x3b9aca07\",\"status\""));
        TxStatus s = status();
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(java.util.Optional.of(java.math.BigInteger.valueOf(21_000L * 1_000_000_007L)), s.feePaid());

        node.results("eth_getTransactionReceipt", MINED);
        assertEquals(java.util.Optional.empty(), status().feePaid());
    }

    @Test
    void nowhereWithItsNonceUsedIsConflicted() {
        node.results("eth_getTransactionReceipt", "null", "null");
        node.results("eth_getTransactionByHash", "null", "null");
        node.results("eth_getTransactionCount", "\"0x6\"");
        assertEquals(TxState.CONFLICTED, status().state());
    }

    @Test
    void nowhereWithItsNonceUnusedIsUnknown() {
        node.results("eth_getTransactionReceipt", "null");
        node.results("eth_getTransactionByHash", "null");
        node.results("eth_getTransactionCount", "\"0x5\"");
        assertEquals(TxState.UNKNOWN, status().state());
    }
}
