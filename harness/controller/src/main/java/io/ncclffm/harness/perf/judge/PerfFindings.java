package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;

/**
 * What a matrix run's perf points show, judged once: the binding's overhead against C in a separate process and in
 * its own, the regression check against the matrix's baseline, and the binding against nccl-tests. Where a cell ran
 * several times ({@code perf.runs}), each is judged on its median run at each size ({@link MedianRun}). The verdicts
 * ({@link PerfVerdicts}) and every file of the report are made from these values.
 *
 * @param points            one point per measurement, the median run's: a cell's own points, and the separate C
 *                          baseline's paired with the cells of their library; what the tables, charts and overhead
 *                          rows show
 * @param measured          every point as measured, every run of every cell (what {@code points.jsonl} keeps)
 * @param inits             what each communicator cost to make
 * @param overhead          the binding against the separate C process, or {@code null} when no C baseline was given
 * @param inProcessOverhead the binding against the in-process C loop, or {@code null} when no cell ran it
 * @param regression        the regression check, or {@code null} when the matrix sets no perf baseline
 * @param vsNcclTests       the binding against nccl-tests in the same cells, with its own share from every run's
 *                          in-process trials
 * @param slowedOnPurpose   whether the matrix slows its candidates on purpose ({@code perf.expect: regression})
 */
public record PerfFindings(List<PerfPoint> points, List<PerfPoint> measured, List<InitPoint> inits, OverheadSummary overhead,
                           OverheadSummary inProcessOverhead, RegressionJudgement regression, NcclTestsComparison vsNcclTests,
                           boolean slowedOnPurpose) {

    public PerfFindings {
        points = List.copyOf(points);
        measured = List.copyOf(measured);
        inits = List.copyOf(inits);
    }

    /**
     * Judges a run's points.
     *
     * @param measured  every point the cells measured, every run, the baseline's timed in candidate processes included
     * @param separateC the separate C baseline's points, which know their library but no cell
     * @param policy    the matrix's perf policy, or {@code null} when it sets none
     */
    public static PerfFindings of(List<PerfPoint> measured, List<PerfPoint> separateC, Matrix.PerfPolicy policy,
                                  List<InitPoint> inits) {
        List<PerfPoint> own = measured.stream().filter(p -> !p.pairedBaseline()).toList();
        List<PerfPoint> java = MedianRun.of(own);
        List<PerfPoint> c = attachToCells(separateC, java);
        List<PerfPoint> all = new ArrayList<>(java);
        all.addAll(c);
        Predicate<PerfPoint> judged = judgedForOverhead(policy);
        OverheadSummary overhead = c.isEmpty() ? null
                : OverheadSummary.of(all.stream().filter(PerfFindings::movesData).filter(judged).toList());
        // in process, every run's trials are pairs: the ratios pool them (InProcessRatios), not the median runs
        List<PerfPoint> everyRun = own.stream().filter(PerfFindings::movesData).filter(judged).toList();
        OverheadSummary inProcess = java.stream().noneMatch(p -> p.source() == Source.IN_PROCESS_C) ? null
                : OverheadSummary.of(everyRun, Source.IN_PROCESS_C);
        NcclTestsComparison vsNcclTests = NcclTestsComparison.of(all, InProcessRatios.of(own));
        RegressionJudgement regression = policy == null ? null : RegressionJudgement.of(java, policy, measured);
        List<PerfPoint> raw = new ArrayList<>(measured);
        raw.addAll(c);
        return new PerfFindings(all, raw, inits, overhead, inProcess, regression, vsNcclTests,
                policy != null && policy.expect() == Matrix.PerfPolicy.Expectation.REGRESSION);
    }

    /** The regressions that count; none without a regression check. */
    public List<Regression> regressions() {
        return regression == null ? List.of() : regression.regressions();
    }

    /**
     * The points whose overhead against C is judged. A build slowed on purpose ({@code expect: regression}) says
     * nothing about the binding's overhead: its delay is spent in the same calls from both sides, with the jitter of
     * the delay. Only the baseline cells are judged then.
     */
    private static Predicate<PerfPoint> judgedForOverhead(Matrix.PerfPolicy policy) {
        if (policy == null || policy.expect() == Matrix.PerfPolicy.Expectation.NONE) return p -> true;
        return p -> p.cell() == null || policy.isBaseline(p.cell());
    }

    /**
     * The separate C baseline's points, which know their library but no matrix cell, as points of every cell that
     * measured that library at that world, so that tables and overhead rows pair them with each cell's Java points.
     * A point no cell matches stays without one.
     */
    static List<PerfPoint> attachToCells(List<PerfPoint> c, List<PerfPoint> java) {
        List<PerfPoint> out = new ArrayList<>();
        for (PerfPoint p : c) {
            if (p.cell() != null) {
                out.add(p);
                continue;
            }
            List<String> cells = java.stream().filter(j -> j.cell() != null && j.library().equals(p.library())
                    && j.world() == p.world()).map(PerfPoint::cell).distinct().toList();
            if (cells.isEmpty()) out.add(p);
            else for (String cell : cells) out.add(p.inCell(cell));
        }
        return out;
    }

    /**
     * Whether NCCL does any work for the point: with one rank and the same buffer in and out, ncclAllReduce returns
     * without launching anything, so its time is only the host's enqueue rate (fractions of a microsecond) and
     * its ratios say nothing about moving data. Such points stay in the table and charts, and are left out of the
     * overhead goals and the regression check.
     */
    static boolean movesData(PerfPoint p) {
        return !(p.world() == 1 && p.placement() == Placement.IN_PLACE);
    }
}
