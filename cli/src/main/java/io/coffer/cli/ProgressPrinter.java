package io.coffer.cli;

import io.coffer.core.progress.CountingInputStream;
import io.coffer.core.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Progress of long commands on standard error (standard output keeps the result a script reads): a line at most every
 * {@link #EVERY_NANOS} and the last one always.
 */
final class ProgressPrinter {
    static final long EVERY_NANOS = 2_000_000_000L;
    private final PrintWriter err;
    private long lastNanos = System.nanoTime();
    private String lastLine = "";

    ProgressPrinter(PrintWriter err) {
        this.err = err;
    }

    /** Prints {@code line} when a line is due, or always when {@code last}. */
    synchronized void show(String line, boolean last) {
        long now = System.nanoTime();
        if ((last && !line.equals(lastLine)) || now - lastNanos >= EVERY_NANOS) {
            lastNanos = now;
            lastLine = line;
            err.println(line);
            err.flush();
        }
    }

    /** A node's (or the restore's) report: printed when due, always when it is the end. */
    void show(Progress.Report r) {
        show(r.line(), r.done() >= r.total());
    }

    /** {@code file} opened for reading, its bytes read shown as "{@code what}: n of size bytes...". */
    InputStream measured(Path file, String what) throws IOException {
        Progress p = new Progress(what, "bytes", 0, Files.size(file));
        return new CountingInputStream(Files.newInputStream(file), n -> show(p.at(n)));
    }
}
