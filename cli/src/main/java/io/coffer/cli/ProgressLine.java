package io.coffer.cli;

import io.coffer.proto.v1.WorkProgress;
import java.util.Locale;

/** A {@link WorkProgress} as one line: "catching up: 1,234 of 5,000 blocks (24.7%), 118 blocks/s, about 32 s left". */
final class ProgressLine {
    private ProgressLine() {
    }

    static String of(String what, WorkProgress p) {
        double pct = p.getTotal() == 0 ? 100 : Math.min(100, 100.0 * p.getDone() / p.getTotal());
        StringBuilder b = new StringBuilder(what).append(": ").append(String.format(Locale.ROOT, "%,d of %,d %s (%.1f%%)", p.getDone(),
                p.getTotal(), p.getUnit(), pct));
        if (p.getRatePerSecond() > 0) {
            b.append(String.format(Locale.ROOT, ", %,.0f %s/s", p.getRatePerSecond(), p.getUnit()));
        }
        if (p.hasEta()) {
            b.append(", about ").append(io.coffer.core.progress.Progress.Report.human(java.time.Duration.ofSeconds(p.getEta().getSeconds(),
                    p.getEta().getNanos()))).append(" left");
        }
        return b.toString();
    }
}
