package io.ncclffm.harness.signoff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.perf.judge.RegressionCheck;
import io.ncclffm.harness.protocol.PerfPoint;

/**
 * The perf of one cell on both sides, judged by the perf gate's own check ({@link RegressionCheck}): a slowdown counts
 * when it passes the threshold, its trials are slower beyond chance, and neighbouring sizes moved with it.
 *
 * @param pair       e.g. {@code perf-2.28.3 → perf-2.30.7}
 * @param comparison what the check found, every measurement both sides have included
 * @param missing    the base's measurements the candidate lacks
 * @param threshold  the tolerated slowdown
 * @param fewTrials  measurements a side of which has fewer trials than the rank test needs to ever be significant
 */
public record PerfDelta(String pair, RegressionCheck.Comparison comparison, List<PerfPoint> missing, double threshold, int fewTrials) {

    /** The fewest trials a side needs for the rank test to reach its significance (docs/perf.md). */
    static final int MIN_TRIALS = 4;

    /** Judges {@code candidate}'s points against {@code base}'s, each pooled over its runs of the cell. */
    static PerfDelta judge(String pair, List<PerfPoint> base, List<PerfPoint> candidate, double threshold) {
        List<PerfPoint> b = pooled(base), c = pooled(candidate);
        RegressionCheck check = RegressionCheck.withThreshold(threshold);
        RegressionCheck.Comparison comparison = check.judge(b, c);
        int few = (int) comparison.changes().stream().filter(r -> trials(b, r.bytes(), r) < MIN_TRIALS || trials(c, r.bytes(), r) < MIN_TRIALS).count();
        return new PerfDelta(pair, comparison, check.missingFromCandidate(b, c), threshold, few);
    }

    private static int trials(List<PerfPoint> points, long bytes, io.ncclffm.harness.perf.judge.Regression r) {
        return points.stream().filter(p -> p.bytes() == bytes && p.world() == r.world() && p.collective() == r.collective()
                && p.dtype() == r.dtype() && p.placement() == r.placement() && p.mode() == r.mode() && p.source() == r.source())
                .mapToInt(p -> Math.max(1, p.trialsUs().size())).findFirst().orElse(0);
    }

    /** A cell's own points (not a paired baseline's), the runs of one measurement pooled into one point of all their trials. */
    static List<PerfPoint> pooled(List<PerfPoint> points) {
        Map<String, List<PerfPoint>> byMeasurement = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            if (p.pairedBaseline()) continue;
            String key = p.source() + "|" + p.world() + "|" + p.collective() + "|" + p.dtype() + "|" + p.bytes() + "|" + p.placement()
                    + "|" + p.mode();
            byMeasurement.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        List<PerfPoint> out = new ArrayList<>();
        for (List<PerfPoint> runs : byMeasurement.values()) {
            PerfPoint first = runs.getFirst();
            if (runs.size() == 1) {
                out.add(first);
                continue;
            }
            List<Double> trials = new ArrayList<>();
            for (PerfPoint p : runs) trials.addAll(p.trialsUs().isEmpty() ? List.of(p.timeUs()) : p.trialsUs());
            out.add(PerfPoint.ofTrials(first.library(), first.source(), first.world(), first.collective(), first.bytes(), first.dtype(),
                    first.placement(), first.mode(), first.iterations(), trials).inCell(first.cell(), 0));
        }
        return out;
    }
}
