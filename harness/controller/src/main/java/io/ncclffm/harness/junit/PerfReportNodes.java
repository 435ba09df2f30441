package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;

import org.junit.jupiter.api.DynamicNode;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.perf.PerfReport;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.verdict.Verdict;

import io.qameta.allure.Allure;

/**
 * The perf report as dynamic tests, run after every perf cell: one per verdict of the perf analysis, with what a
 * reviewer reads attached to it in Allure (the table and chart, the overhead tables, the regression check, the
 * comparison with nccl-tests).
 */
final class PerfReportNodes {

    private PerfReportNodes() {
    }

    static List<DynamicNode> of(MatrixReport report) {
        PerfReport perf;
        try {
            perf = report.perfReport();
        } catch (RuntimeException e) {
            Verdict broken = PerfReport.broken(e.toString());
            report.recordExtra(List.of(broken));
            return List.of(test(broken, List.of()));
        }
        report.recordExtra(perf.verdicts());
        return perf.verdicts().stream().map(v -> test(v, perf.attachmentsOf(v.checkId()))).toList();
    }

    private static DynamicNode test(Verdict v, List<PerfReport.Attachment> attachments) {
        return dynamicTest(v.checkId(), () -> {
            Allure.epic("performance");
            Allure.story(v.group());
            for (PerfReport.Attachment a : attachments) Allure.addAttachment(a.title(), a.mimeType(), a.content(), a.extension());
            switch (v.status()) {
                case PASSED -> { }
                case FAILED -> throw new AssertionFailedError(v.message());
                case SKIPPED -> throw new TestAbortedException(AllureReporting.skipMessage(v));
                case BROKEN -> throw new HarnessException(v.message());
            }
        });
    }
}
