package io.ncclffm.harness.perf.judge;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * Constructed points for the report tests: the fields that vary, the rest fixed at a two-rank float32 allReduce run,
 * each with five trials 1% apart around its time, so that a change of a few percent is already significant.
 */
public final class Points {

    public static final String NCCL_27 = "NCCL 2.27.7";
    public static final String NCCL_28 = "NCCL 2.28.9";

    private Points() {
    }

    public static PerfPoint java(String library, long bytes, double timeUs) {
        return point(library, Source.JAVA, 2, bytes, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, timeUs);
    }

    public static PerfPoint c(String library, long bytes, double timeUs) {
        return point(library, Source.C, 2, bytes, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, timeUs);
    }

    public static PerfPoint point(String library, Source source, int world, long bytes, Placement placement, TimingMode mode,
                           double timeUs) {
        return PerfPoint.ofTrials(library, source, world, Collective.ALL_REDUCE, bytes, DataType.FLOAT32, placement, mode, 20,
                java.util.List.of(timeUs * 0.98, timeUs * 0.99, timeUs, timeUs * 1.01, timeUs * 1.02));
    }
}
