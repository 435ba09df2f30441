package io.ncclffm.harness.perf.judge;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest;

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
 *
 * <p>Trials taken in pairs, one of each side right after the other in one process ({@code perf.pairing:
 * in-process}), are compared pair by pair instead ({@link #pSlowerPaired}): a one-sided Wilcoxon signed-rank test
 * on the log of each pair's ratio, exact when no two ratios tie. What moves both trials of a pair (a host whose
 * small-call time switches between levels every few seconds, docs/validation.md) cancels in the ratio. With
 * {@code n} pairs the smallest p is 2^-n: 7 pairs reach 1/128 &lt; {@link #ALPHA}, 5 pairs (one run of 5 trials)
 * never can; three runs of 5 give 15 pairs, 1/32768.
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

    private static final WilcoxonSignedRankTest PAIRED = WilcoxonSignedRankTest.withDefaults()
            .with(AlternativeHypothesis.GREATER_THAN);

    /** The fewest pairs whose signed-rank test can ever reach {@link #ALPHA}: 2^-7 = 0.0078. */
    public static final int MIN_PAIRS = 7;

    /**
     * The one-sided p-value of "the candidate's trials take longer than the baseline's" for trials taken in pairs:
     * {@code baselineUs[i]} and {@code candidateUs[i]} were measured one right after the other. A Wilcoxon
     * signed-rank test on {@code log(candidate[i] / baseline[i])}; pairs of equal times carry no evidence and are
     * left out (the test's convention), and with none left the p is 1.
     *
     * @throws IllegalArgumentException when the sides differ in length, are empty, or hold a time that is not positive
     */
    public static double pSlowerPaired(double[] baselineUs, double[] candidateUs) {
        if (baselineUs.length != candidateUs.length || baselineUs.length == 0) {
            throw new IllegalArgumentException("paired trials need as many on each side, at least one; got " + baselineUs.length
                    + " and " + candidateUs.length);
        }
        double[] logRatios = new double[baselineUs.length];
        int n = 0;
        for (int i = 0; i < baselineUs.length; i++) {
            if (!(baselineUs[i] > 0) || !(candidateUs[i] > 0)) {
                throw new IllegalArgumentException("pair " + i + " holds a time that is not positive: " + baselineUs[i] + " and "
                        + candidateUs[i] + " µs");
            }
            double d = Math.log(candidateUs[i] / baselineUs[i]);
            if (d != 0) logRatios[n++] = d;
        }
        if (n == 0) return 1.0;
        return PAIRED.test(java.util.Arrays.copyOf(logRatios, n)).getPValue();
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
