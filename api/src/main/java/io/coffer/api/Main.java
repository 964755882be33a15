package io.coffer.api;

import io.coffer.api.log.CofferLogManager;
import io.coffer.core.config.ConfigException;
import io.coffer.core.store.StoreException;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
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

        // The shutdown hook is in place before the node starts: a SIGTERM that arrives while it starts, or right after, waits
        // for the start to finish and then stops the node cleanly (before, one arriving between the start and the hook's
        // registration left the store unclosed and the hook's registration failing with "Shutdown in progress").
        AtomicReference<CofferNode> running = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.await();
                CofferNode n = running.get();
                if (n != null) {
                    n.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
                CofferLogManager.shutdownDone();
            }
        }, "coffer-shutdown"));

        int exit = 0;
        try {
            running.set(CofferNode.start(NodeConfiguration.load(configFile, System.getenv())));
        } catch (ConfigException e) {
            System.err.println("coffer: " + e.getMessage());
            exit = 2;
        } catch (StoreException e) {
            System.err.println("coffer: " + e.getMessage());
            exit = 3;
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "coffer: start failed", e);
            System.err.println("coffer: start failed: " + e.getMessage());
            exit = 1;
        } finally {
            started.countDown();
        }
        if (exit != 0) {
            System.exit(exit);
            return;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
