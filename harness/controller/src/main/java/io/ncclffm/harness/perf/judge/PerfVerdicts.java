package io.ncclffm.harness.perf.judge;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The perf report's verdicts, over what a matrix run's perf cells measured: that they measured anything (the table
 * and chart), the binding's overhead against C in a separate process and in the worker's own, the regression check
 * against the matrix's baseline, and the binding against nccl-tests. They count for the gate like the cells'; the
 * JUnit matrix shows each as a test with its table attached.
 */
public final class PerfVerdicts {

    public static final String REPORT = "perf/report";
    public static final String TABLE_AND_CHART = "perf/table-and-chart";
    public static final String OVERHEAD = "perf/overhead-vs-c";
    public static final String OVERHEAD_IN_PROCESS = "perf/overhead-vs-c-in-process";
    public static final String REGRESSION = "perf/regression";
    public static final String VS_NCCL_TESTS = "perf/vs-nccl-tests";

    private PerfVerdicts() {
    }

    /**
     * The perf report's verdicts, in the order the report shows them: table and chart, overhead against C, overhead
     * against the in-process C loop, regression, the binding against nccl-tests.
     */
    public static List<Verdict> of(PerfFindings findings) {
        RegressionJudgement r = findings.regression();
        Verdict regression = r == null ? verdict(REGRESSION, CheckStatus.SKIPPED, "the matrix sets no perf.baseline")
                : regression(r.regressions(), r.summaries(), findings.slowedOnPurpose(), r.uncompared());
        return List.of(tableAndChart(findings.points()),
                overheadVerdict(findings.overhead(), OVERHEAD, findings.inProcessOverhead() == null,
                        "no C baseline points were given (ncclffm.perf.c / --perf-c)"),
                overheadVerdict(findings.inProcessOverhead(), OVERHEAD_IN_PROCESS, true,
                        "no in-process C loop was given (" + WorkerConfig.PERF_C_LOOP + ", perf/c-baseline/build.sh)"),
                regression,
                ncclTestsVerdict(findings.points(), findings.vsNcclTests()));
    }

    /** {@code perf/table-and-chart}: passes naming the libraries and sources measured; broken when nothing was. */
    static Verdict tableAndChart(List<PerfPoint> points) {
        return points.isEmpty()
                ? verdict(TABLE_AND_CHART, CheckStatus.BROKEN, "the perf cells measured nothing")
                : verdict(TABLE_AND_CHART, CheckStatus.PASSED, points.size() + " points from "
                        + points.stream().map(p -> p.library() + " (" + p.source() + ")").distinct().collect(Collectors.joining(", ")));
    }

    /**
     * {@code perf/regression} of a matrix that sets a perf baseline: fails where a candidate compared nothing
     * ({@code uncompared}, each with why), whatever the check found elsewhere, since a check that compared nothing has
     * shown nothing; skips where no candidate measured anything; else fails on a regression that counts, or, where the
     * candidates are slowed on purpose, on none ({@link #expectedRegressionVerdict}).
     *
     * @param regressions the regressions that count
     * @param summaries   one line per candidate cell of the regression check
     */
    static Verdict regression(List<Regression> regressions, List<String> summaries, boolean slowedOnPurpose,
                              List<String> uncompared) {
        if (!uncompared.isEmpty()) {
            return verdict(REGRESSION, CheckStatus.FAILED, "the regression check compared nothing for " + uncompared.size()
                    + " candidate(s): " + String.join("; ", uncompared));
        }
        if (summaries.isEmpty() && regressions.isEmpty()) {
            return verdict(REGRESSION, CheckStatus.SKIPPED, "no perf cell besides the baseline measured anything to compare");
        }
        if (slowedOnPurpose) return expectedRegressionVerdict(regressions);
        if (regressions.isEmpty()) {
            return verdict(REGRESSION, CheckStatus.PASSED, summaries.stream().map(s -> "## " + s).collect(Collectors.joining("; ")));
        }
        return verdict(REGRESSION, CheckStatus.FAILED, regressions.size() + " regression(s): "
                + regressions.stream().limit(5).map(Regression::describe).collect(Collectors.joining("; ")));
    }

