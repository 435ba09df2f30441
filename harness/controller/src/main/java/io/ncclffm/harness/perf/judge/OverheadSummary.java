package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * How much longer a collective takes through the binding than from C, judged against the project's goals: at
 * most 5% for small messages, where the call overhead is all there is to see, and at most 1% from 64 MiB on,
 * where any difference can only come from the binding doing something wrong (an extra copy or synchronisation),
 * since the transfer dwarfs a downcall.
 *
 * <p>The small-message ratio is the median over the latency-bound sizes from 8 B to {@value #SMALL_BAND_MAX} B
 * that both sides measured. A call takes the same few µs at each of them, so the binding's fixed cost per call is
 * the same fraction at each, while one size alone swings by more than the goal from run to run; the band's median
 * holds still where a single size does not, and still shows a real per-call cost (docs/validation.md has the runs).
 *
 * <p>Each row pairs Java and C points of one library, world, element type, placement and mode. For the large
 * sizes the worst ratio counts, not the mean: a single bad size is a finding, and averaging would hide it. Against
 * the in-process C loop each size's ratio is the median of its trials' ratios, C's trials having alternated with the
 * binding's ({@link InProcessRatios}).
 */
public record OverheadSummary(List<Overhead> rows, Source reference) {

    /** The goal for 8-byte messages: Java may take at most 5% longer than C. */
    public static final double SMALL_MESSAGE_GOAL = 1.05;
    /** The goal from {@link MessageSize#LARGE} on: at most 1% longer. */
    public static final double LARGE_MESSAGE_GOAL = 1.01;
    /** The smallest size of the small-message band: the sweep's first. */
    public static final long SMALL_MESSAGE = 8;
    /** The largest size of the small-message band: latency-bound on the GPUs measured (the time per call is flat). */
    public static final long SMALL_BAND_MAX = 64 << 10;
    /** The small-message band in words: {@code from 8 B to 64 KiB}. */
    public static final String SMALL_BAND = "from " + MessageSize.label(SMALL_MESSAGE) + " to " + MessageSize.label(SMALL_BAND_MAX);

    public OverheadSummary {
        rows = List.copyOf(rows);
    }

    /** Whether a goal was met, missed, or could not be judged because Java or C lacks the size. */
    public enum Goal { MEETS, MISSES, NO_DATA }

    /**
     * One library/world/dtype/placement/mode: the median Java/C time ratio over the small-message band, the number
     * of sizes it was taken over, and the worst ratio from 64 MiB up with the size it occurred at.
     */
    public record Overhead(String library, int world, DataType dtype, Placement placement, TimingMode mode,
                           OptionalDouble smallMessageRatio, int smallMessageSizes, OptionalDouble largeMessageWorstRatio,
                           long largeMessageWorstBytes, Collective collective, String cell) {

        public Goal smallMessageGoal() {
            return judge(smallMessageRatio, SMALL_MESSAGE_GOAL);
        }

        public Goal largeMessageGoal() {
            return judge(largeMessageWorstRatio, LARGE_MESSAGE_GOAL);
        }

        /** e.g. {@code NCCL 2.28.3 world 2 float32 out-of-place launch}, with the cell and any collective but allReduce. */
        public String describe() {
            return (cell == null ? library : cell + " (" + library + ")") + " world " + world
                    + (collective == Collective.ALL_REDUCE ? "" : " " + collective) + " " + dtype.shortName() + " " + placement + " " + mode;
        }

        private static Goal judge(OptionalDouble ratio, double goal) {
            if (ratio.isEmpty()) return Goal.NO_DATA;
            return ratio.getAsDouble() <= goal ? Goal.MEETS : Goal.MISSES;
        }
    }

    /** Pairs every Java point with the separate-process C baseline's point of the same collective. */
    public static OverheadSummary of(List<PerfPoint> points) {
        return of(points, Source.C);
    }

    /**
     * Pairs every Java point with the {@code reference} source's point of the same collective (the separate C process
     * or the in-process C loop) and summarises the ratios; points of other sources are left out. Against the separate C
     * process the ratio at a size is that of the two medians, one point per measurement ({@link MedianRun}); against
     * the in-process C loop it is the median of the trials' ratios, pooled over every run in {@code points}
     * ({@link InProcessRatios}).
     */
    public static OverheadSummary of(List<PerfPoint> points, Source reference) {
        if (reference != Source.C && reference != Source.IN_PROCESS_C) {
            throw new IllegalArgumentException("reference must be " + Source.C + " or " + Source.IN_PROCESS_C + ", got '" + reference + "'");
        }
        // The in-process loop measures launches only: graph rows would be all "no data", so there are none.
        Map<Sweep, java.util.SortedMap<Long, Double>> ratios = reference == Source.IN_PROCESS_C
                ? InProcessRatios.of(points).bySweep() : separateProcessRatios(points);
        List<Overhead> rows = new ArrayList<>();
        for (Map.Entry<Sweep, java.util.SortedMap<Long, Double>> group : ratios.entrySet()) {
            List<Double> band = new ArrayList<>();
            OptionalDouble worst = OptionalDouble.empty();
            long worstBytes = 0;
            for (Map.Entry<Long, Double> size : group.getValue().entrySet()) {
                if (size.getValue() == null) continue;
                double ratio = size.getValue();
                long bytes = size.getKey();
                if (bytes >= SMALL_MESSAGE && bytes <= SMALL_BAND_MAX) band.add(ratio);
                if (bytes >= MessageSize.LARGE && (worst.isEmpty() || ratio > worst.getAsDouble())) {
                    worst = OptionalDouble.of(ratio);
                    worstBytes = bytes;
                }
            }
            Sweep k = group.getKey();
            rows.add(new Overhead(k.library(), k.world(), k.dtype(), k.placement(), k.mode(), median(band), band.size(), worst, worstBytes,
                    k.collective(), k.cell()));
        }
        return new OverheadSummary(rows, reference);
    }

    /**
     * Java's median over the separate C process's at each size, per sweep; a size where one side is missing maps to
     * {@code null}, so that a sweep whose C run is missing stays visible as "no data".
     */
    private static Map<Sweep, java.util.SortedMap<Long, Double>> separateProcessRatios(List<PerfPoint> points) {
        Map<Sweep, Map<Long, PerfPoint[]>> pairs = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            int side;
            if (p.source() == Source.JAVA) side = 0;
            else if (p.source() == Source.C) side = 1;
            else continue;
            PerfPoint[] pair = pairs.computeIfAbsent(Sweep.of(p), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.bytes(), b -> new PerfPoint[2]);
            if (pair[side] != null) {
                throw new IllegalArgumentException("two " + p.source() + " points for one collective: " + pair[side]
                        + " and " + p);
            }
            pair[side] = p;
        }
        Map<Sweep, java.util.SortedMap<Long, Double>> ratios = new LinkedHashMap<>();
        for (var group : pairs.entrySet()) {
            java.util.SortedMap<Long, Double> sizes = new java.util.TreeMap<>();
            for (var size : group.getValue().entrySet()) {
                PerfPoint[] pair = size.getValue();
                sizes.put(size.getKey(), pair[0] == null || pair[1] == null ? null : timeRatio(pair[0], pair[1]));
            }
            ratios.put(group.getKey(), sizes);
        }
        return ratios;
    }

    private static OptionalDouble median(List<Double> values) {
        if (values.isEmpty()) return OptionalDouble.empty();
        return OptionalDouble.of(PerfPoint.median(values.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /**
     * True only when every row meets both goals with data to show for it. A sweep that stopped below 64 MiB, or a
     * C run that is missing, has not shown the goal to be met, so it does not pass; {@link #misses()} tells those
     * runs apart from real misses.
     */
    public boolean meetsGoals() {
        return !rows.isEmpty() && rows.stream().allMatch(r -> r.smallMessageGoal() == Goal.MEETS
                && r.largeMessageGoal() == Goal.MEETS);
    }

    /** The rows that miss a goal. */
    public List<Overhead> misses() {
        return rows.stream().filter(r -> r.smallMessageGoal() == Goal.MISSES
                || r.largeMessageGoal() == Goal.MISSES).toList();
    }

    /**
     * Java time over C time for the same collective: above 1 the binding is slower. Time rather than bandwidth,
     * so that the ratio reads as "how much longer" at every size and stays defined for a one-rank world, whose bus
     * bandwidth is 0.
     */
    public static double timeRatio(PerfPoint java, PerfPoint c) {
        if (c.timeUs() <= 0) throw new IllegalArgumentException("C time must be positive to divide by: " + c);
        return java.timeUs() / c.timeUs();
    }
}
