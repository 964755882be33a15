package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.config.BitcoinChainConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bitcoind's JSON-RPC. Thread-safe. Authentication is user/password, or the node's cookie file, which
 * is re-read when the node answers 401 (bitcoind writes a new cookie at every start).
 *
 * <p>Errors: transport failures and timeouts become {@link ChainUnavailableException}; an error the
 * node returns becomes {@link BitcoinRpcException} carrying bitcoind's error code, so callers can tell
 * "rejected" from "unknown".
 */
public final class BitcoinRpcClient implements ChainNode {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String chain;
    private final URI url;
    private final String user;
    private final String password;
    private final Path cookieFile;
    private final Duration timeout;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();
    private volatile String authorization;

    public BitcoinRpcClient(BitcoinChainConfig config) {
        this(config.name(), config.rpcUrl(), config.rpcUser(), config.rpcPassword(), config.rpcCookieFile(), Duration.ofSeconds(30));
    }

    public BitcoinRpcClient(String chain, URI url, String user, String password, Path cookieFile, Duration timeout) {
        this.chain = chain;
        this.url = url;
        this.user = user;
        this.password = password;
        this.cookieFile = cookieFile;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public String chainName() {
        return chain;
    }

    /** Network from {@code getblockchaininfo.chain}, tip from the same call (one consistent answer). */
    @Override
    public ChainInfo info() {
        JsonNode r = call("getblockchaininfo");
        return new ChainInfo(r.path("chain").asText(), r.path("blocks").asLong(), r.path("bestblockhash").asText());
    }

    /**
     * Calls {@code method} with positional params (converted by Jackson) and returns its result.
     *
     * @throws BitcoinRpcException       the node answered with an error
     * @throws ChainUnavailableException the node could not be reached or timed out
     */
    public JsonNode call(String method, Object... params) {
        ObjectNode req = JSON.createObjectNode();
        req.put("jsonrpc", "1.0");
        req.put("id", ids.incrementAndGet());
        req.put("method", method);
        ArrayNode ps = req.putArray("params");
        for (Object p : params) {
            ps.add(JSON.valueToTree(p));
        }
        String body = req.toString();
        HttpResponse<String> resp = send(body, false);
        if (resp.statusCode() == 401 && cookieFile != null) {
            resp = send(body, true);
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw new ChainUnavailableException(chain, "bitcoind refused the RPC credentials (HTTP " + resp.statusCode() + ")", null);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new ChainUnavailableException(chain, method + ": unreadable answer (HTTP " + resp.statusCode() + ")", e);
        }
        JsonNode err = answer.get("error");
        if (err != null && !err.isNull()) {
            throw new BitcoinRpcException(chain, method, err.path("code").asInt(), err.path("message").asText());
        }
        return answer.get("result");
    }

    private HttpResponse<String> send(String body, boolean refreshCookie) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("content-type", "application/json")
                .header("authorization", authorization(refreshCookie))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ChainUnavailableException(chain, "bitcoind at " + url + " timed out after " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ChainUnavailableException(chain, "cannot reach bitcoind at " + url + ": " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainUnavailableException(chain, "interrupted", e);
        }
    }

    private String authorization(boolean refresh) {
        String a = authorization;
        if (a != null && !refresh) {
            return a;
        }
        String credentials;
        if (cookieFile != null) {
            try {
                credentials = Files.readString(cookieFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ChainUnavailableException(chain, "cannot read bitcoind's cookie file " + cookieFile, e);
            }
        } else {
            credentials = user + ":" + password;
        }
        a = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        authorization = a;
        return a;
    }

    @Override
    public void close() {
        http.close();
    }
}
