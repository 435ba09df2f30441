package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DynamicNode;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.InitPoint;
import io.ncclffm.harness.perf.NcclTestsComparison;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.report.PerfArtifacts;
import io.ncclffm.harness.verdict.PerfVerdicts;
import io.ncclffm.harness.verdict.Verdict;

import io.qameta.allure.Allure;

/**
 * The perf report as dynamic tests, run after every perf cell: one per {@link PerfVerdicts} verdict, with what a
 * reviewer reads attached to it in Allure (the table and chart, the overhead tables, the regression check, the
 * comparison with nccl-tests).
 */
final class PerfReportNodes {

    private PerfReportNodes() {
    }

    static List<DynamicNode> of(MatrixReport report) {
        PerfArtifacts a;
        try {
            a = report.perfArtifacts();
        } catch (RuntimeException e) {
            Verdict broken = PerfVerdicts.broken(e.toString());
            report.recordExtra(List.of(broken));
            return List.of(test(broken, () -> { }));
        }
        boolean slowedOnPurpose = report.perfPolicy() != null
                && report.perfPolicy().expect() == Matrix.PerfPolicy.Expectation.REGRESSION;
        List<Verdict> verdicts = PerfVerdicts.of(a.points(), a.overhead(), a.inProcessOverhead(), report.perfPolicy() != null,
                a.regressions(), a.regressionSummaries(), slowedOnPurpose, a.uncompared(), a.vsNcclTests());
        report.recordExtra(verdicts);
        NcclTestsComparison vsNcclTests = a.vsNcclTests();
        Map<String, Runnable> attachments = Map.of(
                PerfVerdicts.TABLE_AND_CHART, () -> {
                    Allure.addAttachment("perf table", "text/markdown", a.table(), ".md");
                    if (!a.inits().isEmpty()) Allure.addAttachment("communicator init time and memory", "text/markdown", InitPoint.markdown(a.inits()), ".md");
                    a.charts().forEach((name, svg) -> Allure.addAttachment(name, "image/svg+xml", svg, ".svg"));
                },
                PerfVerdicts.OVERHEAD, () -> {
                    if (a.overhead() != null) Allure.addAttachment("overhead against C", "text/markdown", a.overheadMarkdown(), ".md");
                },
                PerfVerdicts.OVERHEAD_IN_PROCESS, () -> {
                    if (a.inProcessOverhead() != null) {
                        Allure.addAttachment("overhead against the in-process C loop", "text/markdown", a.inProcessOverhead().markdown(), ".md");
                    }
                },
                PerfVerdicts.REGRESSION, () -> {
                    if (!a.regressionReport().isEmpty()) Allure.addAttachment("regression check", "text/markdown", a.regressionReport(), ".md");
                },
                PerfVerdicts.VS_NCCL_TESTS, () -> {
                    if (!vsNcclTests.rows().isEmpty()) Allure.addAttachment("the binding against nccl-tests", "text/markdown", vsNcclTests.markdown(), ".md");
                });
        return verdicts.stream().map(v -> test(v, attachments.getOrDefault(v.checkId(), () -> { }))).toList();
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
