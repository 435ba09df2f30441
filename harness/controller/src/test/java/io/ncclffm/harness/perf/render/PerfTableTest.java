package io.ncclffm.harness.perf.render;

import static io.ncclffm.harness.perf.judge.Points.NCCL_27;
import static io.ncclffm.harness.perf.judge.Points.NCCL_28;
import static io.ncclffm.harness.perf.judge.Points.c;
import static io.ncclffm.harness.perf.judge.Points.java;
import static io.ncclffm.harness.perf.judge.Points.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.perf.judge.OverheadSummary;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

class PerfTableTest {

    private static final List<PerfPoint> RUN = List.of(
            java(NCCL_28, 8, 10.5), c(NCCL_28, 8, 10.0),
            java(NCCL_28, 1L << 30, 20_200), c(NCCL_28, 1L << 30, 20_000),
            point(NCCL_28, Source.JAVA, 2, 8, Placement.IN_PLACE, TimingMode.GRAPH, 6.0),
            point(NCCL_28, Source.C, 2, 8, Placement.IN_PLACE, TimingMode.GRAPH, 5.0),
            java(NCCL_27, 8, 12.0));

    @Test
    void eachLibraryGetsItsOwnTableInTheOrderItFirstAppears() {
        List<String> headings = PerfTable.markdown(RUN).lines().filter(l -> l.startsWith("### ")).toList();
        assertEquals(List.of("### NCCL 2.28.9, world 2, allReduce float32", "### NCCL 2.27.7, world 2, allReduce float32"), headings);
    }

    @Test
    void columnsFollowNcclTestsOrderOutOfPlaceFirstLaunchBeforeGraph() {
        String header = PerfTable.markdown(RUN).lines().filter(l -> l.startsWith("| Size")).findFirst().orElseThrow();
        assertTrue(header.indexOf("out-of-place launch") < header.indexOf("in-place graph"), header);
        // Size plus four columns (time, algbw, busbw, ratio) for each of the two placement/mode pairs measured.
        assertEquals(1 + 4 * 2, cells(header).size());
        assertTrue(header.contains("algbw GB/s (java / c)") && header.contains("| java/c |"), header);
    }

    @Test
    void aRowShowsJavaAndCSideBySideWithTheirTimeRatio() {
        List<String> row = cells(rowOf(PerfTable.markdown(RUN), "8 B"));
        assertEquals(List.of("8 B", "10.50 / 10.00", "0.00 / 0.00", "0.00 / 0.00", "1.050", "6.00 / 5.00", "0.00 / 0.00",
                "0.00 / 0.00", "1.200"), row);
    }

    @Test
    void busBandwidthAtOneGibibyteIsComputedFromTheTime() {
        // 2^30 B / 0.0202 s = 53.156 GB/s for Java, 2^30 B / 0.02 s = 53.687 GB/s for C; two ranks have bus factor 1.
        List<String> row = cells(rowOf(PerfTable.markdown(RUN), "1 GiB"));
        assertEquals("53.16 / 53.69", row.get(2), "algbw");
        assertEquals("53.16 / 53.69", row.get(3), "busbw");
        assertEquals("1.010", row.get(4));
        assertEquals("— / —", row.get(5), "in-place graph was not measured at 1 GiB");
    }

    @Test
    void aMissingCRunShowsAsADashInsteadOfARatio() {
        String nccl27 = PerfTable.markdown(RUN).split("### NCCL 2.27.7")[1];
        assertEquals(List.of("8 B", "12.00 / —", "0.00 / —", "0.00 / —", "—"), cells(rowOf(nccl27, "8 B")));
    }

    @Test
    void everySourceThatMeasuredGetsItsSlot_andTheRatioDividesByTheInProcessLoop() {
        List<PerfPoint> run = List.of(java(NCCL_28, 8, 10.5), c(NCCL_28, 8, 9.0),
                point(NCCL_28, Source.IN_PROCESS_C, 2, 8, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10.0),
                point(NCCL_28, Source.NCCL_TESTS, 2, 8, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 11.0));
        String table = PerfTable.markdown(run);
        assertTrue(table.contains("time µs (java / c / c-inproc / nccl-tests)") && table.contains("| java/c-inproc |"), table);
        assertEquals(List.of("8 B", "10.50 / 9.00 / 10.00 / 11.00", "0.00 / 0.00 / 0.00 / 0.00", "0.00 / 0.00 / 0.00 / 0.00",
                "1.050"), cells(rowOf(table, "8 B")));
    }

    @Test
    void twoPointsForOneCellAreRejectedRatherThanOneSilentlyWinning() {
        List<PerfPoint> twice = List.of(java(NCCL_28, 8, 10), java(NCCL_28, 8, 11));
        assertThrows(IllegalArgumentException.class, () -> PerfTable.markdown(twice));
    }

    @Test
    void timeRatioIsJavaTimeOverCTime() {
        assertEquals(1.25, OverheadSummary.timeRatio(java(NCCL_28, 8, 12.5), c(NCCL_28, 8, 10)), 1e-12);
    }

    private static String rowOf(String markdown, String size) {
        return markdown.lines().filter(l -> l.startsWith("| " + size + " |")).findFirst().orElseThrow();
    }

    private static List<String> cells(String row) {
        String inner = row.substring(row.indexOf('|') + 1, row.lastIndexOf('|'));
        return Arrays.stream(inner.split("\\|")).map(String::trim).toList();
    }
}
