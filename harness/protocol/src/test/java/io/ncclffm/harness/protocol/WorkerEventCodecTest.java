package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;

/** Every event a worker writes comes back from its line as the same value: one codec, both directions. */
class WorkerEventCodecTest {

    static Stream<WorkerEvent> events() {
        return Stream.of(
                new WorkerEvent.Hello(1, 2, 4711, "rank1", "25+36", Map.of("NCCL_DEBUG", "WARN")),
                new WorkerEvent.Loaded(1, new LibraryFile("libnccl.so.2", "/usr/lib/x86_64-linux-gnu/libnccl.so.2.28.3", 372_000_000L,
                        "0f".repeat(32), "NCCL version 2.28.3+cuda12.9")),
                new WorkerEvent.Loaded(0, new LibraryFile("/x.so", "/x.so", 1, "00".repeat(32), null)),
                new WorkerEvent.Loaded(0, new LibraryFile("/y.so", "/y.so", 2, "11".repeat(32), "NCCL version 2.32.6+cuda13.0",
                        "NCCL 2.32.6, newer than this binding knows (2.30.7)")),
                new WorkerEvent.Plan(0, List.of(
                        new WorkerEvent.PlannedCheck("load", "load", Map.of(), List.of()),
                        new WorkerEvent.PlannedCheck("allreduce/bfloat16/avg/1/in-place", "allreduce bfloat16",
                                Map.of("dtype", "bfloat16", "op", "avg"),
                                List.of(Requirement.type(DataType.BFLOAT16), Requirement.op(ReduceOp.AVG))),
                        new WorkerEvent.PlannedCheck("graph/x", "graph", Map.of(), List.of(
                                new Requirement.Function(Feature.INIT_RANK_CONFIG, "aborting a hung init"),
                                new Requirement.Release(NcclVersion.of(2, 9, 6), "capturing NCCL collectives in CUDA graphs"))))),
                new WorkerEvent.Progress(0, "comm-init"),
                new WorkerEvent.Init(0, 2, 812, 536_870_912L, "NVIDIA H200", "0000:19:00.0", 90, "CUDA driver 13.0"),
                new WorkerEvent.Check(0, new CheckResult(0, "allreduce/float32/sum/1/in-place", "allreduce float32",
                        Map.of("dtype", "float32"), CheckStatus.FAILED, "1 of 1 differ", 3,
                        List.of(new Mismatch(0, "2.0", "3.0")), Map.of("ncclResult", "0"), Cause.WRONG_VALUES)),
                new WorkerEvent.Check(1, new CheckResult(1, "allreduce/float8e4m3/avg/1/in-place", "allreduce float8e4m3",
                        Map.of(), CheckStatus.FAILED, "ncclAllReduce: invalid argument", 1, List.of(), Map.of(), Cause.NCCL_ERROR,
                        NcclResultCode.of(4), null)),
                new WorkerEvent.Check(1, new CheckResult(1, "unique-id", "unique-id", Map.of(), CheckStatus.PASSED,
                        "fetched from rank 0", 2, List.of(), Map.of(), null, null, UniqueIdFingerprint.of("0123456789abcdef"))),
                new WorkerEvent.Perf(0, new PerfPoint("NCCL 2.28.9", Source.JAVA, 1, Collective.ALL_REDUCE, 8,
                        io.ncclffm.DataType.FLOAT32, Placement.IN_PLACE, TimingMode.LAUNCH, 100, 5.25, 0.0015, 0.0, List.of(5.0, 5.25, 5.5), null, 0), Map.of("rank", "0")),
                new WorkerEvent.Done(1, 10, 1, 2, 0, 12_345),
                new WorkerEvent.Hung(1, "ncclCommAbort", "abort/with-live-graph", 60_000),
                new WorkerEvent.Fatal(1, "worker deadline of 60 s passed; exiting without cleanup", null));
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyEvent_isOneLine_thatDecodesToTheSameEvent(WorkerEvent event) {
        String line = EventCodec.encode(event);
        assertTrue(line.startsWith("{\"event\":\""), line);
        assertEquals(-1, line.indexOf('\n'), "one line: " + line);
        assertEquals(event, EventCodec.decode(line));
    }

    @Test
    void theResultCodeAndFingerprint_travelAsANumberAndAString_andAreTyped() {
        String line = EventCodec.encode(new WorkerEvent.Check(0, new CheckResult(0, "unique-id", "unique-id", Map.of(),
                CheckStatus.FAILED, "rejected", 1, List.of(), Map.of(), Cause.NCCL_ERROR, NcclResultCode.of(5),
                UniqueIdFingerprint.of("00ff"))));
        assertTrue(line.contains("\"ncclResult\":5"), line);
        assertTrue(line.contains("\"fingerprint\":\"00ff\""), line);
        CheckResult read = ((WorkerEvent.Check) EventCodec.decode(line)).result();
        assertEquals(io.ncclffm.NcclResult.INVALID_USAGE, read.ncclResult().result());
        assertTrue(read.ncclResult().rejectedTheCall());
        assertEquals("ncclInvalidUsage (5)", read.ncclResult().toString());
        assertEquals("ncclResult_t 99", NcclResultCode.of(99).toString(), "a code of a newer release keeps its number");
        assertFalse(NcclResultCode.of(2).rejectedTheCall(), "a system error is no rejected call");
        assertNull(EventCodec.decode(line.replace("\"00ff\"", "\"not hex\"")), "a line with a malformed fingerprint is no event");
        assertThrows(IllegalArgumentException.class, () -> UniqueIdFingerprint.of("AA"));
    }

    @ParameterizedTest
    @MethodSource("events")
    void aLineCutShort_isNoEvent(WorkerEvent event) {
        String line = EventCodec.encode(event);
        assertNull(EventCodec.decode(line.substring(0, line.length() - 1)), "a killed rank's last line is kept in its log");
    }
}
