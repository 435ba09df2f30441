package io.ncclffm.harness.perf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.ncclffm.harness.protocol.PerfPoint;

/**
 * Compares a candidate's perf points with a baseline's, collective by collective (same source, world, collective,
 * element type, size, placement and mode), and reports what got worse by more than a threshold <em>and</em> beyond
 * chance: the candidate's median must be worse than the baseline's by the threshold (the minimum effect size), and
 * the candidate's trials slower than the baseline's by a one-sided Mann-Whitney test at {@link #alpha()}
 * ({@link TrialComparison}). Either alone fails on noise: medians of 5 trials of an 8-byte call differ by 20% between
 * runs minutes apart, and a significant difference of 1% is no regression.
 *
 * <p>Sizes up to {@link #LATENCY_BOUND_LIMIT} are judged on time and larger ones on bus bandwidth. For one size
 * and world the two are reciprocal, so judging both would report every slowdown twice; time is what a reader of
 * small messages cares about (latency), bandwidth what a reader of large ones does. A one-rank world has no bus
 * bandwidth (its factor is 0), so its large sizes are judged on algorithm bandwidth. The rank test is the same
 * either way, since ranks do not change when time is turned into bandwidth.
 *
 * <p>Only slowdowns are regressions: a candidate that is faster by any amount passes.
 */
public final class RegressionCheck {

    /** Up to here a message is latency-bound on every transport the matrix uses. */
    public static final long LATENCY_BOUND_LIMIT = 64L << 10;

    private final double threshold;
    private final double alpha;

    private RegressionCheck(double threshold, double alpha) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold is a fraction in (0, 1), e.g. 0.10 for 10%; got " + threshold);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha is a significance level in (0, 1), e.g. 0.01; got " + alpha);
        }
        this.threshold = threshold;
        this.alpha = alpha;
    }

    /**
     * A check that tolerates changes up to {@code threshold} (0.10: 10% more time or 10% less bandwidth), and
     * needs significance at {@link TrialComparison#ALPHA} for anything beyond it.
     */
    public static RegressionCheck withThreshold(double threshold) {
        return new RegressionCheck(threshold, TrialComparison.ALPHA);
    }

    /** The same threshold at another significance level. */
    public RegressionCheck withAlpha(double alpha) {
        return new RegressionCheck(threshold, alpha);
    }

    public double threshold() {
        return threshold;
    }

    public double alpha() {
        return alpha;
    }

    /**
     * What the comparison found: the regressions (beyond the threshold and significant), and the changes beyond the
     * threshold whose trials overlap too much to tell from noise.
     */
    public record Comparison(List<Regression> regressions, List<Regression> notSignificant) {
    }

    /**
     * The collectives the candidate does worse than the baseline, beyond the threshold and significantly, in the
     * baseline's order. Points without a counterpart are not compared; {@link #missingFromCandidate} lists those.
     */
    public List<Regression> compare(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        return judge(baseline, candidate).regressions();
    }

    /** Every change beyond the threshold, split by whether the trials make it significant. */
    public Comparison judge(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        Map<Key, PerfPoint> candidates = index(candidate, "candidate");
        List<Regression> regressions = new ArrayList<>();
        List<Regression> noise = new ArrayList<>();
        for (Map.Entry<Key, PerfPoint> entry : index(baseline, "baseline").entrySet()) {
            PerfPoint before = entry.getValue();
            PerfPoint after = candidates.get(entry.getKey());
            if (after == null) continue;
            Regression.Metric metric = metricFor(before);
            double was = metric.of(before);
            double is = metric.of(after);
            boolean worse = metric.higherIsWorse() ? is > was * (1 + threshold) : is < was * (1 - threshold);
            if (!worse) continue;
            Regression r = new Regression(before.library(), after.library(), before.source(), before.world(),
                    before.collective(), before.dtype(), before.bytes(), before.placement(), before.mode(), metric, was,
                    is, TrialComparison.pSlower(before, after), before.cell(), after.cell());
            (r.significant(alpha) ? regressions : noise).add(r);
        }
        return new Comparison(List.copyOf(regressions), List.copyOf(noise));
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
                        + "run of one cell with another: " + previous + " and " + p);
            }
        }
        return index;
    }

    /** A collective, regardless of the release or cell that ran it. */
    private record Key(String source, int world, String collective, String dtype, long bytes, String placement,
                       String mode) {
        static Key of(PerfPoint p) {
            return new Key(p.source(), p.world(), p.collective(), p.dtype(), p.bytes(), p.placement(), p.mode());
        }
    }
}
