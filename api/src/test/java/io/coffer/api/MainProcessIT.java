package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as an operating-system process: JSON logs, SIGTERM, exit codes. */
@WithDevnet
class MainProcessIT {
    @TempDir
    Path dir;

    private Process launch(Path config, String... env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        return pb.start();
    }

    @Test
    void sigtermStopsTheNodeGracefullyAndLogsAreJsonLines(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), ""));
        Process p = launch(config);
        List<String> lines = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        Pattern serving = Pattern.compile("serving gRPC.* on [0-9.]+:(\\d+)");
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
            Matcher m = serving.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                break;
            }
        }
        assertTrue(port > 0, "the node said where it serves:\n" + String.join("\n", lines));

        p.toHandle().destroy(); // SIGTERM, keeping our end of its output open
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
        while ((line = out.readLine()) != null) {
            lines.add(line);
        }
        assertEquals(143, p.exitValue(), "killed by SIGTERM after a clean shutdown hook");
        String all = String.join("\n", lines);
        assertTrue(all.contains("\"msg\":\"coffer: stopped\""), all);
        for (String l : lines) {
            if (!l.isBlank() && !l.startsWith("WARNING:")) {
                assertTrue(l.startsWith("{\"ts\":\"") && l.endsWith("}"), "a JSON log line: " + l);
            }
        }
        // The data dir is free again: the store was closed, not abandoned.
        try (var store = io.coffer.core.store.LevelDbStore.open(dir.resolve("data"), io.coffer.core.CofferSchema.current())) {
            assertEquals(io.coffer.core.CofferSchema.VERSION, store.schemaVersion());
        }
    }

    @Test
    void aBadConfigValueExitsWithCode2NamingTheKey(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), ""));
        Process p = launch(config, "COFFER_CHAINS_1_CONFIRMATIONS", "-3");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("config coffer.chains.1.confirmations: must be between 0 and 1000"), out);
    }

    @Test
    void aPortHeldByAnotherProcessExitsWithCode2NamingTheListener(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), ""));
        try (var held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = launch(config, "SERVER_PORT", String.valueOf(held.getLocalPort()));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exited instead of serving nothing");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("config server.port: cannot listen on 127.0.0.1:" + held.getLocalPort()), out);
            assertTrue(!out.contains("serving gRPC"), out);
        }
        // It let go of its data dir on the way out.
        try (var store = io.coffer.core.store.LevelDbStore.open(dir.resolve("data"), io.coffer.core.CofferSchema.current())) {
            assertEquals(io.coffer.core.CofferSchema.VERSION, store.schemaVersion());
        }
    }

    @Test
    void aLockedDataDirExitsWithCode3(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), ""));
        try (var held = io.coffer.core.store.LevelDbStore.open(dir.resolve("data"), io.coffer.core.CofferSchema.current())) {
            Process p = launch(config);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(3, p.exitValue(), out);
            assertTrue(out.contains("is already open in this process") || out.contains("in use by another Coffer process"), out);
        }
        assertTrue(Devnet.freePort() > 0);
    }
}
