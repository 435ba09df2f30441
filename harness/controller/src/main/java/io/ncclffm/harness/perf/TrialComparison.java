package io.ncclffm.harness.perf;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * Whether one set of trials is slower than another beyond chance: a one-sided Mann-Whitney U test on the trials'
 * times (Apache Commons Statistics), exact when there are no ties, the normal approximation with continuity
 * correction when there are.
 *
 * <p>A rank test because the trials of a perf point are few (5 by default) and their noise is not normal: one trial
 * caught by a host interrupt is far off the rest, which would drag a t-test's mean but moves a rank by one. Ranks
 * are unchanged by any monotone transform, so judging time and judging bandwidth (bytes over time) give the same p.
 *
 * <p>With 5 trials against 5 the smallest exact one-sided p is 1/252 ≈ 0.004 (every candidate trial slower than
 * every baseline trial) and the next 2/252 ≈ 0.008 (one pair swapped); {@link #ALPHA} = 0.01 accepts exactly those
 * two. Three against three can reach only 1/20 = 0.05, so a point needs at least 4 trials on each side (1/70) to
 * ever be significant; a single trial never is.
 */
public final class TrialComparison {

    /** The significance level a slowdown must reach. */
    public static final double ALPHA = 0.01;

    private static final MannWhitneyUTest TEST = MannWhitneyUTest.withDefaults()
            .with(AlternativeHypothesis.GREATER_THAN)
            .with(PValueMethod.EXACT);

    private TrialComparison() {
    }

    /**
     * The one-sided p-value of "the candidate's trials take longer than the baseline's". Identical samples give a p
     * of about 0.5 or more, never a small one; a side with one trial gives at least 0.5.
     *
     * @param baselineUs  the baseline's trials, microseconds per call
     * @param candidateUs the candidate's trials
     */
    public static double pSlower(double[] baselineUs, double[] candidateUs) {
        if (baselineUs.length == 0 || candidateUs.length == 0) {
            throw new IllegalArgumentException("both sides need at least one trial, got " + baselineUs.length + " and "
                    + candidateUs.length);
        }
        // Identical constant samples make the test's variance 0 (NaN from the normal approximation): no evidence.
        if (allEqual(baselineUs, candidateUs)) return 1.0;
        return TEST.test(candidateUs, baselineUs).getPValue();
    }

    /** The one-sided p-value that the candidate point's trials are slower than the baseline point's. */
    public static double pSlower(PerfPoint baseline, PerfPoint candidate) {
        return pSlower(baseline.trials(), candidate.trials());
    }

    private static boolean allEqual(double[] a, double[] b) {
        double first = a[0];
        for (double v : a) if (v != first) return false;
        for (double v : b) if (v != first) return false;
        return true;
    }
}
