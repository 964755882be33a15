package io.coffer.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A second JVM running a main class on the test's own classpath: for tests that must kill a real
 * process (SIGKILL at a crash point) or drive the real CLI, not an object in the test's JVM.
 */
public final class JavaProcess {
    private JavaProcess() {
    }

    /** Starts {@code main} with {@code args}; standard error is merged into standard output. */
    public static Process start(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + main.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the process's output until a line starting with {@code prefix}; returns that line. Fails with
     * everything it printed when the process ends first.
     */
    public static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the process ended without printing '" + prefix + "':\n" + seen);
    }
}
