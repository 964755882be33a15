package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a withdrawal's transaction is placed when bitcoind moves between the looks it takes (several RPCs, none atomic with
 * the next), against a scripted endpoint answering each method from a queue: the moment a real node mines a block cannot be
 * put between two RPCs on purpose.
 */
class BitcoinTxStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TXID = "ec".repeat(32);
    private static final String INPUT = "ab".repeat(32) + ":1";
    private final Map<String, Deque<String>> answers = new ConcurrentHashMap<>();
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            Deque<String> queue = answers.get(req.path("method").asText());
            String answer = queue == null || queue.isEmpty() ? "{\"code\":-32601,\"message\":\"unscripted\"}|" : queue.poll();
            String[] errorAndResult = answer.split("\\|", 2);
            String body = "{\"result\":" + (errorAndResult[1].isEmpty() ? "null" : errorAndResult[1]) + ",\"error\":"
                    + (errorAndResult[0].isEmpty() ? "null" : errorAndResult[0]) + ",\"id\":" + req.path("id").asLong() + "}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Scripts the next answers of {@code method}: "error|result", either side empty. */
    private void answer(String method, String... next) {
        answers.computeIfAbsent(method, m -> new ArrayDeque<>()).addAll(List.of(next));
    }

    private TxStatus status() {
        BitcoinRpcClient rpc = new BitcoinRpcClient("bitcoin", URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "u", "p",
                null, Duration.ofSeconds(5));
        return new BitcoinChainSource(rpc, org.bitcoinj.base.BitcoinNetwork.REGTEST).txStatus(TXID, List.of(INPUT));
    }

    private static final String NOT_FOUND = "{\"code\":-5,\"message\":\"No such mempool or blockchain transaction\"}|";

    @Test
    void minedBetweenTheLooksIsInABlockNotConflicted() {
        // In the mempool at the first look (no confirmations yet), mined before the mempool look: its input is spent, by itself.
        answer("getrawtransaction", "|{\"txid\":\"" + TXID + "\"}", "|{\"txid\":\"" + TXID + "\",\"confirmations\":1}");
        answer("getmempoolentry", NOT_FOUND);
        answer("gettxout", "|null");
        answer("getblockcount", "|120");
        TxStatus s = status();
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(120, s.blockHeight());
    }

    @Test
    void nowhereWithItsInputSpentIsConflicted() {
        answer("getrawtransaction", NOT_FOUND, NOT_FOUND);
        answer("getmempoolentry", NOT_FOUND, NOT_FOUND);
        answer("gettxout", "|null");
        assertEquals(TxState.CONFLICTED, status().state());
    }

    @Test
    void nowhereWithItsInputIntactIsUnknown() {
        answer("getrawtransaction", NOT_FOUND);
        answer("getmempoolentry", NOT_FOUND);
        answer("gettxout", "|{\"value\":0.5}");
        assertEquals(TxState.UNKNOWN, status().state());
    }
}
