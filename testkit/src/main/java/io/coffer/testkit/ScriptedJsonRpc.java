package io.coffer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A JSON-RPC endpoint on 127.0.0.1 answering each method from a script, for unit tests of how a chain source reads a node that
 * moves between its RPCs (a block mined between two looks cannot be put there on purpose with a real node). Answers are
 * given in order per method; a method with none left is answered "method not found". The envelope carries both
 * {@code jsonrpc} and {@code error}, so bitcoind-style and Ethereum-style clients both read it.
 */
public final class ScriptedJsonRpc implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One scripted answer: its {@code error} and {@code result} members as JSON ({@code null} for the one not given). */
    private record Answer(String error, String result) {
    }

    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    private final HttpServer server;

    private ScriptedJsonRpc(HttpServer server) {
        this.server = server;
    }

    public static ScriptedJsonRpc start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ScriptedJsonRpc rpc = new ScriptedJsonRpc(server);
            server.createContext("/", ex -> {
                JsonNode req = JSON.readTree(ex.getRequestBody());
                String method = req.path("method").asText();
                Deque<Answer> queue = rpc.answers.get(method);
                Answer answer = queue == null ? null : queue.poll();
                if (answer == null) {
                    answer = new Answer("{\"code\":-32601,\"message\":" + JSON.valueToTree("unscripted " + method) + "}", "null");
                }
                byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + req.path("id") + ",\"result\":" + answer.result() + ",\"error\":"
                        + answer.error() + "}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
            return rpc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Scripts the next results of {@code method}: JSON values, {@code "null"} for none. */
    public void results(String method, String... next) {
        for (String r : next) {
            answers.computeIfAbsent(method, m -> new ArrayDeque<>()).add(new Answer("null", r));
        }
    }

    /** Scripts the next answer of {@code method} as an error. */
    public void error(String method, int code, String message) {
        answers.computeIfAbsent(method, m -> new ArrayDeque<>()).add(new Answer("{\"code\":" + code + ",\"message\":"
                + JSON.valueToTree(message) + "}", "null"));
    }

    /** What is left unanswered, per method (a test can require that every scripted answer was asked for). */
    public Map<String, Integer> unasked() {
        Map<String, Integer> left = new java.util.TreeMap<>();
        answers.forEach((m, q) -> {
            if (!q.isEmpty()) {
                left.put(m, q.size());
            }
        });
        return left;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
