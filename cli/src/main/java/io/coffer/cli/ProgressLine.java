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
            b.append(", about ").append(human(p.getEta().getSeconds())).append(" left");
        }
        return b.toString();
    }

    /** "45 s", "12 min 5 s", "3 h 20 min" (the node's log says it the same way). */
    static String human(long s) {
        if (s < 60) {
            return Math.max(0, s) + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
}
