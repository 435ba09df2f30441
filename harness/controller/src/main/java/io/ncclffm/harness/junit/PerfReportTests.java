package io.ncclffm.harness.junit;

import io.ncclffm.harness.verdict.Verdict;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.DynamicNode;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.perf.InitPoint;
import io.ncclffm.harness.perf.NcclTestsComparison;
import io.ncclffm.harness.perf.OverheadSummary;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.report.PerfArtifacts;
import io.qameta.allure.Allure;

/**
 * The perf report as tests, run after every perf cell: the table and chart (attached to Allure), the binding's
 * overhead against the C baseline, and the regression check against the matrix's baseline release.
 */
final class PerfReportTests {

    private PerfReportTests() {
    }

    static List<DynamicNode> of(MatrixReport report) {
        PerfArtifacts a;
        try {
            a = report.perfArtifacts();
        } catch (RuntimeException e) {
            Verdict broken = verdict("perf/report", CheckStatus.BROKEN, "the perf report could not be made: " + e);
            report.recordExtra(List.of(broken));
            return List.of(test(broken, () -> { }));
        }
        Verdict chart = a.points().isEmpty()
                ? verdict("perf/table-and-chart", CheckStatus.BROKEN, "the perf cells measured nothing")
                : verdict("perf/table-and-chart", CheckStatus.PASSED, a.points().size() + " points from "
                        + a.points().stream().map(p -> p.library() + " (" + p.source() + ")").distinct().collect(Collectors.joining(", ")));
        OverheadSummary o = a.overhead();
        OverheadSummary inProcess = a.inProcessOverhead();
        Verdict overhead = overheadVerdict(o, "perf/overhead-vs-c", inProcess == null,
                "no C baseline points were given (ncclffm.perf.c / --perf-c)");
        Verdict overheadInProcess = overheadVerdict(inProcess, "perf/overhead-vs-c-in-process", true,
                "no in-process C loop was given (" + WorkerConfig.PERF_C_LOOP + ", perf/c-baseline/build.sh)");
        boolean slowedOnPurpose = report.perfPolicy() != null
                && report.perfPolicy().expect() == io.ncclffm.harness.matrix.Matrix.PerfPolicy.Expectation.REGRESSION;
        Verdict regression = a.regressionReport().isEmpty()
                ? verdict("perf/regression", CheckStatus.SKIPPED, "the matrix sets no perf.baseline")
                : slowedOnPurpose ? expectedRegressionVerdict(a.regressions())
                : a.regressions().isEmpty()
                ? verdict("perf/regression", CheckStatus.PASSED, a.regressionReport().lines().filter(l -> l.startsWith("## ")).collect(Collectors.joining("; ")))
                : verdict("perf/regression", CheckStatus.FAILED, a.regressions().size() + " regression(s): "
                        + a.regressions().stream().limit(5).map(r -> r.describe()).collect(Collectors.joining("; ")));
        NcclTestsComparison vsNcclTests = NcclTestsComparison.of(a.points());
        Verdict ncclTests = ncclTestsVerdict(a.points(), vsNcclTests);
        report.recordExtra(List.of(chart, overhead, overheadInProcess, regression, ncclTests));
        return List.of(
                test(chart, () -> {
                    Allure.addAttachment("perf table", "text/markdown", a.table(), ".md");
                    if (!a.inits().isEmpty()) Allure.addAttachment("communicator init time and memory", "text/markdown", InitPoint.markdown(a.inits()), ".md");
                    a.charts().forEach((name, svg) -> Allure.addAttachment(name, "image/svg+xml", svg, ".svg"));
                }),
                test(overhead, () -> {
                    if (o != null) Allure.addAttachment("overhead against C", "text/markdown", a.overheadMarkdown(), ".md");
                }),
                test(overheadInProcess, () -> {
                    if (inProcess != null) Allure.addAttachment("overhead against the in-process C loop", "text/markdown", inProcess.markdown(), ".md");
                }),
                test(regression, () -> {
                    if (!a.regressionReport().isEmpty()) Allure.addAttachment("regression check", "text/markdown", a.regressionReport(), ".md");
                }),
                test(ncclTests, () -> {
                    if (!vsNcclTests.rows().isEmpty()) Allure.addAttachment("the binding against nccl-tests", "text/markdown", vsNcclTests.markdown(), ".md");
                }));
    }

    /**
     * {@code perf/regression} in a matrix whose candidates are slowed on purpose ({@code perf.expect: regression}):
     * passes when the check flags them, naming what it flagged, and fails when the slowdown went unseen.
     */
    static Verdict expectedRegressionVerdict(List<io.ncclffm.harness.perf.Regression> found) {
        if (found.isEmpty()) {
            return verdict("perf/regression", CheckStatus.FAILED, "the matrix slows its candidates on purpose (perf.expect: "
                    + "regression), and the check flagged no regression: the slowdown went unseen");
        }
        return verdict("perf/regression", CheckStatus.PASSED, found.size() + " regression(s) flagged, as the matrix expects "
                + "(perf.expect: regression): " + found.stream().limit(3).map(io.ncclffm.harness.perf.Regression::describe)
                .collect(Collectors.joining("; ")) + (found.size() > 3 ? "; ..." : ""));
    }

