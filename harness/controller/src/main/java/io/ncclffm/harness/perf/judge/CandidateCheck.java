package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.ncclffm.DataType;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.judge.CandidateJudgement.Confirmed;
import io.ncclffm.harness.perf.judge.CandidateJudgement.Isolated;
import io.ncclffm.harness.perf.judge.CandidateJudgement.RunValues;
import io.ncclffm.harness.perf.judge.CandidateJudgement.Unconfirmed;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * One candidate cell against the baseline, as {@link RegressionJudgement} describes the rule: the binding's points
 * compared by {@link RegressionCheck}, each regression confirmed or not by the in-process C loop's comparison of
 * the same two sides, and given each run's values.
 */
final class CandidateCheck {

    /** The judged points of one matrix run, as the regression check splits them. */
    record Sides(List<PerfPoint> java, List<PerfPoint> c, List<PerfPoint> baseline, List<PerfPoint> baselineC,
                 List<PerfPoint> candidateRuns) {
    }

    /**
     * One candidate's comparison with the baseline, before it is told apart by C.
     *
     * @param java         the binding's
     * @param cRegressions the in-process C loop's regressions, by {@link #confirmingKey}: what confirms a Java one
     * @param cChanges     every change the C loop's comparison matched, for the rows C does not confirm
     * @param compared     how many of the candidate's measurements had a baseline to be compared with
     * @param unpaired     the candidate's measurements its processes did not time beside the baseline (in process)
     */
    private record Judged(RegressionCheck.Comparison java, Map<String, Regression> cRegressions, List<Regression> cChanges,
                          int compared, List<PerfPoint> unpaired) {
    }

    private final RegressionCheck check;
    private final Matrix.PerfPolicy policy;
    private final boolean paired;
    private final List<PerfPoint> measured;

    /** @param measured every run's points, the baseline's timed in candidate processes included (each run's values) */
    CandidateCheck(RegressionCheck check, Matrix.PerfPolicy policy, List<PerfPoint> measured) {
        this.check = check;
        this.policy = policy;
        this.paired = policy.pairing() == Matrix.PerfPolicy.Pairing.IN_PROCESS;
        this.measured = measured;
    }

    CandidateJudgement judge(String cell, Sides sides) {
        List<PerfPoint> candidate = on(sides.java(), cell);
        Set<Integer> worlds = candidate.stream().map(PerfPoint::world).collect(Collectors.toSet());
        List<PerfPoint> before = sides.baseline().stream().filter(p -> worlds.contains(p.world())).toList();
        Judged outcome = paired ? judgeInProcess(cell, worlds, before, sides.candidateRuns())
                : judgeAcross(before, candidate, sides.baselineC(), on(sides.c(), cell));
        // C's change beside each Java row it does not confirm (the loop times launches only)
        Map<String, Regression> cChange = outcome.cChanges().stream().filter(r -> r.mode() == TimingMode.LAUNCH)
                .collect(Collectors.toMap(CandidateCheck::confirmingKey, r -> r, (x, y) -> x));
        List<Confirmed> confirmed = new ArrayList<>();
        List<Unconfirmed> unconfirmed = new ArrayList<>();
        for (Regression r : outcome.java().regressions()) {
            Regression inC = outcome.cRegressions().get(confirmingKey(r));
            if (inC != null) confirmed.add(new Confirmed(r, inC, runValues(r)));
            else unconfirmed.add(new Unconfirmed(r, cChange.get(confirmingKey(r)), runValues(r)));
        }
        List<Isolated> isolated = outcome.java().isolated().stream().map(r -> new Isolated(r, runValues(r))).toList();
        return new CandidateJudgement(cell, candidate.getFirst().library(), paired, outcome.compared(), confirmed, unconfirmed,
                isolated, outcome.java().notSignificant(), check.missingFromCandidate(before, candidate), outcome.unpaired());
    }

    /**
     * In process: each world's pairs, every run of {@code cell} pooled, against the baseline's library timed in the
     * same processes ({@link RegressionCheck#judgePaired}), from Java and from the C loop alike.
     */
    private Judged judgeInProcess(String cell, Set<Integer> worlds, List<PerfPoint> before, List<PerfPoint> allRuns) {
        List<RegressionCheck.Comparison> java = new ArrayList<>();
        List<RegressionCheck.Comparison> inC = new ArrayList<>();
        List<PerfPoint> gaps = new ArrayList<>();
        int pairs = 0;
        for (int world : worlds.stream().sorted().toList()) {
            String baselineCell = before.stream().filter(p -> p.world() == world).map(PerfPoint::cell).findFirst()
                    .orElse(policy.baseline());
            List<PerfPoint> runsOf = allRuns.stream().filter(p -> cell.equals(p.cell()) && p.world() == world).toList();
            List<PerfPoint> theirs = runsOf.stream().filter(PerfPoint::pairedBaseline).toList();
            List<PerfPoint> mine = runsOf.stream().filter(p -> !p.pairedBaseline()).toList();
            java.add(check.judgePaired(source(theirs, Source.JAVA), source(mine, Source.JAVA), baselineCell));
            inC.add(check.judgePaired(source(theirs, Source.IN_PROCESS_C), source(mine, Source.IN_PROCESS_C), baselineCell));
            List<PerfPoint> g = check.unpaired(source(theirs, Source.JAVA), source(mine, Source.JAVA));
            gaps.addAll(g);
            pairs += (int) source(mine, Source.JAVA).stream().map(CandidateJudgement::measurement).distinct().count() - g.size();
        }
        RegressionCheck.Comparison c = concat(inC);
        return new Judged(concat(java), byConfirmingKey(c.regressions()), c.changes(), pairs, gaps);
    }

