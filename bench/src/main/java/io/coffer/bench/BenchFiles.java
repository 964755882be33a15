package io.coffer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The benchmarks' scratch directories (chains, stores, node data): removed when a benchmark ends. */
final class BenchFiles {
    private BenchFiles() {
    }

    /**
     * Deletes {@code dir} and everything under it. A chain node that has just been told to stop may still write a file or two:
     * walked again a few times, then whatever is left is said on stderr rather than left behind silently.
     */
    static void deleteTree(Path dir) throws IOException {
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                // a file went away while walking: walk again
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (Files.exists(dir)) {
            System.err.println("benchmark: could not remove " + dir + " (remove it by hand)");
        }
    }
}
