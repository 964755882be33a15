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
 * {@code scripts/bench all}: every benchmark one after the other (each starts its own bitcoind/anvil; the API benchmark its own
 * node process), one table of their figures, and the same as JSON in {@code target/bench/} ({@code bench-<time>.json} and
 * {@code latest.json}) so runs can be compared, and as Markdown ({@code latest.md}) for the README. The sizes are smaller than each benchmark's defaults so the whole takes a few
 * minutes; each benchmark alone takes its own sizes.
 */
public final class BenchAll {
    private BenchAll() {
    }

    public static void main(String[] args) throws Exception {
        NodeLogging.install();
        Instant started = Instant.now();
        List<Figure> figures = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        run("sign", failed, () -> figures.addAll(SigningBenchmark.measure(7)));
        run("withdrawals 500", failed, () -> figures.add(EvmWithdrawalBenchmark.measure(500)));
        run("withdrawals 2000", failed, () -> figures.add(EvmWithdrawalBenchmark.measure(2000)));
        run("withdrawals 500, 8 callers", failed, () -> figures.add(EvmWithdrawalBenchmark.measure(500, 8)));
        run("catchup", failed, () -> figures.addAll(CatchUpBenchmark.measure(20_000, 150, 20, 3)));
        run("api", failed, () -> figures.addAll(ApiLoadBenchmark.measure(64, 10, 0, 100_000)));
        run("latency", failed, () -> figures.addAll(LatencyBenchmark.measure(300, 2000)));
        run("pages", failed, () -> figures.addAll(PagingBenchmark.measure(25_000, 15)));

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

    private interface Step {
        void run() throws Exception;
    }

    private static void run(String name, List<String> failed, Step step) {
        System.out.println("\n== " + name);
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            System.out.println(name + " failed: " + e);
            failed.add(name);
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
