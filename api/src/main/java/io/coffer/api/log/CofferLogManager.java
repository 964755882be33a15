package io.coffer.api.log;

import java.util.logging.LogManager;

/**
 * A LogManager that keeps its handlers through JVM shutdown until the node has stopped. The JDK's
 * LogManager resets (closes every handler) in its own shutdown hook, which runs concurrently with
 * ours, so the last lines of a graceful stop ("coffer: stopped") were lost. {@link #shutdownDone()}
 * lets the node's shutdown hook flush and close logging once it has finished.
 */
public final class CofferLogManager extends LogManager {
    private static volatile boolean shuttingDownDone;

    @Override
    public void reset() {
        // The JDK's shutdown hook calls reset(); ignore it while the node may still be stopping.
        if (!isShutdownInProgress() || shuttingDownDone) {
            super.reset();
        }
    }

    /** Called last by the node's shutdown hook: now logging may close. */
    public static void shutdownDone() {
        shuttingDownDone = true;
        LogManager m = LogManager.getLogManager();
        if (m instanceof CofferLogManager) {
            m.reset();
        }
    }

    private static boolean isShutdownInProgress() {
        try {
            Thread t = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(t);
            Runtime.getRuntime().removeShutdownHook(t);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
