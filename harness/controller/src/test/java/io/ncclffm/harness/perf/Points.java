package io.ncclffm.harness.perf;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * Constructed points for the report tests: the fields that vary, the rest fixed at a two-rank float32 allReduce run,
 * each with five trials 1% apart around its time, so that a change of a few percent is already significant.
 */
final class Points {

    static final String NCCL_27 = "NCCL 2.27.7";
    static final String NCCL_28 = "NCCL 2.28.9";

    private Points() {
    }

    static PerfPoint java(String library, long bytes, double timeUs) {
        return point(library, "java", 2, bytes, "out-of-place", "launch", timeUs);
    }

    static PerfPoint c(String library, long bytes, double timeUs) {
        return point(library, "c", 2, bytes, "out-of-place", "launch", timeUs);
    }

    static PerfPoint point(String library, String source, int world, long bytes, String placement, String mode,
                           double timeUs) {
        return PerfPoint.ofTrials(library, source, world, PerfPoint.ALL_REDUCE, bytes, "float32", placement, mode, 20,
                java.util.List.of(timeUs * 0.98, timeUs * 0.99, timeUs, timeUs * 1.01, timeUs * 1.02));
    }
}
