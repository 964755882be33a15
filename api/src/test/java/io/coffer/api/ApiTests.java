package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.proto.v1.AdminGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the API integration tests share: a dev node's configuration, credentials, waiting for the chains. */
final class ApiTests {
    private ApiTests() {
    }

    /** {@code authorization: Bearer <secret>}. */
    static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    /** The Admin service with the operator token the node wrote into {@code dataDir}. */
    static AdminGrpc.AdminBlockingStub operator(ManagedChannel ch, Path dataDir) throws IOException {
        return AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                bearer(Files.readString(dataDir.resolve("operator.token")).trim())));
    }

    /**
     * Polls {@code done} every 100 ms for up to 45 s. A timeout says what the node's own threads were doing (the node runs in
     * this JVM), so a condition that never came true can be told from a node that was stuck.
     */
    static void await(String what, BooleanSupplier done) throws InterruptedException {
        await(done, () -> what);
    }

    /** As {@link #await(String, BooleanSupplier)}, saying what was awaited (and what was found) only on a time-out. */
    static void await(BooleanSupplier done, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "waiting for " + what.get() + "\n" + nodeThreads());
            Thread.sleep(100);
        }
    }

    /** The stacks of the node's threads (named coffer-*), 25 frames each. */
    static String nodeThreads() {
        StringBuilder out = new StringBuilder("the node's threads:\n");
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("coffer-")) {
                out.append("  ").append(t.getName()).append(" ").append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(25, stack.length); i++) {
                    out.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return out.toString();
    }

    /**
     * A dev-mode node on both dev chains with data in {@code dir/data} and Bitcoin polled every 200 ms; {@code evm} adds lines to
     * the ethereum chain, {@code coffer} adds sections under {@code coffer:} (two-space indented).
     */
    static NodeConfiguration devConfig(Path dir, BitcoindNode btc, AnvilNode anvil, String evm, String coffer) throws IOException {
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)
                .replace("      rpc-password: " + BitcoindNode.RPC_PASSWORD, "      rpc-password: " + BitcoindNode.RPC_PASSWORD
                        + "\n      poll-interval: 200ms")
                .replace("      chain-id: 31337\n", "      chain-id: 31337\n" + evm) + coffer);
        return NodeConfiguration.load(file, Map.of());
    }

    /** Every record the node (not the test's gRPC client) logs while it is attached to the root logger. */
    static final class LogCapture extends java.util.logging.Handler {
        final java.util.List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLoggerName() == null || !r.getLoggerName().startsWith("io.grpc.netty")) { // the test's client is not the node
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        long bytes() {
            synchronized (records) {
                return records.stream().mapToLong(r -> String.valueOf(r.getMessage()).length()
                        + (r.getThrown() == null ? 0 : String.valueOf(r.getThrown()).length() + 200L * r.getThrown().getStackTrace().length)).sum();
            }
        }
    }
}
