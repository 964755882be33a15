package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.List;
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
        HttpResponse<byte[]> resp = exchange(method, params);
        JsonNode answer;
        try {
            answer = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new ChainUnavailableException(chain, method + ": unreadable answer (HTTP " + resp.statusCode() + ")", e);
        }
        JsonNode err = answer.get("error");
        if (err != null && !err.isNull()) {
            throw rpcError(method, err);
        }
        return answer.get("result");
    }

    /** The error object bitcoind answered for a call of {@code method}. */
    private BitcoinRpcException rpcError(String method, JsonNode err) {
        return new BitcoinRpcException(chain, method, err.path("code").asInt(), err.path("message").asText());
    }

    /** One JSON-RPC call: what a single request sends, and each element of a batch. */
    private static ObjectNode request(ObjectNode req, long id, String method, Object[] params) {
        req.put("jsonrpc", "1.0");
        req.put("id", id);
        req.put("method", method);
        ArrayNode ps = req.putArray("params");
        for (Object p : params) {
            ps.add(JSON.valueToTree(p));
        }
        return req;
    }

    /**
     * As {@link #call}, for a method whose result is hex ({@code getblock <hash> 0}, {@code getrawtransaction}): the bytes,
     * decoded straight from the answer's text. A block's hex is twice its size; it is not made into a string, nor walked
     * character by character through {@link java.util.HexFormat}.
     */
    public byte[] callHex(String method, Object... params) {
        HttpResponse<byte[]> resp = exchange(method, params);
        byte[] result = null;
        JsonNode err = null;
        try (JsonParser p = JSON.getFactory().createParser(resp.body())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("result".equals(field) && value == JsonToken.VALUE_STRING) {
                    result = hex(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                } else if ("error".equals(field) && value != JsonToken.VALUE_NULL) {
                    err = JSON.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ChainUnavailableException(chain, method + ": unreadable answer (HTTP " + resp.statusCode() + ")", e);
        }
        if (err != null) {
            throw rpcError(method, err);
        }
        if (result == null) {
            throw new ChainUnavailableException(chain, method + ": no hex result (HTTP " + resp.statusCode() + ")", null);
        }
        return result;
    }

    /**
     * Calls {@code method} once per parameter list, all in one JSON-RPC batch (one round trip). Each answer is its result, or
     * the error the node gave for that call as a {@link BitcoinRpcException} (thrown by nobody: the caller decides).
     *
     * @throws ChainUnavailableException the node could not be reached, timed out, or answered something else than the batch
     */
    public List<Object> batch(String method, List<Object[]> params) {
        ArrayNode calls = JSON.createArrayNode();
        long first = ids.getAndAdd(params.size()) + 1;
        for (int i = 0; i < params.size(); i++) {
            request(calls.addObject(), first + i, method, params.get(i));
        }
        HttpResponse<byte[]> resp = post(calls.toString());
        JsonNode answers;
        try {
            answers = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new ChainUnavailableException(chain, method + " (batch): unreadable answer (HTTP " + resp.statusCode() + ")", e);
        }
        if (!answers.isArray()) {
            throw new ChainUnavailableException(chain, method + " (batch): not a batch answer (HTTP " + resp.statusCode() + ")", null);
        }
        Object[] out = new Object[params.size()];
        for (JsonNode a : answers) {
            long at = a.path("id").asLong(-1) - first;
            if (at < 0 || at >= out.length) {
                continue;
            }
            JsonNode err = a.get("error");
            out[(int) at] = err != null && !err.isNull() ? rpcError(method, err) : a.get("result");
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                throw new ChainUnavailableException(chain, method + " (batch): no answer for call " + i, null);
            }
        }
        return List.of(out);
    }

    private static final byte[] NIBBLE = new byte[128];

    static {
        java.util.Arrays.fill(NIBBLE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            NIBBLE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            NIBBLE['a' + i] = (byte) (10 + i);
            NIBBLE['A' + i] = (byte) (10 + i);
        }
    }

    static byte[] hex(char[] text, int offset, int length) {
        if ((length & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] out = new byte[length / 2];
        for (int i = 0; i < out.length; i++) {
            char hi = text[offset + 2 * i];
            char lo = text[offset + 2 * i + 1];
            int h = hi < 128 ? NIBBLE[hi] : -1;
            int l = lo < 128 ? NIBBLE[lo] : -1;
            if ((h | l) < 0) {
                throw new IllegalArgumentException("not a hex digit at " + 2 * i);
            }
            out[i] = (byte) (h << 4 | l);
        }
        return out;
    }

    private HttpResponse<byte[]> exchange(String method, Object... params) {
        return post(request(JSON.createObjectNode(), ids.incrementAndGet(), method, params).toString());
    }

    private HttpResponse<byte[]> post(String body) {
        HttpResponse<byte[]> resp = send(body, false);
        if (resp.statusCode() == 401 && cookieFile != null) {
            resp = send(body, true);
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw new ChainUnavailableException(chain, "bitcoind refused the RPC credentials (HTTP " + resp.statusCode() + ")", null);
        }
        return resp;
    }

    private HttpResponse<byte[]> send(String body, boolean refreshCookie) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("content-type", "application/json")
                .header("authorization", authorization(refreshCookie))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
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
