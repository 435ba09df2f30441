package io.ncclffm.harness.perf.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.TimingMode;

/** The bandwidth charts of a perf run, by file name ({@code busbw-w2.svg}, {@code busbw-allGather-bfloat16-w1.svg}). */
public final class PerfCharts {

    private PerfCharts() {
    }

    /**
     * One chart per world size, collective and element type, of out-of-place launches, a line per release and source.
     * A line must be one sequence of sizes, so each chart takes one world, placement and mode; one rank moves nothing
     * over a bus, so world 1 shows algorithm bandwidth. allReduce in float32 keeps the name charts had before there
     * were other collectives.
     */
    public static Map<String, String> of(List<PerfPoint> all) {
        Map<String, String> charts = new LinkedHashMap<>();
        record Kind(Collective collective, DataType dtype) { }
        List<Kind> kinds = all.stream().map(p -> new Kind(p.collective(), p.dtype())).distinct().toList();
        for (int world : all.stream().map(PerfPoint::world).distinct().sorted().toList()) {
            for (Kind kind : kinds) {
                List<PerfPoint> line = all.stream().filter(p -> p.world() == world && p.collective() == kind.collective()
                        && p.dtype() == kind.dtype() && p.placement() == Placement.OUT_OF_PLACE && p.mode() == TimingMode.LAUNCH).toList();
                if (line.isEmpty()) continue;
                BandwidthChart.Bandwidth bw = world == 1 ? BandwidthChart.Bandwidth.ALGORITHM : BandwidthChart.Bandwidth.BUS;
                String type = kind.dtype().shortName();
                boolean classic = kind.collective() == Collective.ALL_REDUCE && kind.dtype() == DataType.FLOAT32;
                String name = classic ? "busbw-w" + world + ".svg" : "busbw-" + kind.collective() + "-" + type + "-w" + world + ".svg";
                charts.put(name, BandwidthChart.svg(line, kind.collective() + " " + type + (kind.collective().reduces() ? " sum" : "")
                        + ", out-of-place, world " + world
                        + (world == 1 ? " (algorithm bandwidth: one rank has no bus)" : " (bus bandwidth)"), bw));
            }
        }
        return charts;
    }
}
