package io.ncclffm.harness.perf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a candidate release's perf points with a baseline release's, collective by collective (same source,
 * world, element type, size, placement and mode), and reports what got worse by more than a threshold.
 *
 * <p>Sizes up to {@link #LATENCY_BOUND_LIMIT} are judged on time and larger ones on bus bandwidth. For one size
 * and world the two are reciprocal, so judging both would report every slowdown twice; time is what a reader of
 * small messages cares about (latency), bandwidth what a reader of large ones does. A one-rank world has no bus
 * bandwidth (its factor is 0), so its large sizes are judged on algorithm bandwidth.
 *
 * <p>Only slowdowns are regressions: a candidate that is faster by any amount passes.
 */
public final class RegressionCheck {

    /** Up to here a message is latency-bound on every transport the matrix uses. */
    public static final long LATENCY_BOUND_LIMIT = 64L << 10;

    private final double threshold;

    private RegressionCheck(double threshold) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold is a fraction in (0, 1), e.g. 0.10 for 10%; got " + threshold);
        }
        this.threshold = threshold;
    }

    /** A check that tolerates changes up to {@code threshold} (0.10: 10% more time or 10% less bandwidth). */
    public static RegressionCheck withThreshold(double threshold) {
        return new RegressionCheck(threshold);
    }

    public double threshold() {
        return threshold;
    }

    /**
     * The collectives the candidate does worse than the baseline beyond the threshold, in the baseline's order.
     * Points without a counterpart are not compared; {@link #missingFromCandidate} lists those.
     */
    public List<Regression> compare(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        Map<Key, PerfPoint> candidates = index(candidate, "candidate");
        List<Regression> regressions = new ArrayList<>();
        for (Map.Entry<Key, PerfPoint> entry : index(baseline, "baseline").entrySet()) {
            PerfPoint before = entry.getValue();
            PerfPoint after = candidates.get(entry.getKey());
            if (after == null) continue;
            Regression.Metric metric = metricFor(before);
            double was = metric.of(before);
            double is = metric.of(after);
            boolean worse = metric.higherIsWorse() ? is > was * (1 + threshold) : is < was * (1 - threshold);
            if (worse) {
                regressions.add(new Regression(before.library(), after.library(), before.source(), before.world(),
                        before.dtype(), before.bytes(), before.placement(), before.mode(), metric, was, is));
            }
        }
        return regressions;
    }

    /**
     * Baseline points the candidate has no point for. A release that crashes at 1 GiB would otherwise pass the
     * comparison by having nothing to compare.
     */
    public List<PerfPoint> missingFromCandidate(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        Map<Key, PerfPoint> candidates = index(candidate, "candidate");
        return index(baseline, "baseline").entrySet().stream()
                .filter(e -> !candidates.containsKey(e.getKey()))
                .map(Map.Entry::getValue)
                .toList();
    }

    static Regression.Metric metricFor(PerfPoint p) {
        if (p.bytes() <= LATENCY_BOUND_LIMIT) return Regression.Metric.TIME_US;
        return p.world() == 1 ? Regression.Metric.ALGORITHM_BANDWIDTH : Regression.Metric.BUS_BANDWIDTH;
    }

    private static Map<Key, PerfPoint> index(List<PerfPoint> points, String side) {
        Map<Key, PerfPoint> index = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            PerfPoint previous = index.putIfAbsent(Key.of(p), p);
            if (previous != null) {
                throw new IllegalArgumentException("the " + side + " holds two points for one collective; compare one "
                        + "run of one release with another: " + previous + " and " + p);
            }
        }
        return index;
    }

    /** A collective, regardless of the release that ran it. */
    private record Key(String source, int world, String dtype, long bytes, String placement, String mode) {
        static Key of(PerfPoint p) {
            return new Key(p.source(), p.world(), p.dtype(), p.bytes(), p.placement(), p.mode());
        }
    }
}
