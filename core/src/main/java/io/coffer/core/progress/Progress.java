package io.coffer.core.progress;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One piece of long work measured from its start: {@link #at} turns "done so far" into a {@link Report} with the rate since the
 * start and the time left at that rate. Thread-safe; the total may grow (a chain's tip moves while it is caught up with).
 */
public final class Progress {
    private final String what;
    private final String unit;
    private final LongSupplier nanos;
    private final long startNanos;
    private final long startDone;
    private volatile long total;
    private long lastShownNanos;

    /**
     * @param what  what is being done ("catching up", "backup")
     * @param unit  what is counted, plural ("blocks", "records", "bytes")
     * @param done  how much was already done when measuring starts (not counted in the rate)
     * @param total how much there is in all
     */
    public Progress(String what, String unit, long done, long total) {
        this(what, unit, done, total, System::nanoTime);
    }

    Progress(String what, String unit, long done, long total, LongSupplier nanos) {
        this.what = what;
        this.unit = unit;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.startDone = done;
        this.total = total;
        this.lastShownNanos = startNanos;
    }

    /** The total moved (a chain's tip grew while catching up). */
    public void total(long total) {
        this.total = total;
    }

    /** Where the work stands with {@code done} of the total done. */
    public Report at(long done) {
        long elapsed = Math.max(1, nanos.getAsLong() - startNanos);
        long t = total;
        double rate = (done - startDone) * 1e9 / elapsed;
        Optional<Duration> eta = rate > 0 && done <= t ? Optional.of(Duration.ofMillis((long) ((t - done) / rate * 1000))) : Optional.empty();
        return new Report(what, unit, done, t, rate, eta, Duration.ofNanos(elapsed));
    }

    /** True at most once per {@code every} (the first time only after {@code every} has passed): when to log a line. */
    public synchronized boolean due(Duration every) {
        long now = nanos.getAsLong();
        if (now - lastShownNanos >= every.toNanos()) {
            lastShownNanos = now;
            return true;
        }
        return false;
    }

    /**
     * Where one piece of work stands.
     *
     * @param rate    units per second since the start
     * @param eta     the time left at that rate (empty before any unit was done)
     * @param elapsed since the start
     */
    public record Report(String what, String unit, long done, long total, double rate, Optional<Duration> eta, Duration elapsed) {
        /** Done as a share of the total, 0..1 (1 when there is nothing to do). */
        public double fraction() {
            return total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
        }

        /** "catching up: 1,234 of 5,000 blocks (24.7%), 118 blocks/s, about 32 s left". */
        public String line() {
            StringBuilder b = new StringBuilder(what).append(": ").append(String.format(Locale.ROOT, "%,d of %,d %s (%.1f%%)", done, total,
                    unit, fraction() * 100));
            if (rate > 0) {
                b.append(String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit));
            }
            eta.ifPresent(d -> b.append(", about ").append(human(d)).append(" left"));
            return b.toString();
        }

        /** "0.7 s", "45 s", "12 min 5 s", "3 h 20 min". */
        public static String human(Duration d) {
            long s = Math.max(0, d.toSeconds());
            if (s < 10) {
                return String.format(Locale.ROOT, "%.1f s", Math.max(0, d.toMillis()) / 1000.0);
            }
            if (s < 60) {
                return s + " s";
            }
            if (s < 3600) {
                return s / 60 + " min " + s % 60 + " s";
            }
            return s / 3600 + " h " + s % 3600 / 60 + " min";
        }
    }
}
