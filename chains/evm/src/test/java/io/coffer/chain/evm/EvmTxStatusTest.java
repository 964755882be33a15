package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.coffer.core.chain.TxState;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.config.EvmChainConfig;
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
 * How a withdrawal's transaction is placed when the node moves between the looks the source takes (receipt, transaction,
 * sender's nonce: separate RPCs, and behind a load-balanced provider separate nodes), against a scripted endpoint answering
 * each method from a queue: the moment a real node mines cannot be put between two RPCs on purpose.
 */
class EvmTxStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TXID = "0x" + "ec".repeat(32);
    private static final String SENDER = "0x" + "ab".repeat(20);
    private static final String MINED = "{\"transactionHash\":\"" + TXID + "\",\"blockNumber\":\"0x78\",\"blockHash\":\"0x" + "cd".repeat(32)
            + "\",\"status\":\"0x1\",\"gasUsed\":\"0x5208\",\"cumulativeGasUsed\":\"0x5208\",\"logs\":[],\"transactionIndex\":\"0x0\"}";
    private final Map<String, Deque<String>> answers = new ConcurrentHashMap<>();
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            Deque<String> queue = answers.get(req.path("method").asText());
            String result = queue == null || queue.isEmpty() ? null : queue.poll();
            String body = result == null
                    ? "{\"jsonrpc\":\"2.0\",\"id\":" + req.path("id").asLong() + ",\"error\":{\"code\":-32601,\"message\":\"unscripted "
                    + req.path("method").asText() + "\"}}"
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + req.path("id").asLong() + ",\"result\":" + result + "}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
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

    /** Scripts the next results of {@code method} (JSON, "null" for none). */
    private void answer(String method, String... next) {
        answers.computeIfAbsent(method, m -> new ArrayDeque<>()).addAll(List.of(next));
    }

    private TxStatus status() {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        EvmChainConfig config = new EvmChainConfig("ethereum", 31337, url, 1, 4, Duration.ofSeconds(1), "ETH", 18, true, List.of());
        return new EvmChainSource(new EvmRpcClient("ethereum", url, Duration.ofSeconds(5)), config).txStatus(TXID, List.of(SENDER + ":5"));
    }

    @Test
    void minedBetweenTheLooksIsInABlockNotConflicted() {
        // Neither receipt nor transaction at the first looks (a lagging backend), mined before the nonce look: the nonce is
        // used, by itself.
        answer("eth_getTransactionReceipt", "null", MINED);
        answer("eth_getTransactionByHash", "null");
        answer("eth_getTransactionCount", "\"0x6\"");
        TxStatus s = status();
        assertEquals(TxState.IN_BLOCK, s.state(), s.toString());
        assertEquals(120, s.blockHeight());
    }

    @Test
    void nowhereWithItsNonceUsedIsConflicted() {
        answer("eth_getTransactionReceipt", "null", "null");
        answer("eth_getTransactionByHash", "null", "null");
        answer("eth_getTransactionCount", "\"0x6\"");
        assertEquals(TxState.CONFLICTED, status().state());
    }

    @Test
    void nowhereWithItsNonceUnusedIsUnknown() {
        answer("eth_getTransactionReceipt", "null");
        answer("eth_getTransactionByHash", "null");
        answer("eth_getTransactionCount", "\"0x5\"");
        assertEquals(TxState.UNKNOWN, status().state());
    }
}
