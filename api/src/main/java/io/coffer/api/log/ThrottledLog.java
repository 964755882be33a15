package io.coffer.api.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per period for a kind of event anyone on the network can cause (a refused request, a dropped stream): the
 * first in each period is written with the number suppressed since the last one, the rest are counted. Without it a client
 * could grow the node's log as fast as it can send.
 */
public final class ThrottledLog {
    private final Logger log;
    private final Level level;
    private final long periodNanos;
    private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(Logger log, Level level, java.time.Duration period) {
        this.log = log;
        this.level = level;
        this.periodNanos = period.toNanos();
    }

    /** Logs {@code line} unless a line was written less than a period ago; {@code line} is built only when written. */
    public void log(Supplier<String> line) {
        long now = System.nanoTime();
        long next = nextAt.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextAt.compareAndSet(next, now + periodNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (log.isLoggable(level)) {
            log.log(level, skipped == 0 ? line.get() : line.get() + " (and " + skipped + " more like it, not logged)");
        }
    }
}
