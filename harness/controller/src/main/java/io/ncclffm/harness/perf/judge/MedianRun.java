package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * One point per measurement out of a perf cell's several runs: at each size, the point of the run whose time is the
 * median (for an even count the faster of the two middle ones). A matrix with a regression check runs each perf
 * cell several times, each in a new process ({@code perf.runs}), because one process can be slower than the next
 * for its whole life, from C as from Java, every trial of it (docs/validation.md has such an A/A run). The median run
 * is what no one such process moves. Each source (java, c-inproc, nccl-tests)
 * is chosen apart, size by size; a point keeps its own trials, so the rank test still compares one process's trials
 * with another's.
 *
 * <p>A measurement is a cell, library, source, world, collective, element type, size, placement and mode, and
 * whether the point is the baseline's timed in that cell's processes ({@link PerfPoint#pairedBaseline()}). Points that are
 * the only one of their measurement (a cell that ran once, the separate C baseline) are kept as they are.
 */
public final class MedianRun {

    private MedianRun() {
    }

    /** The median run's point of every measurement, in the order each measurement first appears. */
    public static List<PerfPoint> of(List<PerfPoint> points) {
        Map<Measurement, List<PerfPoint>> byMeasurement = new LinkedHashMap<>();
        for (PerfPoint p : points) byMeasurement.computeIfAbsent(Measurement.of(p), k -> new ArrayList<>()).add(p);
        List<PerfPoint> out = new ArrayList<>(byMeasurement.size());
        for (List<PerfPoint> runs : byMeasurement.values()) {
            out.add(PerfPoint.medianByTime(runs));
        }
        return out;
    }

    /** How many runs measured each cell (the most runs of any of its measurements), by cell. */
    public static Map<String, Integer> runsByCell(List<PerfPoint> points) {
        Map<Measurement, java.util.Set<Integer>> runs = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            if (p.cell() != null) runs.computeIfAbsent(Measurement.of(p), k -> new java.util.HashSet<>()).add(p.run());
        }
        Map<String, Integer> byCell = new LinkedHashMap<>();
        runs.forEach((m, r) -> byCell.merge(m.cell(), r.size(), Math::max));
        return byCell;
    }

    private record Measurement(String cell, String library, Source source, int world, Collective collective, DataType dtype,
                               long bytes, Placement placement, TimingMode mode, boolean pairedBaseline) {
        static Measurement of(PerfPoint p) {
            return new Measurement(p.cell(), p.library(), p.source(), p.world(), p.collective(), p.dtype(), p.bytes(),
                    p.placement(), p.mode(), p.pairedBaseline());
        }
    }
}
