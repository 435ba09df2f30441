package io.ncclffm.harness.perf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.PerfReport.Attachment;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.perf.judge.PerfFindings;
import io.ncclffm.harness.perf.judge.PerfVerdicts;
import io.ncclffm.harness.perf.render.InitMarkdown;
import io.ncclffm.harness.perf.render.NcclTestsMarkdown;
import io.ncclffm.harness.perf.render.OverheadMarkdown;
import io.ncclffm.harness.perf.render.PerfCharts;
import io.ncclffm.harness.perf.render.PerfTable;
import io.ncclffm.harness.perf.render.RegressionMarkdown;
import io.ncclffm.harness.protocol.PerfPoint;

/**
 * The perf analysis, the one entry point the controller calls: a matrix run's perf points, the separate C baseline's
 * and the matrix's perf policy in; the verdicts and everything the report writes out.
 *
 * <p>It judges once ({@link PerfFindings}: medians of runs, overhead against C, the regression check, the binding
 * against nccl-tests), makes the verdicts of those values ({@link PerfVerdicts}), and renders the tables, charts and
 * reports from the same values ({@code perf.render}), so that a file can never say other than its verdict.
 */
public final class PerfAnalysis {

    private static final String TABLE = "table.md";
    private static final String OVERHEAD = "overhead.md";
    private static final String INIT = "init.md";
    private static final String OVERHEAD_IN_PROCESS = "overhead-in-process.md";
    private static final String REGRESSIONS = "regressions.md";
    private static final String VS_NCCL_TESTS = "vs-nccl-tests.md";

    private PerfAnalysis() {
    }

    /**
     * @param measured every point the perf cells measured, every run, the baseline's timed in candidate processes
     *                 included, each with its cell
     * @param inits    what each cell's communicator cost to make
     * @param c        the separate C baseline's points and init lines ({@link CBaseline#NONE} without one)
     * @param policy   the matrix's perf policy, or {@code null} when it sets none
     */
    public static PerfReport of(List<PerfPoint> measured, List<InitPoint> inits, CBaseline c, Matrix.PerfPolicy policy) {
        List<InitPoint> allInits = new ArrayList<>(inits);
        allInits.addAll(c.inits());
        PerfFindings findings = PerfFindings.of(measured, c.points(), policy, allInits);
        Map<String, String> files = files(findings);
        return new PerfReport(findings, PerfVerdicts.of(findings), files, attachments(findings, files));
    }

    /** Every file of the report but {@code points.jsonl}, by name; one that has nothing to say is not written. */
    private static Map<String, String> files(PerfFindings f) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(TABLE, PerfTable.markdown(f.points()));
        files.putAll(PerfCharts.of(f.points()));
        if (f.overhead() != null) files.put(OVERHEAD, OverheadMarkdown.againstSeparateC(f.overhead(), f.inProcessOverhead()));
        if (!f.inits().isEmpty()) files.put(INIT, InitMarkdown.of(f.inits()));
        if (f.inProcessOverhead() != null) files.put(OVERHEAD_IN_PROCESS, OverheadMarkdown.of(f.inProcessOverhead()));
        if (f.regression() != null) files.put(REGRESSIONS, RegressionMarkdown.of(f.regression()));
        if (!f.vsNcclTests().rows().isEmpty()) files.put(VS_NCCL_TESTS, NcclTestsMarkdown.of(f.vsNcclTests()));
        return files;
    }

    /** The files a reviewer of each verdict reads, by the verdict's check id. */
    private static Map<String, List<Attachment>> attachments(PerfFindings f, Map<String, String> files) {
        List<Attachment> table = new ArrayList<>();
        table.add(markdown("perf table", files.get(TABLE)));
        if (files.containsKey(INIT)) table.add(markdown("communicator init time and memory", files.get(INIT)));
        files.forEach((name, content) -> {
            if (name.endsWith(".svg")) table.add(new Attachment(name, "image/svg+xml", content, ".svg"));
        });
        Map<String, List<Attachment>> out = new LinkedHashMap<>();
        out.put(PerfVerdicts.TABLE_AND_CHART, table);
        attach(out, PerfVerdicts.OVERHEAD, "overhead against C", files.get(OVERHEAD));
        attach(out, PerfVerdicts.OVERHEAD_IN_PROCESS, "overhead against the in-process C loop", files.get(OVERHEAD_IN_PROCESS));
        attach(out, PerfVerdicts.REGRESSION, "regression check", files.get(REGRESSIONS));
        attach(out, PerfVerdicts.VS_NCCL_TESTS, "the binding against nccl-tests", files.get(VS_NCCL_TESTS));
        return out;
    }

    private static void attach(Map<String, List<Attachment>> out, String checkId, String title, String markdown) {
        if (markdown != null) out.put(checkId, List.of(markdown(title, markdown)));
    }

    private static Attachment markdown(String title, String content) {
        return new Attachment(title, "text/markdown", content, ".md");
    }
}
