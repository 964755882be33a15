package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.coffer.core.chain.ChainUnavailableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own logic (cookie re-reading, timeout classification) against a scripted HTTP endpoint;
 * chain behaviour itself is tested on a real bitcoind in {@link BitcoinRpcClientIT}.
 */
class BitcoinRpcClientTest {
    private HttpServer server;
    private final AtomicReference<String> acceptedCookie = new AtomicReference<>("__cookie__:first");
    private volatile long delayMillis;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String expected = "Basic " + Base64.getEncoder().encodeToString(acceptedCookie.get().getBytes(StandardCharsets.UTF_8));
            boolean ok = expected.equals(ex.getRequestHeaders().getFirst("authorization"));
            byte[] body = ok ? "{\"result\":{\"chain\":\"regtest\",\"blocks\":7,\"bestblockhash\":\"ab\"},\"error\":null,\"id\":1}"
                    .getBytes(StandardCharsets.UTF_8) : new byte[0];
            ex.sendResponseHeaders(ok ? 200 : 401, ok ? body.length : -1);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void theCookieIsReReadWhenTheNodeRestartsWithANewOne() throws Exception {
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, acceptedCookie.get() + "\n");
        try (BitcoinRpcClient client = new BitcoinRpcClient("bitcoin", url(), null, null, cookie, Duration.ofSeconds(5))) {
            assertEquals(7, client.info().tipHeight());
            acceptedCookie.set("__cookie__:second");
            Files.writeString(cookie, acceptedCookie.get());
            assertEquals(7, client.info().tipHeight(), "a 401 makes the client read the new cookie once");
        }
    }

    @Test
    void aSlowNodeIsATimeoutNotAnAnswer() {
        delayMillis = 1500;
        try (BitcoinRpcClient client = new BitcoinRpcClient("bitcoin", url(), "__cookie__", "first", null, Duration.ofMillis(300))) {
            ChainUnavailableException e = assertThrows(ChainUnavailableException.class, client::info);
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        }
    }
    @Test
    void hexAnswersAreDecodedExactlyAndAnythingElseIsRefused() {
        char[] text = "xx00ff7FaB10xx".toCharArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {0, (byte) 0xff, 0x7f, (byte) 0xab, 0x10},
                BitcoinRpcClient.hex(text, 2, 10));
        assertThrows(IllegalArgumentException.class, () -> BitcoinRpcClient.hex("abc".toCharArray(), 0, 3));
        assertThrows(IllegalArgumentException.class, () -> BitcoinRpcClient.hex("0g".toCharArray(), 0, 2));
        assertThrows(IllegalArgumentException.class, () -> BitcoinRpcClient.hex("0\u0660".toCharArray(), 0, 2));
    }
}
