package io.ncclffm.harness.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.perf.render.InitMarkdown;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

class PerfJsonLinesTest {

    /**
     * Lines as perf/c-baseline/nccl_allreduce_bench prints them: the first point with every trial, the second as the
     * bench printed it before it kept trials (no collective, no trialsUs).
     */
    private static final List<String> C_BASELINE_OUTPUT = List.of(
            "{\"event\":\"init\",\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"rank\":0,"
                    + "\"initMs\":412.250,\"freeBeforeBytes\":80000000000,\"freeAfterBytes\":79000000000,"
                    + "\"commMemoryBytes\":1000000000,\"totalBytes\":85000000000}",
            "{\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"collective\":\"allReduce\",\"bytes\":8,"
                    + "\"dtype\":\"float32\",\"placement\":\"out-of-place\",\"mode\":\"launch\",\"iterations\":20,"
                    + "\"timeUs\":12.500,\"algBwGBs\":0.000640,\"busBwGBs\":0.000640,"
                    + "\"trialsUs\":[12.900,12.400,12.500,13.100,12.450]}",
            "",
            "{\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"bytes\":8,\"dtype\":\"float32\","
                    + "\"placement\":\"in-place\",\"mode\":\"graph\",\"iterations\":20,\"timeUs\":6.250,"
                    + "\"algBwGBs\":0.001280,\"busBwGBs\":0.001280}");

    @Test
    void pointLinesBecomePerfPointsAndEventLinesArePassedOver() {
        List<PerfPoint> points = PerfJsonLines.points(C_BASELINE_OUTPUT);
        assertEquals(2, points.size());
        assertEquals(PerfPoint.of("NCCL 2.28.9", Source.C, 2, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 20, 12.5).timeUs(),
                points.getFirst().timeUs());
        assertEquals(Placement.IN_PLACE, points.get(1).placement());
        assertEquals(0.00128, points.get(1).busBwGBs(), 1e-12);
    }

    @Test
    void theTrialsAreReadInTheOrderTaken_andALineWithoutThemReadsAsAnAllReduceWithNone() {
        List<PerfPoint> points = PerfJsonLines.points(C_BASELINE_OUTPUT);
        assertEquals(List.of(12.9, 12.4, 12.5, 13.1, 12.45), points.get(0).trialsUs());
        assertEquals(List.of(), points.get(1).trialsUs());
        assertEquals(Collective.ALL_REDUCE, points.get(1).collective());
    }

    @Test
    void theCBaselinesBandwidthAgreesWithPerfPointsOwnArithmetic() {
        PerfPoint read = PerfJsonLines.points(C_BASELINE_OUTPUT).getFirst();
        PerfPoint computed = PerfPoint.of(read.library(), read.source(), read.world(), read.bytes(), read.dtype(),
                read.placement(), read.mode(), read.iterations(), read.timeUs());
        assertEquals(computed.busBwGBs(), read.busBwGBs(), 1e-6);
    }

    @Test
    void aRenamedFieldIsAnErrorNotAZero() {
        String renamed = "{\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"bytes\":8,\"dtype\":\"float32\","
                + "\"placement\":\"in-place\",\"mode\":\"graph\",\"iterations\":20,\"timeUs\":6.25,"
                + "\"algBwGBs\":0.00128,\"busBandwidth\":0.00128}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerfJsonLines.points(List.of(renamed)));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void aLineWithoutTheTimeIsRejectedWithItsNumber() {
        String noTime = "{\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2,\"bytes\":8}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerfJsonLines.points(List.of("", noTime)));
        assertTrue(e.getMessage().contains("line 2 lacks 'timeUs'"), e.getMessage());
    }

    @Test
    void ncclsOwnDebugLinesOnStdout_arePassedOver_butOtherTextIsAnError() {
        // as NCCL_DEBUG=INFO printed them between the points on the H200 host (no NCCL_DEBUG_FILE)
        List<String> lines = new java.util.ArrayList<>(List.of(
                "vm:938:938 [0] NCCL INFO Bootstrap: Using eth0:192.0.2.2<0>",
                "vm:938:938 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/CUMEM"));
        lines.addAll(C_BASELINE_OUTPUT);
        assertEquals(2, PerfJsonLines.points(lines).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerfJsonLines.points(List.of("Segmentation fault (core dumped)")));
        assertTrue(e.getMessage().startsWith("line 1 is not a perf point"), e.getMessage());
    }

    @Test
    void theInitLineBecomesAnInitPoint_andTheTableShowsItPerRelease() {
        List<InitPoint> inits = PerfJsonLines.inits(C_BASELINE_OUTPUT);
        assertEquals(List.of(new InitPoint("NCCL 2.28.9", Source.C, 2, 412.25, 1_000_000_000L)), inits);
        String table = InitMarkdown.of(List.of(inits.getFirst(), new InitPoint("NCCL 2.28.9", Source.JAVA, 2, 380, 905_969_664L)));
        assertTrue(table.contains("| NCCL 2.28.9 | 2 | c | 412 | 953 MiB |"), table);
        assertTrue(table.contains("| NCCL 2.28.9 | 2 | java | 380 | 864 MiB |"), table);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PerfJsonLines.inits(List.of(
                "{\"event\":\"init\",\"library\":\"NCCL 2.28.9\",\"source\":\"c\",\"world\":2}")));
        assertTrue(e.getMessage().startsWith("init line 1 lacks 'initMs'"), e.getMessage());
    }
}