    /**
     * {@code perf/vs-nccl-tests}: fails naming every row that misses (time above 1.05 × nccl-tests' at 8 B, bandwidth
     * below 0.97 × from 64 MiB); skips, with the reason, when nccl-tests was not run or no size pairs up.
     */
    static Verdict ncclTestsVerdict(List<io.ncclffm.harness.protocol.PerfPoint> points, NcclTestsComparison c) {
        String id = "perf/vs-nccl-tests";
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
        if (!misses.isEmpty()) {
            return verdict(id, CheckStatus.FAILED, misses.size() + " of " + c.rows().size() + " row(s) miss a goal (" + goals + "): "
                    + misses.stream().map(NcclTestsComparison.Row::describe).collect(Collectors.joining("; ")));
        }
        return verdict(id, CheckStatus.PASSED, c.rows().size() + " row(s) meet the goals (" + goals + ")");
    }

    /**
     * Fails on any row that misses a goal; passes when none does and each goal was judged at least once, naming the
     * rows that lack a size (a sweep that stops below 64 MiB); skips, with the reason, when nothing could be judged.
     */
    static Verdict overheadVerdict(OverheadSummary o) {
        return overheadVerdict(o, "perf/overhead-vs-c", true, "no C baseline points were given (ncclffm.perf.c / --perf-c)");
    }

    /**
     * The verdict on one overhead table.
     *
     * @param judgeSmall whether the 8-byte goal is judged on this table; the separate-process table leaves it to the
     *                   in-process one when there is one, since separate processes differ at 8 B by far more than 5%
     *                   from run to run (docs/gpu-runs.md has the figures)
     */
    static Verdict overheadVerdict(OverheadSummary o, String id, boolean judgeSmall, String whyNone) {
        if (o == null) return verdict(id, CheckStatus.SKIPPED, whyNone);
        String reference = "java/" + o.reference();
        List<OverheadSummary.Overhead> misses = o.rows().stream()
                .filter(r -> (judgeSmall && r.smallMessageVerdict() == OverheadSummary.Verdict.MISSES)
                        || r.largeMessageVerdict() == OverheadSummary.Verdict.MISSES).toList();
        List<String> unjudged = new java.util.ArrayList<>();
        for (OverheadSummary.Overhead r : o.rows()) {
            List<String> lacking = new java.util.ArrayList<>();
            if (judgeSmall && r.smallMessageVerdict() == OverheadSummary.Verdict.NO_DATA) lacking.add("at 8 B");
            if (r.largeMessageVerdict() == OverheadSummary.Verdict.NO_DATA) lacking.add("from 64 MiB");
            if (!lacking.isEmpty()) unjudged.add(r.describe() + " (no data " + String.join(" or ", lacking) + ")");
        }
        String notJudged = (judgeSmall ? "" : "; 8 B is judged in process (perf/overhead-vs-c-in-process), not across processes")
                + (unjudged.isEmpty() ? "" : "; not judged: " + String.join(", ", unjudged));
        String goals = judgeSmall ? reference + " <= 1.05 at 8 B, <= 1.01 from 64 MiB" : reference + " <= 1.01 from 64 MiB";
        if (!misses.isEmpty()) {
            return verdict(id, CheckStatus.FAILED, misses.size() + " row(s) miss a goal (" + goals + "): "
                    + misses.stream().map(r -> r.describe() + " " + ratios(r)).collect(Collectors.joining(", ")) + notJudged);
        }
        boolean smallJudged = !judgeSmall || o.rows().stream().anyMatch(r -> r.smallMessageVerdict() != OverheadSummary.Verdict.NO_DATA);
        boolean largeJudged = o.rows().stream().anyMatch(r -> r.largeMessageVerdict() != OverheadSummary.Verdict.NO_DATA);
        if (!smallJudged || !largeJudged) {
            return verdict(id, CheckStatus.SKIPPED, "no row has both sides at " + (smallJudged ? "" : "8 B")
                    + (smallJudged || largeJudged ? "" : " and ") + (largeJudged ? "" : "64 MiB or more")
                    + ", so the goals could not be judged" + notJudged);
        }
        return verdict(id, CheckStatus.PASSED, goals + " in every row measured (" + (o.rows().size() - unjudged.size())
                + " of " + o.rows().size() + " rows complete)" + notJudged);
    }

    private static String ratios(OverheadSummary.Overhead r) {
        return "(8 B: " + (r.smallMessageRatio().isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", r.smallMessageRatio().getAsDouble()) : "n/a")
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

    private static DynamicNode test(Verdict v, Runnable attach) {
        return dynamicTest(v.checkId(), () -> {
            Allure.epic("performance");
            Allure.story(v.group());
            attach.run();
            switch (v.status()) {
                case PASSED -> { }
                case FAILED -> throw new AssertionFailedError(v.message());
                case SKIPPED -> throw new TestAbortedException(AllureReporting.skipMessage(v));
                case BROKEN -> throw new HarnessException(v.message());
            }
        });
    }
}