    /** The one verdict of a perf report that could not be made. */
    public static Verdict broken(String why) {
        return verdict(REPORT, CheckStatus.BROKEN, "the perf report could not be made: " + why);
    }

    /**
     * {@code perf/regression} in a matrix whose candidates are slowed on purpose ({@code perf.expect: regression}):
     * passes when the check flags them, naming what it flagged, and fails when the slowdown went unseen.
     */
    static Verdict expectedRegressionVerdict(List<Regression> found) {
        if (found.isEmpty()) {
            return verdict(REGRESSION, CheckStatus.FAILED, "the matrix slows its candidates on purpose (perf.expect: "
                    + "regression), and the check flagged no regression: the slowdown went unseen");
        }
        return verdict(REGRESSION, CheckStatus.PASSED, found.size() + " regression(s) flagged, as the matrix expects "
                + "(perf.expect: regression): " + found.stream().limit(3).map(Regression::describe)
                .collect(Collectors.joining("; ")) + (found.size() > 3 ? "; ..." : ""));
    }

    /**
     * {@code perf/vs-nccl-tests}: fails naming every row that misses (time above 1.05 × nccl-tests' slowest run at
     * 8 B, bandwidth below 0.97 × from 64 MiB); passes otherwise, naming the undecided rows (above 1.05 × the median
     * run only); skips, with the reason, when nccl-tests was not run, no size pairs up, or every row is undecided.
     */
    static Verdict ncclTestsVerdict(List<PerfPoint> points, NcclTestsComparison c) {
        String id = VS_NCCL_TESTS;
        if (!NcclTestsComparison.hasNcclTests(points)) {
            return verdict(id, CheckStatus.SKIPPED, "no nccl-tests points: set " + WorkerConfig.NCCL_TESTS
                    + " to a folder of nccl-tests binaries in a one-rank perf cell's env (perf/nccl-tests/README.md)");
        }
        if (c.rows().isEmpty()) {
            return verdict(id, CheckStatus.SKIPPED, "nccl-tests and the binding measured no common size at 8 B or from 64 MiB "
                    + "(same cell, collective, type and placement, launched), so the goals could not be judged");
        }
        String goals = "time <= " + NcclTestsComparison.SMALL_TIME_LIMIT + " × nccl-tests' at 8 B, bandwidth >= "
                + NcclTestsComparison.LARGE_BANDWIDTH_FLOOR + " × from 64 MiB (algbw at world 1)";
        List<NcclTestsComparison.Row> misses = c.misses();
        List<NcclTestsComparison.Row> undecided = c.undecided();
        List<NcclTestsComparison.Row> process = c.process();
        String open = (undecided.isEmpty() ? "" : "; " + undecided.size() + " undecided, above the goal against nccl-tests' median "
                + "run but not above its slowest (separate processes differ that much): "
                + undecided.stream().map(NcclTestsComparison.Row::describe).collect(Collectors.joining("; ")))
                + (process.isEmpty() ? "" : "; " + process.size() + " put down to the process, the binding's own share (its time over "
                + "C's in its own process) being within the in-process goal, and the rest the same calls from C, slower in "
                + "the binding's process than in nccl-tests': " + process.stream().map(NcclTestsComparison.Row::describe).collect(Collectors.joining("; ")));
        if (!misses.isEmpty()) {
            return verdict(id, CheckStatus.FAILED, misses.size() + " of " + c.rows().size() + " row(s) miss a goal (" + goals
                    + ", beyond nccl-tests' slowest run at 8 B): " + misses.stream().map(NcclTestsComparison.Row::describe)
                    .collect(Collectors.joining("; ")) + open);
        }
        int decided = c.rows().size() - undecided.size() - process.size();
        if (decided == 0) {
            return verdict(id, CheckStatus.SKIPPED, "no row could be judged against nccl-tests" + open);
        }
        return verdict(id, CheckStatus.PASSED, decided + " row(s) meet the goals (" + goals + ")" + open);
    }

