package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import io.coffer.testkit.ScriptedJsonRpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a withdrawal's transaction is placed when bitcoind moves between the looks it takes (several RPCs, none atomic with
 * the next), against a scripted endpoint answering each method from a queue: the moment a real node mines a block cannot be
 * put between two RPCs on purpose.
 */
class BitcoinTxStatusTest {
    private static final String TXID = "ec".repeat(32);
    private static final String INPUT = "ab".repeat(32) + ":1";
    private static final String BLOCK = "0b".repeat(32);
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
        BitcoinRpcClient rpc = new BitcoinRpcClient("bitcoin", node.url(), "u", "p", null, Duration.ofSeconds(5));
        TxStatus s = new BitcoinChainSource(rpc, org.bitcoinj.base.BitcoinNetwork.REGTEST).txStatus(TXID, List.of(INPUT));
        assertEquals(Map.of(), node.unasked(), "every scripted look was taken");
        return s;
    }

    private void notFound(String method) {
        node.error(method, -5, "No such mempool or blockchain transaction");
    }

    @Test
    void minedBetweenTheLooksIsInABlockNotConflicted() {
        // In the mempool at the first look (no confirmations yet), mined before the mempool look: its input is spent, by itself.
        node.results("getrawtransaction", "{\"txid\":\"" + TXID + "\"}", "{\"txid\":\"" + TXID + "\",\"confirmations\":1,\"blockhash\":\""
                + BLOCK + "\"}");
        notFound("getmempoolentry");
        node.results("gettxout", "null");
        node.results("getblockheader", "{\"hash\":\"" + BLOCK + "\",\"height\":120,\"confirmations\":1}");
        TxStatus s = status();
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(120, s.blockHeight());
    }

    /**
     * A block mined between the transaction's look and the next call: its height is its block's, not the new tip's minus the
     * confirmations the first look counted (one too high: the withdrawal would count a confirmation short from then on).
     */
    @Test
    void aBlockComingBetweenTheLooksLeavesTheHeightExact() {
        node.results("getrawtransaction", "{\"txid\":\"" + TXID + "\",\"confirmations\":1,\"blockhash\":\"" + BLOCK + "\"}");
        node.results("getblockcount", "121"); // what the tip now is: not asked any more
        node.results("getblockheader", "{\"hash\":\"" + BLOCK + "\",\"height\":120,\"confirmations\":2}");
        TxStatus s = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.url(), "u", "p", null, Duration.ofSeconds(5)),
                org.bitcoinj.base.BitcoinNetwork.REGTEST).txStatus(TXID, List.of(INPUT));
        assertEquals(120, s.blockHeight(), s.toString());
        assertEquals(Map.of("getblockcount", 1), node.unasked());
    }

    /** Its block reorged out between the looks: not in a block (then where it is now is asked as for any other). */
    @Test
    void aBlockReorgedOutBetweenTheLooksDoesNotPlaceIt() {
        node.results("getrawtransaction", "{\"txid\":\"" + TXID + "\",\"confirmations\":1,\"blockhash\":\"" + BLOCK + "\"}");
        node.results("getblockheader", "{\"hash\":\"" + BLOCK + "\",\"height\":120,\"confirmations\":-1}");
        node.results("getmempoolentry", "{}");
        assertEquals(TxState.IN_MEMPOOL, status().state());
    }

    @Test
    void nowhereWithItsInputSpentIsConflicted() {
        notFound("getrawtransaction");
        notFound("getrawtransaction");
        notFound("getmempoolentry");
        notFound("getmempoolentry");
        node.results("gettxout", "null");
        assertEquals(TxState.CONFLICTED, status().state());
    }

    @Test
    void nowhereWithItsInputIntactIsUnknown() {
        notFound("getrawtransaction");
        notFound("getmempoolentry");
        node.results("gettxout", "{\"value\":0.5}");
        assertEquals(TxState.UNKNOWN, status().state());
    }
}
