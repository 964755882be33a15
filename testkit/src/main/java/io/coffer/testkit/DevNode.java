package io.coffer.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A dev chain node process owned by a test: started on a free 127.0.0.1 port, stopped by
 * {@link #close()}. A JVM shutdown hook kills whatever is still running if the test JVM exits early.
 */
public abstract class DevNode implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "devnet-reaper"));
    }

    protected final Path dataDir;
    protected Process process;

    protected DevNode(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath();
    }

    /** The node's data directory (fresh per node). */
    public Path dataDir() {
        return dataDir;
    }

    protected final void launch(List<String> command, Path log, String what, BooleanSupplier ready, Path extraLog) {
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        LIVE.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                throw new IllegalStateException(what + " exited at start (exit " + process.exitValue() + "):\n"
                        + Devnet.tail(log, 20) + (extraLog == null ? "" : "\n" + Devnet.tail(extraLog, 20)));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException(what + " did not answer RPC within 90 s:\n" + Devnet.tail(log, 20));
    }

    /** Asks the node to stop politely; {@link #close()} then waits, and kills it if it hangs. */
    protected abstract void requestStop();

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            try {
                requestStop();
            } catch (RuntimeException ignored) {
                // Already unreachable: fall through to the signal.
            }
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(process);
    }

    /** Freezes the process (SIGSTOP): it keeps its sockets open but answers nothing, as a node stuck on its disk would. */
    public void freeze() {
        signal("STOP");
    }

    /** Lets a frozen process run again (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.remove(process);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
