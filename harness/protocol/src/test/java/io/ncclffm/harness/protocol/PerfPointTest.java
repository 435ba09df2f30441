package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.ncclffm.DataType;

class PerfPointTest {

    private static final Collective ALL_REDUCE = Collective.ALL_REDUCE;

    @Test
    void busFactorFollowsNcclTestsTwoTimesNMinusOneOverN() {
        assertEquals(0.0, ALL_REDUCE.busFactor(1));
        assertEquals(1.0, ALL_REDUCE.busFactor(2));
        assertEquals(1.5, ALL_REDUCE.busFactor(4));
        assertEquals(1.75, ALL_REDUCE.busFactor(8));
    }

    @Test
    void busFactorRejectsAnEmptyWorld() {
        assertThrows(IllegalArgumentException.class, () -> ALL_REDUCE.busFactor(0));
    }

    @Test
    void algorithmBandwidthIsBytesOverTimeInDecimalGigabytes() {
        // 1 GiB in 10 ms: 1073741824 B / 0.01 s = 107.37 GB/s; four ranks multiply by 1.5 for the bus.
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", Source.C, 4, 1L << 30, DataType.FLOAT32, Placement.IN_PLACE, TimingMode.GRAPH, 20, 10_000);
        assertEquals(107.3741824, p.algBwGBs(), 1e-9);
        assertEquals(161.0612736, p.busBwGBs(), 1e-9);
    }

    @Test
    void aZeroTimeGivesZeroBandwidthRatherThanInfinity() {
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", Source.C, 2, 8, DataType.FLOAT32, Placement.IN_PLACE, TimingMode.GRAPH, 20, 0);
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
        assertEquals(factor, Collective.of(collective).busFactor(world), 1e-12);
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
        assertEquals(count, Collective.of(collective).elementsPerRank(bytes, world, typeSize));
        assertEquals(printed, Collective.of(collective).printedBytes(count, world, typeSize));
    }

    @Test
    void everyCollective_saysItsSizeConvention_andHasANcclTestsBinary() {
        org.junit.jupiter.api.Assertions.assertTrue(Collective.ALL_GATHER.sizeConvention().contains("whole receive buffer"));
        org.junit.jupiter.api.Assertions.assertTrue(Collective.REDUCE_SCATTER.sizeConvention().contains("whole send buffer"));
        for (Collective c : Collective.values()) org.junit.jupiter.api.Assertions.assertFalse(c.sizeConvention().isBlank());
        assertEquals("alltoall_perf", Collective.ALL_TO_ALL.ncclTestsBinary());
        assertEquals("reduce_scatter_perf", Collective.REDUCE_SCATTER.ncclTestsBinary());
    }

    @Test
    void collectiveNames_areReadInAnySpelling_andAnUnknownOneIsNamed() {
        assertEquals(Collective.REDUCE_SCATTER, Collective.of("reduce_scatter"));
        assertEquals(Collective.ALL_TO_ALL, Collective.of("AllToAll"));
        assertEquals(Collective.SEND_RECV, Collective.of("send-recv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Collective.of("gather"));
        assertEquals("unknown collective 'gather', expected one of [allReduce, allGather, reduceScatter, broadcast, reduce, "
                + "alltoall, sendrecv]", e.getMessage());
    }

    @Test
    void medianByTime_isTheMiddleRunsPoint_theFasterOfTwoMiddleOnes_andRefusesNone() {
        java.util.function.BiFunction<Double, Integer, PerfPoint> run = (us, r) ->
                PerfPoint.of("NCCL 2.28.3", Source.JAVA, 1, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10, us)
                        .inCell("a", r);
        assertEquals(3, PerfPoint.medianByTime(java.util.List.of(run.apply(6.1, 1), run.apply(4.2, 2), run.apply(5.0, 3))).run());
        assertEquals(2, PerfPoint.medianByTime(java.util.List.of(run.apply(6.1, 1), run.apply(4.2, 2))).run(), "two runs: the faster");
        assertEquals(1, PerfPoint.medianByTime(java.util.List.of(run.apply(5.0, 2), run.apply(5.0, 1))).run(),
                "equal times: in run order");
        assertThrows(IllegalArgumentException.class, () -> PerfPoint.medianByTime(java.util.List.of()));
    }

    /** A line as the C baseline printed it before it wrote the collective and the trials. */
    private static final String OLD_C_LINE = "{\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"bytes\":8,"
            + "\"dtype\":\"float32\",\"placement\":\"in-place\",\"mode\":\"graph\",\"iterations\":20,\"timeUs\":6.250,"
            + "\"algBwGBs\":0.001280,\"busBwGBs\":0.001280}";

    /** A worker's point of an earlier release, with every field then written, its values as strings. */
    private static final String OLD_WORKER_LINE = "{\"library\":\"NCCL 2.28.3\",\"source\":\"c-inproc\",\"world\":1,"
            + "\"collective\":\"reduceScatter\",\"bytes\":1048576,\"dtype\":\"bfloat16\",\"placement\":\"out-of-place\","
            + "\"mode\":\"launch\",\"iterations\":256,\"timeUs\":12.5,\"algBwGBs\":83.88608,\"busBwGBs\":0.0,"
            + "\"trialsUs\":[12.4,12.5,12.6],\"cell\":\"perf-2.28.3\",\"run\":2,\"pairedBaseline\":false}";

    @Test
    void linesWrittenBefore_decodeIntoTheTypes_andAPointIsWrittenBackAsTheSameLine() throws JsonProcessingException {
        var json = EventCodec.mapper();
        PerfPoint old = json.readValue(OLD_C_LINE, PerfPoint.class);
        assertEquals(Source.C, old.source());
        assertEquals(ALL_REDUCE, old.collective(), "a line without a collective is an allReduce");
        assertEquals(DataType.FLOAT32, old.dtype());
        assertEquals(Placement.IN_PLACE, old.placement());
        assertEquals(TimingMode.GRAPH, old.mode());
        assertEquals(java.util.List.of(), old.trialsUs());

        PerfPoint worker = json.readValue(OLD_WORKER_LINE, PerfPoint.class);
        assertEquals(Source.IN_PROCESS_C, worker.source());
        assertEquals(Collective.REDUCE_SCATTER, worker.collective());
        assertEquals(DataType.BFLOAT16, worker.dtype());
        assertEquals(Placement.OUT_OF_PLACE, worker.placement());
        assertEquals(TimingMode.LAUNCH, worker.mode());
        assertEquals(2, worker.run());
        assertEquals(OLD_WORKER_LINE, json.writeValueAsString(worker), "written back as the same line");
    }

    @Test
    void aLineWithAnUnknownCollectiveOrType_isRefusedNamingIt() {
        String line = OLD_C_LINE.replace("\"bytes\"", "\"collective\":\"gather\",\"bytes\"");
        var e = assertThrows(JsonProcessingException.class, () -> EventCodec.mapper().readValue(line, PerfPoint.class));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("unknown collective 'gather'"), e.getMessage());
        String type = OLD_C_LINE.replace("float32", "float33");
        var t = assertThrows(JsonProcessingException.class, () -> EventCodec.mapper().readValue(type, PerfPoint.class));
        org.junit.jupiter.api.Assertions.assertTrue(t.getMessage().contains("unknown NCCL data type 'float33'"), t.getMessage());
    }
}
