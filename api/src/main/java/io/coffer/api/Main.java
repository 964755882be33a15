package io.coffer.api;

import io.coffer.api.log.CofferLogManager;
import io.coffer.core.config.ConfigException;
import io.coffer.core.store.StoreException;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code coffer-node [--config FILE]}: starts the node and runs until SIGTERM/SIGINT, then stops it
 * gracefully (drain calls, close chains, close the store).
 *
 * <p>Exit codes: 0 stopped normally; 2 configuration invalid (the message names the key); 3 data dir
 * unusable (locked by another process, newer schema); 1 any other start failure.
 */
public final class Main {
    static {
        // Before any logger exists: keep log handlers alive until our shutdown hook is done.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", CofferLogManager.class.getName());
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Logger log = Logger.getLogger(Main.class.getName());
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                configFile = Path.of(args[i].substring("--config=".length()));
            } else {
                System.err.println("usage: coffer-node [--config FILE]");
                System.exit(2);
            }
        }
        if (configFile == null && System.getenv("COFFER_CONFIG") != null) {
            configFile = Path.of(System.getenv("COFFER_CONFIG"));
        }

        CofferNode node;
        try {
            node = CofferNode.start(NodeConfiguration.load(configFile, System.getenv()));
        } catch (ConfigException e) {
            System.err.println("coffer: " + e.getMessage());
            System.exit(2);
            return;
        } catch (StoreException e) {
            System.err.println("coffer: " + e.getMessage());
            System.exit(3);
            return;
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "coffer: start failed", e);
            System.err.println("coffer: start failed: " + e.getMessage());
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } finally {
                stopped.countDown();
                CofferLogManager.shutdownDone();
            }
        }, "coffer-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
