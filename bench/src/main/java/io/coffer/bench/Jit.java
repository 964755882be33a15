package io.coffer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How much a JVM's JIT compilers still work, so a warm-up can run until the code it measures is compiled: rates that settle
 * within 10% from one round to the next are not enough on their own (a node still compiling for a third of its CPU gained a
 * few percent a round, round after round, and was measured at about half its steady rate).
 *
 * <p>This JVM's from its {@code CompilationMXBean}; another process's (the node's) from Linux's {@code /proc}: the CPU time
 * of its threads named {@code C1 CompilerThread…} / {@code C2 CompilerThread…}. HotSpot stops compiler threads it no longer
 * needs and a stopped thread's time leaves {@code /proc} with it, so a node measured this way runs with
 * {@link #KEEP_COMPILER_THREADS}.
 */
final class Jit {
    /** The node JVM's option that keeps its compiler threads (and their CPU time) for its whole life. */
    static final String KEEP_COMPILER_THREADS = "-XX:-UseDynamicNumberOfCompilerThreads";
    /** Linux's clock ticks per second in {@code /proc/<pid>/task/<tid>/stat} (USER_HZ: 100 on every mainstream build). */
    private static final long TICKS_PER_SECOND = 100;

    private Jit() {
    }

    /** Milliseconds this JVM has spent compiling so far. */
    static long ownMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** CPU nanoseconds the JIT compiler threads of process {@code pid} have used so far; 0 where {@code /proc} does not tell. */
    static long compilerCpuNanos(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return 0;
        }
        long ticks = 0;
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                ticks += compilerTicks(task);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ticks * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /**
     * User and system ticks of one thread if it is a compiler thread, else 0 — also when it ended while being read (the kernel
     * then answers ENOENT or ESRCH, depending on the moment).
     */
    private static long compilerTicks(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).strip();
            if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                return 0;
            }
            String stat = Files.readString(task.resolve("stat"));
            // After the name's closing parenthesis: state, ppid, ... utime is the 14th field of the line, stime the 15th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }
}
