package io.ncclffm.harness.perf.render;

import java.util.Locale;

import io.ncclffm.harness.perf.judge.MessageSize;
import io.ncclffm.harness.perf.judge.NcclTestsComparison;
import io.ncclffm.harness.perf.judge.NcclTestsComparison.Row;
import io.ncclffm.harness.perf.judge.OverheadSummary;

/** The binding against nccl-tests ({@code vs-nccl-tests.md}), from the judged rows. */
public final class NcclTestsMarkdown {

    private NcclTestsMarkdown() {
    }

    /** The rows as a Markdown table, misses marked, under the goals and how a row is read. */
    public static String of(NcclTestsComparison comparison) {
        double limit = NcclTestsComparison.SMALL_TIME_LIMIT;
        StringBuilder out = new StringBuilder("# The binding against nccl-tests\n\n")
                .append(String.format(Locale.ROOT, "Goals: java/nccl-tests time <= %.2f at the smallest size both measured "
                        + "(8 B; 16 B for a one-rank gather or scatter); bandwidth >= %.2f × nccl-tests' from 64 MiB (busbw; "
                        + "algbw at world 1). Launches, same cell, same library.%n%n", limit, NcclTestsComparison.LARGE_BANDWIDTH_FLOOR))
                .append(String.format(Locale.ROOT, "At the smallest size nccl-tests runs several times, as separate processes; "
                        + "its value is the median run. A row misses only above %.2f × the slowest run, and between that and "
                        + "%.2f × the median it is undecided: separate processes differ that much on their own. Where C in the "
                        + "binding's process made the same calls, the binding's own share is its time over C's there, trial by "
                        + "trial: at the smallest size the median %s, as the in-process goal takes it, from 64 MiB at the size. "
                        + "A row beyond the goal whose own share is within %.2f × (%.2f × from 64 MiB) is put down to the "
                        + "process: the rest is the same calls from C, slower in the binding's process than in nccl-tests'.%n%n",
                        limit, limit, OverheadSummary.SMALL_BAND, limit, OverheadSummary.LARGE_MESSAGE_GOAL))
                .append("| Cell | World | Collective | Type | Placement | Size | Metric | java | nccl-tests | nccl-tests' runs "
                        + "| C in process | java/nccl-tests | own share | |\n")
                .append("|---|---:|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : comparison.rows()) out.append(row(r));
        return out.toString();
    }

    private static String row(Row r) {
        String runs = r.ncclTestsRuns().size() < 2 ? "–"
                : String.format(Locale.ROOT, "%.2f–%.2f (%d)", r.fastestRun(), r.slowestRun(), r.ncclTestsRuns().size());
        String inProcess = Double.isNaN(r.cInProcess()) ? "–" : String.format(Locale.ROOT, "%.2f", r.cInProcess());
        String metric = switch (r.metric()) {
            case TIME_US -> "time µs";
            case ALG_BW -> "algbw GB/s";
            case BUS_BW -> "busbw GB/s";
        };
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %.2f | %.2f | %s | %s | %.3f | %s | %s |%n",
                r.cell() == null ? r.library() : r.cell() + " (" + r.library() + ")", r.world(), r.collective(), r.dtype().shortName(),
                r.placement(), MessageSize.label(r.bytes()), metric, r.java(), r.ncclTests(), runs, inProcess, r.ratio(),
                r.ownShareText(), r.misses() ? "**misses**" : r.outcome());
    }
}
