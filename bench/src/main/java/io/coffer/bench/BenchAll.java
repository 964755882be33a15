package io.coffer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/bench all}: every benchmark one after the other, each in a JVM of its own (each starts its own bitcoind/anvil;
 * the API and latency benchmarks their own node process), one table of their figures, and the same as JSON in
 * {@code target/bench/} ({@code bench-<time>.json} and {@code latest.json}) so runs can be compared, and as Markdown
 * ({@code latest.md}) for the README. The sizes are smaller than each benchmark's defaults so the whole takes a few minutes;
 * each benchmark alone takes its own sizes.
 */
public final class BenchAll {
    private BenchAll() {
    }

    /** One benchmark of the table, as run alone. */
    private interface Measure {
        List<Figure> run() throws Exception;
    }

    /** A step: its name, the JVM options of its process, what it measures. */
    private record Step(String name, List<String> jvmOptions, Measure measure) {
    }

    private static final List<Step> STEPS = List.of(
            new Step("sign", List.of(), () -> SigningBenchmark.measure(7)),
            new Step("withdrawals 500", List.of(), () -> EvmWithdrawalBenchmark.measure(500)),
            new Step("withdrawals 2000", List.of(), () -> EvmWithdrawalBenchmark.measure(2000)),
            new Step("withdrawals 500, 8 callers", List.of(), () -> EvmWithdrawalBenchmark.measure(500, 8)),
            new Step("withdrawals 500, 8 callers, 8 accounts", List.of(), () -> EvmWithdrawalBenchmark.measure(500, 8, 8)),
            new Step("transfers 500, 8 callers", List.of(), () -> List.of(TransferApiBenchmark.measure(500, 8))),
            // 100,000 watched: the derivation's figure at 20,000 (under a second, in a JVM just started) was mostly the JIT's
            // warm-up (26k/s against 44k/s at 100,000 and 54k/s at the goal's 1,000,000 on the same machine).
            new Step("catchup", List.of("-Xmx512m"), () -> CatchUpBenchmark.measure(100_000, 150, 20, CatchUpBenchmark.ROUNDS)),
            new Step("api", List.of(), () -> ApiLoadBenchmark.measure(64, 10, 0, 100_000)),
            new Step("latency", List.of(), () -> LatencyBenchmark.measure(300, 2000)),
            new Step("pages", List.of(), () -> PagingBenchmark.measure(25_000, 15)),
            new Step("pool", List.of(), () -> PendingPoolBenchmark.measure(2_000, 30)));

    /**
     * Each step runs in a JVM of its own, started as {@code scripts/bench <name>} starts it ({@code --step <name> <file>}: the
     * figures are handed back in that file): a step measured after another in one JVM met that one's heap, threads and
     * compiled code (the latency bench's client after the API bench's 64 load threads and 100,000-deposit set-up gave p99s
     * above what it gives alone), so the table's figures are each benchmark's own.
     */
    public static void main(String[] args) throws Exception {
        NodeLogging.install();
        if (args.length == 3 && args[0].equals("--step")) {
            Step step = STEPS.stream().filter(s -> s.name().equals(args[1])).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no step " + args[1]));
            try (var out = new java.io.ObjectOutputStream(Files.newOutputStream(Path.of(args[2])))) {
                out.writeObject(new ArrayList<>(step.measure().run()));
            }
            return;
        }
        Instant started = Instant.now();
        List<Figure> figures = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Step step : STEPS) {
            System.out.println("\n== " + step.name());
            settle();
            try {
                figures.addAll(alone(step));
            } catch (Exception e) {
                System.out.println(step.name() + " failed: " + e);
                failed.add(step.name());
            }
        }

        String machine = machine();
        String commit = System.getenv().getOrDefault("COFFER_COMMIT", "unknown");
        System.out.printf(Locale.ROOT, "%n== Coffer benchmarks, %s, commit %s, started %s%n", machine, commit, started);
        System.out.print(Figure.table(figures));
        System.out.println("(ratio: higher is better, 1.00 = the baseline measured in the same run; for times and latencies the"
                + " baseline's over Coffer's)");
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        String json = Figure.json(figures, machine, commit, started.toString());
        Path file = dir.resolve("bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + ".json");
        Files.writeString(file, json);
        Files.writeString(dir.resolve("latest.json"), json);
        Files.writeString(dir.resolve("latest.md"), "Measured on " + machine + ", commit " + commit + ", " + started + ":\n\n"
                + Figure.markdown(figures));
        System.out.println("written: " + file.toAbsolutePath());
        if (!failed.isEmpty()) {
            System.out.println("FAILED: " + String.join(", ", failed));
            System.exit(1);
        }
    }

    /**
     * Before a step: what the steps before it left to the machine is finished — their files written out (the API step writes
     * gigabytes: synced writes made while the kernel still flushes them measure that step too; the latency step after it gave a
     * block p99 well above what it gives alone) and the CPU idle again (a chain node still stopping). Waits at most 30 s for
     * the CPU.
     */
    private static void settle() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        long[] before = cpuTicks();
        while (before != null && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long[] after = cpuTicks();
            long total = after[0] - before[0];
            if (total > 0 && (after[1] - before[1]) * 10 >= total * 9) { // 90% idle over the last second
                return;
            }
            before = after;
        }
    }

    /** All CPUs' ticks so far and their idle ticks (idle + iowait), from /proc/stat; null where there is none. */
    private static long[] cpuTicks() throws java.io.IOException {
        Path stat = Path.of("/proc/stat");
        if (!Files.isReadable(stat)) {
            return null;
        }
        String[] f = Files.readAllLines(stat).get(0).trim().split("\\s+"); // "cpu user nice system idle iowait irq softirq steal ..."
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** Runs {@code step} in a new JVM with this one's class path; its figures. */
    @SuppressWarnings("unchecked")
    private static List<Figure> alone(Step step) throws Exception {
        Path figures = Files.createTempFile("coffer-bench-", ".figures");
        try {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(step.jvmOptions());
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    BenchAll.class.getName(), "--step", step.name(), figures.toString()));
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("its JVM exited with " + exit);
            }
            try (var in = new java.io.ObjectInputStream(Files.newInputStream(figures))) {
                return (List<Figure>) in.readObject();
            }
        } finally {
            Files.deleteIfExists(figures);
        }
    }

    /** Cores, CPU model, memory and Java: what the figures were measured on. */
    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the core count and Java still say something
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", Java " + Runtime.version() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}
