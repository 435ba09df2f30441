package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;

/**
 * The binding's time over C's in its own process, size by size, from the in-process C loop's trials and the
 * binding's: what the in-process overhead goals ({@link OverheadSummary}) and the nccl-tests comparison
 * ({@link NcclTestsComparison}) take as the binding's own share.
 *
 * <p>Trial {@code t} of a Java point and of the C loop's point of the same run was taken one right after the
 * other, in one process, on one communicator and stream (C first in even trials, second in odd ones). So the ratio
 * at a size is the median of the trials' ratios, pooled over every run of the cell: a change of the host's speed
 * between two trials falls on both sides of a pair and cancels, where the ratio of the two medians can take one
 * side's median from one of the host's levels and the other side's from the other (a test models such a run). A run whose two points have different numbers of trials (an older
 * worker) counts with the ratio of its medians.
 *
 * <p>Points of other sources, and the perf baseline's points timed in a candidate's processes
 * ({@link PerfPoint#pairedBaseline()}), are left out.
 */
public final class InProcessRatios {

    /** A median over the small-message band, and how many sizes it was taken over. */
    public record Band(double ratio, int sizes) {
    }

    private final Map<Sweep, SortedMap<Long, Double>> ratios;

    private InProcessRatios(Map<Sweep, SortedMap<Long, Double>> ratios) {
        this.ratios = ratios;
    }

    /** Pairs every run's Java and in-process C points; {@code points} may hold any number of runs of each cell. */
    public static InProcessRatios of(List<PerfPoint> points) {
        Map<Sweep, Map<Long, Map<Integer, PerfPoint[]>>> pairs = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            if (p.pairedBaseline()) continue;
            int side;
            if (p.source() == Source.JAVA) side = 0;
            else if (p.source() == Source.IN_PROCESS_C) side = 1;
            else continue;
            PerfPoint[] pair = pairs.computeIfAbsent(Sweep.of(p), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.bytes(), b -> new LinkedHashMap<>())
                    .computeIfAbsent(p.run(), r -> new PerfPoint[2]);
            if (pair[side] != null) {
                throw new IllegalArgumentException("two " + p.source() + " points for one collective, size and run: " + pair[side]
                        + " and " + p);
            }
            pair[side] = p;
        }
        Map<Sweep, SortedMap<Long, Double>> ratios = new LinkedHashMap<>();
        for (var series : pairs.entrySet()) {
            for (var size : series.getValue().entrySet()) {
                List<Double> pooled = new ArrayList<>();
                for (PerfPoint[] pair : size.getValue().values()) {
                    if (pair[0] == null || pair[1] == null) continue;
                    pooled.addAll(trialRatios(pair[0], pair[1]));
                }
                if (pooled.isEmpty()) continue;
                ratios.computeIfAbsent(series.getKey(), k -> new TreeMap<>())
                        .put(size.getKey(), PerfPoint.median(pooled.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        return new InProcessRatios(ratios);
    }

    /** java/C per trial where both took the same trials, else the one ratio of their medians. */
    static List<Double> trialRatios(PerfPoint java, PerfPoint c) {
        List<Double> j = java.trialsUs();
        List<Double> r = c.trialsUs();
        if (j.isEmpty() || j.size() != r.size()) return List.of(OverheadSummary.timeRatio(java, c));
        List<Double> out = new ArrayList<>(j.size());
        for (int t = 0; t < j.size(); t++) {
            if (r.get(t) <= 0) throw new IllegalArgumentException("C trial " + t + " must be positive to divide by: " + c);
            out.add(j.get(t) / r.get(t));
        }
        return out;
    }

    /** The ratio of each size both sides measured, by sweep (those with one size at least, in the order their points came). */
    public Map<Sweep, SortedMap<Long, Double>> bySweep() {
        return java.util.Collections.unmodifiableMap(ratios);
    }

    /** The ratio of each size of {@code sweep} that both sides measured, by size. */
    public SortedMap<Long, Double> bySize(Sweep sweep) {
        SortedMap<Long, Double> sizes = ratios.get(sweep);
        return sizes == null ? new TreeMap<>() : java.util.Collections.unmodifiableSortedMap(sizes);
    }

    /** The ratio at the size and sweep of {@code p}, empty where C did not time it. */
    public OptionalDouble at(PerfPoint p) {
        Double r = bySize(Sweep.of(p)).get(p.bytes());
        return r == null ? OptionalDouble.empty() : OptionalDouble.of(r);
    }

    /**
     * The median ratio over the sizes of {@code sweep} from {@link OverheadSummary#SMALL_MESSAGE} to
     * {@link OverheadSummary#SMALL_BAND_MAX}, or {@code null} where C timed none of them.
     */
    public Band band(Sweep sweep) {
        double[] band = bySize(sweep).subMap(OverheadSummary.SMALL_MESSAGE, OverheadSummary.SMALL_BAND_MAX + 1).values().stream()
                .mapToDouble(Double::doubleValue).toArray();
        return band.length == 0 ? null : new Band(PerfPoint.median(band), band.length);
    }
}
