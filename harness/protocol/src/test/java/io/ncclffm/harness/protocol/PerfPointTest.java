package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PerfPointTest {

    @Test
    void busFactorFollowsNcclTestsTwoTimesNMinusOneOverN() {
        assertEquals(0.0, PerfPoint.busFactor(1));
        assertEquals(1.0, PerfPoint.busFactor(2));
        assertEquals(1.5, PerfPoint.busFactor(4));
        assertEquals(1.75, PerfPoint.busFactor(8));
    }

    @Test
    void busFactorRejectsAnEmptyWorld() {
        assertThrows(IllegalArgumentException.class, () -> PerfPoint.busFactor(0));
    }

    @Test
    void algorithmBandwidthIsBytesOverTimeInDecimalGigabytes() {
        // 1 GiB in 10 ms: 1073741824 B / 0.01 s = 107.37 GB/s; four ranks multiply by 1.5 for the bus.
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", "c", 4, 1L << 30, "float32", "in-place", "graph", 20, 10_000);
        assertEquals(107.3741824, p.algBwGBs(), 1e-9);
        assertEquals(161.0612736, p.busBwGBs(), 1e-9);
    }

    @Test
    void aZeroTimeGivesZeroBandwidthRatherThanInfinity() {
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", "c", 2, 8, "float32", "in-place", "graph", 20, 0);
        assertEquals(0.0, p.algBwGBs());
        assertEquals(0.0, p.busBwGBs());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} at world {1}: bus factor {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "allReduce, 4, 1.5", "allReduce, 1, 0.0",
            "allGather, 4, 0.75", "reduceScatter, 4, 0.75", "alltoall, 4, 0.75", "allGather, 1, 0.0", "alltoall, 8, 0.875",
            "broadcast, 4, 1.0", "reduce, 4, 1.0", "sendrecv, 4, 1.0", "broadcast, 1, 1.0", "sendrecv, 1, 1.0",
    })
    void busFactorPerCollective_followsNcclTests(String collective, int world, double factor) {
        assertEquals(factor, PerfPoint.busFactor(collective, world), 1e-12);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}, {1} B at world {2}, {3}-byte elements: {4} per rank, printed {5} B")
    @org.junit.jupiter.params.provider.CsvSource({
            // the printed size is the larger buffer, split among ranks
            "allGather,     1048576, 4, 4, 65536,  1048576",
            "reduceScatter, 1048576, 4, 4, 65536,  1048576",
            "alltoall,      1048576, 4, 2, 131072, 1048576",
            // one rank's buffer
            "allReduce,     1048576, 4, 4, 262144, 1048576",
            "broadcast,     1048576, 4, 4, 262144, 1048576",
            "reduce,        1048576, 4, 2, 524288, 1048576",
            "sendrecv,      1048576, 4, 4, 262144, 1048576",
            // too small for one element per rank: nothing to run
            "allGather,     8,       4, 4, 0,      0",
            // not divisible by the world: rounded down, as nccl-tests does
            "allGather,     64,      3, 4, 5,      60",
            "allGather,     8,       1, 4, 2,      8",
    })
    void sizeConvention_perCollective_isNcclTests(String collective, long bytes, int world, int typeSize, long count, long printed) {
        assertEquals(count, PerfPoint.elementsPerRank(collective, bytes, world, typeSize));
        assertEquals(printed, PerfPoint.printedBytes(collective, count, world, typeSize));
    }

    @Test
    void everyCollective_saysItsSizeConvention_andHasANcclTestsBinary() {
        org.junit.jupiter.api.Assertions.assertTrue(PerfPoint.sizeConvention("allGather").contains("whole receive buffer"));
        org.junit.jupiter.api.Assertions.assertTrue(PerfPoint.sizeConvention("reduceScatter").contains("whole send buffer"));
        for (String c : PerfPoint.COLLECTIVES) org.junit.jupiter.api.Assertions.assertFalse(PerfPoint.sizeConvention(c).isBlank());
        assertEquals("alltoall_perf", PerfPoint.ncclTestsBinary("alltoall"));
        assertEquals("reduce_scatter_perf", PerfPoint.ncclTestsBinary("reduceScatter"));
        assertEquals("float", PerfPoint.ncclTestsType("float32"));
        assertEquals("bfloat16", PerfPoint.ncclTestsType("bfloat16"));
        assertEquals("float32", PerfPoint.fromNcclTestsType("float"));
    }

    @Test
    void collectiveNames_areReadInAnySpelling_andAnUnknownOneIsNamed() {
        assertEquals("reduceScatter", PerfPoint.collective("reduce_scatter"));
        assertEquals("alltoall", PerfPoint.collective("AllToAll"));
        assertEquals("sendrecv", PerfPoint.collective("send-recv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PerfPoint.collective("gather"));
        assertEquals("unknown collective 'gather', expected one of " + PerfPoint.COLLECTIVES, e.getMessage());
    }

    @Test
    void medianByTime_isTheMiddleRunsPoint_theFasterOfTwoMiddleOnes_andRefusesNone() {
        java.util.function.BiFunction<Double, Integer, PerfPoint> run = (us, r) ->
                PerfPoint.of("NCCL 2.28.3", "java", 1, 8, "float32", "out-of-place", "launch", 10, us).inCell("a", r);
        assertEquals(3, PerfPoint.medianByTime(java.util.List.of(run.apply(6.1, 1), run.apply(4.2, 2), run.apply(5.0, 3))).run());
        assertEquals(2, PerfPoint.medianByTime(java.util.List.of(run.apply(6.1, 1), run.apply(4.2, 2))).run(), "two runs: the faster");
        assertEquals(1, PerfPoint.medianByTime(java.util.List.of(run.apply(5.0, 2), run.apply(5.0, 1))).run(),
                "equal times: in run order");
        assertThrows(IllegalArgumentException.class, () -> PerfPoint.medianByTime(java.util.List.of()));
    }
}
