package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.Placement;

/** The per-size counts must match the C baseline's --iters auto / --warmup auto (nccl_allreduce_bench.cu). */
class PerfRunnerTest {

    @ParameterizedTest(name = "{0} B, cap {1}: {2} iterations, {3} warm-up")
    @CsvSource({
            // small sizes: 1000 (the cap), warm-up a tenth
            "8,          1000, 1000, 100",
            "262144,     1000, 1000, 100",
            // from 256 KiB up: 256 MiB worth of calls
            "524288,     1000, 512,  51",
            "4194304,    1000, 64,   6",
            // never fewer than 50 calls (MIN_ITERATIONS), never fewer than 2 warm-ups
            "8388608,    1000, 50,   5",
            "67108864,   1000, 50,   5",
            "1073741824, 1000, 50,   5",
            // a cell's cap (ranks sharing one GPU through sockets) bounds the floor too
            "8,          20,   20,   2",
            "16777216,   20,   20,   2",
    })
    void countsPerSize(long bytes, int cap, int iterations, int warmup) {
        assertEquals(iterations, PerfRunner.iterations(bytes, cap));
        assertEquals(warmup, PerfRunner.warmup(bytes, cap));
    }

    @ParameterizedTest(name = "cap {0}: {1} JIT warm-up calls")
    @CsvSource({"1000, 20000", "20, 400", "10, 200"})
    void jitWarmupScalesWithTheCap(int cap, int calls) {
        assertEquals(calls, PerfRunner.jitWarmupCalls(cap));
    }

    @org.junit.jupiter.api.Test
    void medianOfTrials_ignoresOneSlowOrFastTrial() {
        assertEquals(7.0, PerfRunner.median(new double[] {7.0, 13.0, 7.1, 6.9, 7.0}));
        assertEquals(7.05, PerfRunner.median(new double[] {7.1, 13.0, 7.0, 2.0}), 1e-12);
        assertEquals(4.5, PerfRunner.median(new double[] {4.5}));
    }

    private static final java.util.function.Predicate<io.ncclffm.Feature> EXPORTS_ALL = f -> true;

    @org.junit.jupiter.api.Test
    void bfloat16_isSkippedBeforeNccl2_10_withTheReason() {
        assertEquals("bfloat16 needs NCCL 2.10.0 or newer; this is NCCL 2.9.9", PerfRunner.gap(Collective.ALL_REDUCE,
                io.ncclffm.DataType.BFLOAT16, io.ncclffm.Flavor.NCCL, io.ncclffm.NcclVersion.of(2, 9, 9), EXPORTS_ALL));
        assertEquals(null, PerfRunner.gap(Collective.ALL_REDUCE, io.ncclffm.DataType.BFLOAT16, io.ncclffm.Flavor.NCCL,
                io.ncclffm.NcclVersion.of(2, 10, 3), EXPORTS_ALL));
        assertEquals(null, PerfRunner.gap(Collective.ALL_GATHER, io.ncclffm.DataType.FLOAT32, io.ncclffm.Flavor.NCCL,
                io.ncclffm.NcclVersion.of(2, 4, 2), EXPORTS_ALL));
    }

    @org.junit.jupiter.api.Test
    void alltoall_isSkippedWhenTheLibraryLacksNcclAlltoAll_namingTheFunctionAndTheRelease() {
        String gap = PerfRunner.gap(Collective.ALL_TO_ALL, io.ncclffm.DataType.FLOAT32, io.ncclffm.Flavor.NCCL,
                io.ncclffm.NcclVersion.of(2, 27, 7), f -> f != io.ncclffm.Feature.ALL_TO_ALL);
        org.junit.jupiter.api.Assertions.assertTrue(gap != null && gap.startsWith("alltoall needs ncclAlltoAll")
                && gap.contains("(NCCL 2.28.0 or newer), which NCCL 2.27.7 does not export"), gap);
        assertEquals(null, PerfRunner.gap(Collective.SEND_RECV, io.ncclffm.DataType.FLOAT32, io.ncclffm.Flavor.NCCL,
                io.ncclffm.NcclVersion.of(2, 27, 7), f -> f != io.ncclffm.Feature.ALL_TO_ALL));
    }

    @org.junit.jupiter.api.Test
    void alltoallAndSendrecv_areTimedOutOfPlaceOnly_theRestBothWays() {
        assertEquals(java.util.List.of(Placement.OUT_OF_PLACE), Collective.ALL_TO_ALL.placements());
        assertEquals(java.util.List.of(Placement.OUT_OF_PLACE), Collective.SEND_RECV.placements());
        for (Collective c : java.util.List.of(Collective.ALL_REDUCE, Collective.ALL_GATHER, Collective.REDUCE_SCATTER,
                Collective.BROADCAST, Collective.REDUCE)) {
            assertEquals(java.util.List.of(Placement.OUT_OF_PLACE, Placement.IN_PLACE), c.placements(), c.label());
        }
    }

    @org.junit.jupiter.api.Test
    void inTurns_theOtherGoesFirstInEvenTrialsAndSecondInOddOnes_andMineAloneWithoutIt() {
        StringBuilder order = new StringBuilder();
        for (int t = 0; t < 4; t++) CollectiveTimer.inTurns(t, () -> order.append('o'), () -> order.append('m'));
        assertEquals("ommoommo", order.toString());
        StringBuilder alone = new StringBuilder();
        for (int t = 0; t < 3; t++) CollectiveTimer.inTurns(t, null, () -> alone.append('m'));
        assertEquals("mmm", alone.toString());
    }
}
