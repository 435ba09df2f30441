package io.ncclffm.harness.perf.judge;

import java.util.Locale;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * One collective that got worse from the baseline to the candidate by more than the threshold, with the numbers
 * that show it and how likely trials this far apart are by chance.
 *
 * @param baselineLibrary  e.g. {@code NCCL 2.27.7}
 * @param candidateLibrary e.g. {@code NCCL 2.28.9}
 * @param metric           what was compared at this size
 * @param baseline         the baseline's value (its median trial), in the metric's unit
 * @param candidate        the candidate's value, in the metric's unit
 * @param pValue           the one-sided Mann-Whitney p of the candidate's trials being slower ({@link TrialComparison})
 * @param baselineCell     the matrix cell of the baseline points, or {@code null} when they came from no matrix
 * @param candidateCell    the candidate's cell, or {@code null}
 */
public record Regression(String baselineLibrary, String candidateLibrary, Source source, int world,
                         Collective collective, DataType dtype, long bytes, Placement placement, TimingMode mode, Metric metric,
                         double baseline, double candidate, double pValue, String baselineCell,
                         String candidateCell) {

    /** What a size is judged on, and which direction is worse. */
    public enum Metric {
        /** Microseconds per call; for latency-bound sizes, where bandwidth figures are tiny and uninformative. */
        TIME_US("time", "µs", true),
        /** nccl-tests' bus bandwidth in GB/s; for bandwidth-bound sizes. */
        BUS_BANDWIDTH("busbw", "GB/s", false),
        /** Bytes over time in GB/s; for bandwidth-bound sizes of a one-rank world, whose bus bandwidth is 0. */
        ALGORITHM_BANDWIDTH("algbw", "GB/s", false);

        private final String shortName;
        private final String unit;
        private final boolean higherIsWorse;

        Metric(String shortName, String unit, boolean higherIsWorse) {
            this.shortName = shortName;
            this.unit = unit;
            this.higherIsWorse = higherIsWorse;
        }

        public String shortName() {
            return shortName;
        }

        public String unit() {
            return unit;
        }

        public boolean higherIsWorse() {
            return higherIsWorse;
        }

        public double of(PerfPoint p) {
            return switch (this) {
                case TIME_US -> p.timeUs();
                case BUS_BANDWIDTH -> p.busBwGBs();
                case ALGORITHM_BANDWIDTH -> p.algBwGBs();
            };
        }
    }

    /** The relative change from baseline to candidate: +0.25 is 25% more time, -0.25 is 25% less bandwidth. */
    public double change() {
        return candidate / baseline - 1;
    }

    /** Whether the trials show the change beyond chance at {@code alpha}. */
    public boolean significant(double alpha) {
        return pValue <= alpha;
    }

    /**
     * One line for a report, e.g. {@code java world 2 allReduce float32 out-of-place launch 8 B: time 10.00 µs ->
     * 12.00 µs (+20.0%, p=0.004), perf-2.27.7 (NCCL 2.27.7) -> perf-2.28.9 (NCCL 2.28.9)}.
     */
    public String describe() {
        return String.format(Locale.ROOT, "%s world %d %s %s %s %s %s: %s %.2f %s -> %.2f %s (%+.1f%%, p=%s), %s -> %s",
                source, world, collective, dtype.shortName(), placement, mode, MessageSize.label(bytes), metric.shortName(), baseline,
                metric.unit(), candidate, metric.unit(), change() * 100, p(pValue), label(baselineCell, baselineLibrary),
                label(candidateCell, candidateLibrary));
    }

    /**
     * A p-value for a report: three decimals ({@code 0.004}), or two significant digits below 0.001 ({@code 3.1e-05},
     * what 15 pairs all one way give), which three decimals would show as 0.
     */
    public static String p(double p) {
        return p < 0.001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String label(String cell, String library) {
        return cell == null ? library : cell + " (" + library + ")";
    }
}
