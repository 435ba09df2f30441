package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.DynamicNode;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.model.CheckStatus;
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
        Verdict overhead = overheadVerdict(o);
        Verdict regression = a.regressionReport().isEmpty()
                ? verdict("perf/regression", CheckStatus.SKIPPED, "the matrix sets no perf.baseline")
                : a.regressions().isEmpty()
                ? verdict("perf/regression", CheckStatus.PASSED, a.regressionReport().lines().filter(l -> l.startsWith("## ")).collect(Collectors.joining("; ")))
                : verdict("perf/regression", CheckStatus.FAILED, a.regressions().size() + " regression(s): "
                        + a.regressions().stream().limit(5).map(r -> r.describe()).collect(Collectors.joining("; ")));
        report.recordExtra(List.of(chart, overhead, regression));
        return List.of(
                test(chart, () -> {
                    Allure.addAttachment("perf table", "text/markdown", a.table(), ".md");
                    a.charts().forEach((name, svg) -> Allure.addAttachment(name, "image/svg+xml", svg, ".svg"));
                }),
                test(overhead, () -> {
                    if (o != null) Allure.addAttachment("overhead against C", "text/markdown", o.markdown(), ".md");
                }),
                test(regression, () -> {
                    if (!a.regressionReport().isEmpty()) Allure.addAttachment("regression check", "text/markdown", a.regressionReport(), ".md");
                }));
    }

    /**
     * Fails on any row that misses a goal; passes when none does and each goal was judged at least once, naming the
     * rows that lack a size (a sweep that stops below 64 MiB); skips, with the reason, when nothing could be judged.
     */
    static Verdict overheadVerdict(OverheadSummary o) {
        String id = "perf/overhead-vs-c";
        if (o == null) return verdict(id, CheckStatus.SKIPPED, "no C baseline points were given (ncclffm.perf.c / --perf-c)");
        List<String> unjudged = o.unjudged();
        String notJudged = unjudged.isEmpty() ? "" : "; not judged: " + String.join(", ", unjudged);
        if (!o.misses().isEmpty()) {
            return verdict(id, CheckStatus.FAILED, o.misses().size() + " row(s) miss a goal (java/c <= 1.05 at 8 B, <= 1.01 from 64 MiB): "
                    + o.misses().stream().map(r -> r.describe() + " " + ratios(r)).collect(Collectors.joining(", ")) + notJudged);
        }
        if (!o.judgedBothGoals()) {
            return verdict(id, CheckStatus.SKIPPED, "no row has Java and C points at 8 B and from 64 MiB, so the goals could "
                    + "not be judged" + notJudged);
        }
        return verdict(id, CheckStatus.PASSED, "java/c within 5% at 8 B and 1% from 64 MiB in every row measured ("
                + (o.rows().size() - unjudged.size()) + " of " + o.rows().size() + " rows complete)" + notJudged);
    }

    private static String ratios(OverheadSummary.Overhead r) {
        return "(8 B: " + (r.smallMessageRatio().isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", r.smallMessageRatio().getAsDouble()) : "n/a")
                + ", worst from 64 MiB: " + (r.largeMessageWorstRatio().isPresent() ? String.format(java.util.Locale.ROOT, "%.3f", r.largeMessageWorstRatio().getAsDouble()) : "n/a") + ")";
    }

    private static Verdict verdict(String id, CheckStatus status, String message) {
        return new Verdict(id, "perf", Map.of(), status, message, List.of(), Map.of(), null, null);
    }

    private static DynamicNode test(Verdict v, Runnable attach) {
        return dynamicTest(v.checkId(), () -> {
            Allure.epic("performance");
            Allure.story(v.group());
            attach.run();
            switch (v.status()) {
                case PASSED -> { }
                case FAILED -> throw new AssertionFailedError(v.message());
                case SKIPPED -> throw new TestAbortedException(v.message());
                case BROKEN -> throw new HarnessException(v.message());
            }
        });
    }
}
