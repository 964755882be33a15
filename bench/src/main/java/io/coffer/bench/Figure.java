package io.coffer.bench;

import io.coffer.core.text.Json;
import java.util.List;
import java.util.Locale;

/**
 * One measured line of a benchmark: what Coffer did and what the baseline did in the same run, and their ratio, oriented so
 * that 1.0 means "as good as the baseline" and higher is better (for latencies: the baseline's latency over Coffer's).
 *
 * @param benchmark     which benchmark ({@code sign}, {@code withdrawals}, ...)
 * @param what          what Coffer's figure counts
 * @param value         Coffer's figure
 * @param unit          its unit ({@code tx/s}, {@code blocks/s}, {@code us} ...)
 * @param baseline      what the baseline counts
 * @param baselineValue the baseline's figure, same unit
 * @param ratio         higher is better; 1.0 is the baseline's
 * @param goal          the goal for the ratio, as text
 */
record Figure(String benchmark, String what, double value, String unit, String baseline, double baselineValue, double ratio, String goal)
        implements java.io.Serializable {

    /** A throughput figure: ratio = value / baseline. */
    static Figure rate(String benchmark, String what, double value, String unit, String baseline, double baselineValue, String goal) {
        return new Figure(benchmark, what, value, unit, baseline, baselineValue, value / baselineValue, goal);
    }

    /** A latency or time figure: ratio = baseline / value (so 0.5 means twice as slow). */
    static Figure time(String benchmark, String what, double value, String unit, String baseline, double baselineValue, String goal) {
        return new Figure(benchmark, what, value, unit, baseline, baselineValue, baselineValue / value, goal);
    }

    /** The figures as a table, one line each. */
    static String table(List<Figure> figures) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-12s %-66s %12s %-9s %-48s %12s %6s  %s%n", "benchmark", "coffer", "value", "unit", "baseline",
                "value", "ratio", "goal"));
        for (Figure f : figures) {
            b.append(String.format(Locale.ROOT, "%-12s %-66s %12s %-9s %-48s %12s %6s  %s%n", f.benchmark(), f.what(), number(f.value()), f.unit(),
                    f.baseline(), number(f.baselineValue()), Double.isFinite(f.ratio()) ? String.format(Locale.ROOT, "%.2f", f.ratio()) : "-",
                    f.goal()));
        }
        return b.toString();
    }

    /** The figures as a Markdown table (for the README's performance section). */
    static String markdown(List<Figure> figures) {
        StringBuilder b = new StringBuilder("| benchmark | Coffer | value | baseline | value | ratio | goal |\n|---|---|---|---|---|---|---|\n");
        for (Figure f : figures) {
            b.append("| ").append(f.benchmark()).append(" | ").append(f.what()).append(" | ").append(number(f.value())).append(' ').append(f.unit())
                    .append(" | ").append(f.baseline()).append(" | ").append(number(f.baselineValue())).append(Double.isFinite(f.baselineValue())
                            ? " " + f.unit() : "").append(" | ").append(Double.isFinite(f.ratio()) ? String.format(Locale.ROOT, "**%.2f**", f.ratio()) : "-")
                    .append(" | ").append(f.goal().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    /** The figures and the machine they ran on, as JSON. */
    static String json(List<Figure> figures, String machine, String commit, String startedAt) {
        StringBuilder b = new StringBuilder("{\n  \"machine\": ").append(Json.quote(machine)).append(",\n  \"commit\": ").append(Json.quote(commit))
                .append(",\n  \"started_at\": ").append(Json.quote(startedAt)).append(",\n  \"figures\": [");
        for (int i = 0; i < figures.size(); i++) {
            Figure f = figures.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"benchmark\": ").append(Json.quote(f.benchmark())).append(", \"what\": ")
                    .append(Json.quote(f.what())).append(", \"value\": ").append(json(f.value())).append(", \"unit\": ").append(Json.quote(f.unit()))
                    .append(", \"baseline\": ").append(Json.quote(f.baseline())).append(", \"baseline_value\": ").append(json(f.baselineValue()))
                    .append(", \"ratio\": ").append(json(f.ratio())).append(", \"goal\": ").append(Json.quote(f.goal())).append('}');
        }
        return b.append("\n  ]\n}\n").toString();
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String json(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "null";
    }
}