    /** Across processes: each side's median run, the candidate cell's against the baseline cell's, Java and C apart. */
    private Judged judgeAcross(List<PerfPoint> before, List<PerfPoint> candidate, List<PerfPoint> baselineC,
                               List<PerfPoint> candidateC) {
        RegressionCheck.Comparison inC = check.judge(baselineC, candidateC);
        Set<String> measuredBefore = before.stream().map(CandidateJudgement::measurement).collect(Collectors.toSet());
        int compared = (int) candidate.stream().filter(p -> measuredBefore.contains(CandidateJudgement.measurement(p))).count();
        return new Judged(check.judge(before, candidate), byConfirmingKey(inC.regressions()), inC.changes(), compared, List.of());
    }

    /** Several comparisons' findings, kind by kind, in order. */
    private static RegressionCheck.Comparison concat(List<RegressionCheck.Comparison> comparisons) {
        List<Regression> regressions = new ArrayList<>();
        List<Regression> notSignificant = new ArrayList<>();
        List<Regression> isolated = new ArrayList<>();
        List<Regression> changes = new ArrayList<>();
        for (RegressionCheck.Comparison c : comparisons) {
            regressions.addAll(c.regressions());
            notSignificant.addAll(c.notSignificant());
            isolated.addAll(c.isolated());
            changes.addAll(c.changes());
        }
        return new RegressionCheck.Comparison(regressions, notSignificant, isolated, changes);
    }

    /**
     * Each run's value, in run order, of what {@code r} compares, on both sides. Where the pairing is in process, the
     * baseline's values are those timed in the candidate's processes, and are named so.
     */
    private RunValues runValues(Regression r) {
        String candidateCell = r.candidateCell() == null ? "" : r.candidateCell();
        List<RunValues.Side> sides = new ArrayList<>();
        for (boolean baselineSide : new boolean[] {true, false}) {
            String cell = baselineSide && !paired ? (r.baselineCell() == null ? "" : r.baselineCell()) : candidateCell;
            boolean pairedPoints = baselineSide && paired;
            List<Double> values = measured.stream().filter(p -> cell.equals(p.cell()) && p.pairedBaseline() == pairedPoints
                            && sameMeasurement(p, r))
                    .sorted(Comparator.comparingInt(PerfPoint::run)).map(p -> r.metric().of(p)).toList();
            String label = pairedPoints ? r.baselineCell() + " in " + candidateCell + "'s processes" : cell;
            sides.add(new RunValues.Side(label, values, r.metric()));
        }
        return new RunValues(sides);
    }

    private static boolean sameMeasurement(PerfPoint p, Regression r) {
        return p.source() == r.source() && p.world() == r.world() && p.collective() == r.collective() && p.dtype() == r.dtype()
                && p.bytes() == r.bytes() && p.placement() == r.placement() && p.mode() == r.mode();
    }

    private static List<PerfPoint> on(List<PerfPoint> points, String cell) {
        return points.stream().filter(p -> cell.equals(p.cell())).toList();
    }

    private static List<PerfPoint> source(List<PerfPoint> points, Source source) {
        return points.stream().filter(p -> p.source() == source).toList();
    }

    private static Map<String, Regression> byConfirmingKey(List<Regression> regressions) {
        return regressions.stream().collect(Collectors.toMap(CandidateCheck::confirmingKey, r -> r, (a, b) -> a));
    }

    /**
     * The measurement whose C loop row confirms a Java row: the same world, collective, element type, size and
     * placement, launched (the loop has no graph mode).
     */
    private static String confirmingKey(Regression r) {
        return confirmingKey(r.world(), r.collective(), r.dtype(), r.bytes(), r.placement());
    }

    private static String confirmingKey(int world, Collective collective, DataType dtype, long bytes, Placement placement) {
        return world + "/" + collective + "/" + dtype.shortName() + "/" + bytes + "/" + placement + "/launch";
    }
}