    /**
     * The verdict on one overhead table: fails on any row that misses a goal; passes when none does and each goal was
     * judged at least once, naming the rows that lack a size (a sweep that stops below 64 MiB); skips, with the
     * reason, when nothing could be judged.
     *
     * @param judgeSmall whether the small-message goal is judged on this table; the separate-process table leaves it
     *                   to the in-process one when there is one, since separate processes differ at small sizes by far
     *                   more than 5% from run to run (docs/validation.md has the figures)
     */
    static Verdict overheadVerdict(OverheadSummary o, String id, boolean judgeSmall, String whyNone) {
        if (o == null) return verdict(id, CheckStatus.SKIPPED, whyNone);
        String reference = "java/" + o.reference();
        List<OverheadSummary.Overhead> misses = o.rows().stream()
                .filter(r -> (judgeSmall && r.smallMessageGoal() == OverheadSummary.Goal.MISSES)
                        || r.largeMessageGoal() == OverheadSummary.Goal.MISSES).toList();
        List<String> unjudged = new java.util.ArrayList<>();
        for (OverheadSummary.Overhead r : o.rows()) {
            List<String> lacking = new java.util.ArrayList<>();
            if (judgeSmall && r.smallMessageGoal() == OverheadSummary.Goal.NO_DATA) lacking.add(OverheadSummary.SMALL_BAND);
            if (r.largeMessageGoal() == OverheadSummary.Goal.NO_DATA) lacking.add("from 64 MiB");
            if (!lacking.isEmpty()) unjudged.add(r.describe() + " (no data " + String.join(" or ", lacking) + ")");
        }
        String notJudged = (judgeSmall ? "" : "; small messages are judged in process (perf/overhead-vs-c-in-process), not across processes")
                + (unjudged.isEmpty() ? "" : "; not judged: " + String.join(", ", unjudged));
        String goals = judgeSmall ? reference + " <= 1.05 (median " + OverheadSummary.SMALL_BAND + "), <= 1.01 from 64 MiB" : reference + " <= 1.01 from 64 MiB";
        if (!misses.isEmpty()) {
            return verdict(id, CheckStatus.FAILED, misses.size() + " row(s) miss a goal (" + goals + "): "
                    + misses.stream().map(r -> r.describe() + " " + ratios(r)).collect(Collectors.joining(", ")) + notJudged);
        }
        boolean smallJudged = !judgeSmall || o.rows().stream().anyMatch(r -> r.smallMessageGoal() != OverheadSummary.Goal.NO_DATA);
        boolean largeJudged = o.rows().stream().anyMatch(r -> r.largeMessageGoal() != OverheadSummary.Goal.NO_DATA);
        if (!smallJudged || !largeJudged) {
            return verdict(id, CheckStatus.SKIPPED, "no row has both sides " + (smallJudged ? "" : OverheadSummary.SMALL_BAND)
                    + (smallJudged || largeJudged ? "" : " and ") + (largeJudged ? "" : "64 MiB or more")
                    + ", so the goals could not be judged" + notJudged);
        }
        return verdict(id, CheckStatus.PASSED, goals + " in every row measured (" + (o.rows().size() - unjudged.size())
                + " of " + o.rows().size() + " rows complete)" + notJudged);
    }

    private static String ratios(OverheadSummary.Overhead r) {
        return "(median " + OverheadSummary.SMALL_BAND + " over " + r.smallMessageSizes() + " size(s): "
                + (r.smallMessageRatio().isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", r.smallMessageRatio().getAsDouble()) : "n/a")
                + ", worst from 64 MiB: " + (r.largeMessageWorstRatio().isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", r.largeMessageWorstRatio().getAsDouble()) : "n/a") + ")";
    }

    private static Verdict verdict(String id, CheckStatus status, String message) {
        Cause cause = switch (status) {
            case PASSED -> null;
            case FAILED -> Cause.OTHER_FAILURE;
            case SKIPPED -> Cause.NOT_CONFIGURED;
            case BROKEN -> Cause.INFRASTRUCTURE;
        };
        return Verdict.of(id, "perf", Map.of(), status, cause, message);
    }

}
