package io.ncclffm.harness.perf.render;

import java.util.Locale;
import java.util.OptionalDouble;

import io.ncclffm.harness.perf.judge.MessageSize;
import io.ncclffm.harness.perf.judge.OverheadSummary;
import io.ncclffm.harness.perf.judge.OverheadSummary.Goal;
import io.ncclffm.harness.perf.judge.OverheadSummary.Overhead;

/** The overhead tables ({@code overhead.md}, {@code overhead-in-process.md}) from their judged rows. */
public final class OverheadMarkdown {

    private OverheadMarkdown() {
    }

    /**
     * One table row per collective, each ratio marked as meeting or missing its goal, with the size of the worst
     * large message so a miss can be looked up in the full table.
     */
    public static String of(OverheadSummary summary) {
        StringBuilder out = new StringBuilder();
        String ratio = "java/" + summary.reference();
        out.append("| Library | World | Collective | Dtype | Placement | Mode | median ").append(ratio).append(' ')
                .append(OverheadSummary.SMALL_BAND).append(" (goal ≤ ").append(format("%.2f", OverheadSummary.SMALL_MESSAGE_GOAL))
                .append(") | worst ").append(ratio).append(" from ").append(MessageSize.label(MessageSize.LARGE))
                .append(" (goal ≤ ").append(format("%.2f", OverheadSummary.LARGE_MESSAGE_GOAL)).append(") |\n")
                .append("|---|---:|---|---|---|---|---:|---:|\n");
        for (Overhead r : summary.rows()) {
            out.append("| ").append(r.cell() == null ? r.library() : r.cell() + " (" + r.library() + ")").append(" | ")
                    .append(r.world()).append(" | ").append(r.collective()).append(" | ").append(r.dtype().shortName())
                    .append(" | ").append(r.placement()).append(" | ").append(r.mode()).append(" | ")
                    .append(cell(r.smallMessageRatio(), r.smallMessageGoal(), " over " + r.smallMessageSizes() + " size(s)"))
                    .append(" | ")
                    .append(cell(r.largeMessageWorstRatio(), r.largeMessageGoal(),
                            r.largeMessageWorstRatio().isPresent() ? " at " + MessageSize.label(r.largeMessageWorstBytes()) : ""))
                    .append(" |\n");
        }
        return out.toString();
    }

    /**
     * The table against the separate C process; when an in-process table exists, with the note that its 8-byte
     * ratios are shown but judged in process (perf/overhead-vs-c-in-process).
     */
    public static String againstSeparateC(OverheadSummary separate, OverheadSummary inProcess) {
        return of(separate) + (inProcess == null ? "" : "\nThe 8 B ratios above compare two processes, "
                + "which differ by far more than 5% from run to run at 8 B; the 8 B goal is judged on the in-process C loop "
                + "(overhead-in-process.md), whose trials alternate with the binding's. The 64 MiB goal is judged here.\n");
    }

    private static String cell(OptionalDouble ratio, Goal verdict, String where) {
        if (ratio.isEmpty()) return "no data";
        return format("%.3f", ratio.getAsDouble()) + where + (verdict == Goal.MEETS ? " (meets)" : " (**misses**)");
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
