package io.coffer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal JSON-RPC caller for driving the dev nodes from tests (mining, reorgs, funding). Coffer's own
 * chain clients live in the chain modules; this one exists so tests can act on the chain independently
 * of the code under test.
 */
final class JsonRpc {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String authorization;
    private final AtomicLong ids = new AtomicLong();

    JsonRpc(URI url, String user, String password) {
        this.url = url;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Calls {@code method}; params are converted with Jackson. Throws {@link NodeRpcException} on an RPC error. */
    JsonNode call(String method, Object... params) {
        ObjectNode req = JSON.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", ids.incrementAndGet());
        req.put("method", method);
        ArrayNode ps = req.putArray("params");
        for (Object p : params) {
            ps.add(JSON.valueToTree(p));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(req.toString()));
        if (authorization != null) {
            b.header("authorization", authorization);
        }
        try {
            HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = JSON.readTree(resp.body());
            } catch (IOException e) {
                throw new NodeRpcException(method, -1, "HTTP " + resp.statusCode() + ": " + resp.body());
            }
            JsonNode err = body.get("error");
            if (err != null && !err.isNull()) {
                throw new NodeRpcException(method, err.path("code").asInt(), err.path("message").asText());
            }
            return body.get("result");
        } catch (IOException e) {
            throw new NodeRpcException(method, -1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeRpcException(method, -1, "interrupted");
        }
    }
}
