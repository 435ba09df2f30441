package io.ncclffm.harness.perf.judge;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;

/**
 * The regression check of a matrix run: every candidate cell's points against the baseline cells'.
 *
 * <p>A Java point is a regression candidate when its median is worse by the threshold and its trials are slower
 * beyond chance at {@link RegressionCheck#alpha()} ({@link RegressionCheck}). A slower NCCL is slower from C too;
 * a difference that shows through the binding alone comes from the JVM of that one run (its JIT tiers, GC,
 * safepoints), which is noise, not the release. The in-process C loop's trials alternate with the binding's on
 * the same communicator and stream, so a Java regression counts only when C, in the same cells, is also worse by
 * the threshold with significance (for a graph row, C's launch row of the same size: the loop times launches
 * only). Otherwise it is listed as not confirmed, with C's change, and does not fail the check; without a C loop
 * nothing can be confirmed, and the report says so. One process can also be slower at one size for its whole
 * life, C included; so a regression counts only within a band of neighbouring sizes that all regressed
 * ({@link RegressionCheck#BAND}), and a lone size is listed apart. Worlds the policy excludes are not judged.
 *
 * <p>How the two sides are had depends on {@link Matrix.PerfPolicy#pairing()}. In process (the default), each
 * candidate process timed the baseline's library beside its own, trial by trial; each size is judged on the
 * pairs of all its runs ({@link RegressionCheck#judgePaired}), and whatever the host does to both trials of a pair
 * cancels. Across processes, the baseline's points come from its own cell, and each side is judged on its median
 * run ({@link MedianRun}), which outvotes one slow process but not a host whose speed changes from process to
 * process; an A/A matrix (one build as two cells) shows whether that is enough on a host.
 *
 * @param policy     the matrix's perf policy: the baseline, threshold, pairing, runs and the worlds not judged
 * @param alpha      the significance level a slowdown had to reach
 * @param runs       how many runs measured each judged cell, in the order the cells first appear
 * @param candidates what the check found for each candidate cell, in the same order
 */
public record RegressionJudgement(Matrix.PerfPolicy policy, double alpha, List<CellRuns> runs,
                                  List<CandidateJudgement> candidates) {

    public RegressionJudgement {
        Objects.requireNonNull(policy);
        runs = List.copyOf(runs);
        candidates = List.copyOf(candidates);
    }

    /** How many runs (processes) measured a cell. */
    public record CellRuns(String cell, int runs) {
    }

    /**
     * Judges every candidate cell's Java points against the baseline cells'.
     *
     * @param points   the worker's own points: {@code java} and {@code c-inproc}, each with its cell; one per
     *                 measurement (the median run's, {@link MedianRun})
     * @param measured every run's points, the baseline's timed in candidate processes included
     */
    public static RegressionJudgement of(List<PerfPoint> points, Matrix.PerfPolicy policy, List<PerfPoint> measured) {
        RegressionCheck check = RegressionCheck.withThreshold(policy.threshold());
        Map<String, Integer> runs = MedianRun.runsByCell(measured.stream().filter(p -> !p.pairedBaseline()).toList());
        Predicate<PerfPoint> isJudged = p -> p.cell() != null && PerfFindings.movesData(p) && policy.judges(p.world());
        List<PerfPoint> judged = points.stream().filter(isJudged).toList();
        List<PerfPoint> java = judged.stream().filter(p -> p.source() == Source.JAVA).toList();
        List<PerfPoint> c = judged.stream().filter(p -> p.source() == Source.IN_PROCESS_C).toList();
        CandidateCheck.Sides sides = new CandidateCheck.Sides(java, c,
                java.stream().filter(p -> policy.isBaseline(p.cell())).toList(),
                c.stream().filter(p -> policy.isBaseline(p.cell())).toList(),
                // every run of the candidates, both sides, for the paired comparison
                measured.stream().filter(isJudged).filter(p -> !policy.isBaseline(p.cell())).toList());
        List<String> cells = java.stream().map(PerfPoint::cell).distinct().toList();
        CandidateCheck candidate = new CandidateCheck(check, policy, measured);
        return new RegressionJudgement(policy, check.alpha(),
                cells.stream().map(cell -> new CellRuns(cell, runs.getOrDefault(cell, 1))).toList(),
                cells.stream().filter(cell -> !policy.isBaseline(cell)).map(cell -> candidate.judge(cell, sides)).toList());
    }

    /** Whether candidates were judged pair by pair, against the baseline's library timed in their own processes. */
    public boolean paired() {
        return policy.pairing() == Matrix.PerfPolicy.Pairing.IN_PROCESS;
    }

    /** The regressions that count, every candidate's, in order. */
    public List<Regression> regressions() {
        return candidates.stream().flatMap(c -> c.regressions().stream()).toList();
    }

    /** One line per candidate cell: what the check found there. */
    public List<String> summaries() {
        return candidates.stream().map(CandidateJudgement::summary).toList();
    }

    /** One line per candidate cell that had nothing to compare, with why: the check then fails. */
    public List<String> uncompared() {
        return candidates.stream().map(CandidateJudgement::uncompared).filter(Objects::nonNull).toList();
    }
}
