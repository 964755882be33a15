package io.coffer.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the dev chain binaries are, installing them on first use.
 *
 * <p>{@code BITCOIND} and {@code ANVIL} in the environment point at binaries a developer already has
 * (a laptop that is not Debian); otherwise the project-local install made by {@code scripts/devnet
 * install} under {@code .devnet/} is used, and made if missing.
 */
public final class Devnet {
    private static Path root;

    private Devnet() {
    }

    /**
     * A Coffer node configuration for both dev chains (gRPC and the checkout pages each on a free port of 127.0.0.1), as every
     * test and benchmark that starts a node needs; callers append or replace lines for what they test.
     */
    public static String nodeYaml(Path dataDir, java.net.URI bitcoin, java.net.URI evm, boolean devMode) {
        return """
                server:
                  host: 127.0.0.1
                  port: 0
                  sockets:
                    - name: checkout
                      host: 127.0.0.1
                      port: 0
                coffer:
                  node:
                    data-dir: %s
                %s  chains:
                    - name: bitcoin
                      kind: bitcoin
                      network: regtest
                      rpc-url: %s
                      rpc-user: %s
                      rpc-password: %s
                    - name: ethereum
                      kind: evm
                      chain-id: 31337
                      rpc-url: %s
                """.formatted(dataDir, devMode ? "    dev-mode: true\n" : "", bitcoin, BitcoindNode.RPC_USER, BitcoindNode.RPC_PASSWORD, evm);
    }

    /** The project's top directory: the nearest ancestor of the working directory with scripts/devnet. */
    public static synchronized Path projectRoot() {
        if (root == null) {
            Path p = Path.of("").toAbsolutePath();
            while (p != null && !Files.isRegularFile(p.resolve("scripts/devnet"))) {
                p = p.getParent();
            }
            if (p == null) {
                throw new IllegalStateException("cannot find scripts/devnet above " + Path.of("").toAbsolutePath());
            }
            root = p;
        }
        return root;
    }

    public static Path bitcoind() {
        return binary("BITCOIND", projectRoot().resolve(".devnet/bin/bitcoind"));
    }

    public static Path anvil() {
        return binary("ANVIL", projectRoot().resolve(".devnet/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"));
    }

    /** Headless Chromium (Debian's, through the wrapper {@code scripts/devnet browser} writes), or {@code CHROMIUM_BIN}. */
    public static Path chromium() {
        return binary("CHROMIUM_BIN", projectRoot().resolve(".devnet/bin/chromium"));
    }

    /** Debian's chromedriver matching {@link #chromium()}, or {@code CHROMEDRIVER_BIN}. */
    public static Path chromedriver() {
        return binary("CHROMEDRIVER_BIN", projectRoot().resolve(".devnet/bin/chromedriver"));
    }

    private static synchronized Path binary(String envName, Path local) {
        String fromEnv = System.getenv(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path p = Path.of(fromEnv);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(envName + "=" + fromEnv + " is not an executable file");
            }
            return p;
        }
        if (!Files.isExecutable(local) || !Files.isDirectory(projectRoot().resolve(".devnet/solc/node_modules/solc"))) {
            install();
        }
        if (!Files.isExecutable(local)) {
            throw new IllegalStateException("scripts/devnet install ran but " + local + " is still missing");
        }
        return local;
    }

    /** Runs {@code scripts/devnet install}; its own messages name the step that failed. */
    private static void install() {
        Path log = projectRoot().resolve(".devnet/install-from-tests.log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder("bash", projectRoot().resolve("scripts/devnet").toString(), "install")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("scripts/devnet install did not finish in 15 minutes, see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("scripts/devnet install failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/devnet install: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the dev chains", e);
        }
    }

    /** A port that was free on 127.0.0.1 a moment ago (callers retry if a race takes it). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** {@code n} distinct ports free on 127.0.0.1 a moment ago (held together while chosen, so never equal). */
    public static int[] freePorts(int n) {
        java.util.List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException("no free ports on 127.0.0.1: " + e.getMessage(), e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    /** Last lines of a log file, for error messages; empty when unreadable. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
