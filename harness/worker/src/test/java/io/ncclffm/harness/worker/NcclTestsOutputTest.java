package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * nccl-tests' table, built here with the printf formats of its {@code src/common.cu} (v2.13+, whose Reporter prints
 * {@code redop} and {@code root} for every collective) and of the older per-collective {@code print_line_header}
 * (v2.0 to v2.12, no root column, {@code N/A} for an unchecked {@code #wrong}).
 */
class NcclTestsOutputTest {

    /** nccl-tests' time column: two decimals below 100 µs, one below 10 ms, none above. */
    private static String time(double us) {
        return String.format(Locale.ROOT, us >= 10000 ? "%7.0f" : us >= 100 ? "%7.1f" : "%7.2f", us);
    }

    /** A one-rank all_gather_perf run from 8 B to 256 MiB as v2.13+ prints it, with an NCCL INFO line mixed in. */
    static String allGatherOutput() {
        StringBuilder out = new StringBuilder();
        out.append("# nThread 1 nGpus 1 minBytes 8 maxBytes 268435456 step: 2(factor) warmup iters: 100 iters: 1000 agg iters: 1 validation: 0 graph: 0\n");
        out.append("#\n# Using devices\n");
        out.append("#  Rank  0 Group  0 Pid 412233 on    gpuhost device  0 [0x18] NVIDIA H200\n");
        out.append(String.format(Locale.ROOT, "# %10s  %12s  %8s  %6s  %6s           out-of-place                       in-place          %n",
                "", "", "", "", ""));
        out.append(String.format(Locale.ROOT, "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s %6s  %7s  %6s  %6s %6s%n",
                "size", "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong", "time", "algbw", "busbw", "#wrong"));
        out.append(String.format(Locale.ROOT, "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s  %5s  %7s  %6s  %6s  %5s%n",
                "(B)", "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)", "", "(us)", "(GB/s)", "(GB/s)", ""));
        for (long bytes = 8; bytes <= 256L << 20; bytes *= 2) {
            if (bytes == 1024) out.append("gpuhost:412233:412233 [0] NCCL INFO Channel 00/32 : 0\n");
            double oop = 4.9 + bytes / 2.0e6;
            double ip = 4.6 + bytes / 2.1e6;
            out.append(String.format(Locale.ROOT, "%12d  %12d  %8s  %6s  %6d", bytes, bytes / 4, "float", "none", -1));
            out.append(String.format(Locale.ROOT, "  %7s  %6.2f  %6.2f  %5d", time(oop), bytes / oop / 1e3, 0.0, -1));
            out.append(String.format(Locale.ROOT, "  %7s  %6.2f  %6.2f  %5d", time(ip), bytes / ip / 1e3, 0.0, -1));
            out.append("\n");
        }
        out.append("# Out of bounds values : 0 OK\n");
        out.append("# Avg bus bandwidth    : 0 \n");
        out.append("#\n\n");
        return out.toString();
    }

    @Test
    void aWholeRun_givesTwoPointsPerSize_asPrinted() {
        List<PerfPoint> points = NcclTestsOutput.points(allGatherOutput(), "NCCL 2.28.9", 1, Collective.ALL_GATHER, 1000);
        assertEquals(2 * 26, points.size());
        PerfPoint first = points.getFirst();
        assertEquals(new PerfPoint("NCCL 2.28.9", Source.NCCL_TESTS, 1, Collective.ALL_GATHER, 8, DataType.FLOAT32,
                Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000, 4.90, 0.00, 0.00, List.of(4.90), null, 0), first);
        assertEquals(Placement.IN_PLACE, points.get(1).placement());
        assertEquals(4.60, points.get(1).timeUs(), 1e-9);
        PerfPoint large = points.get(points.size() - 2);
        assertEquals(256L << 20, large.bytes());
        assertEquals(139.1, large.timeUs(), 1e-9);  // "  139.1": one decimal from 100 µs
        assertEquals(1929.56, large.algBwGBs(), 1e-9);
    }

    @Test
    void anOlderReleasesColumns_andItsNotApplicableWrongCount_areReadToo() {
        String older = String.join("\n",
                "# nThread 1 nGpus 1 minBytes 8 maxBytes 16 step: 2(factor) warmup iters: 5 iters: 20 validation: 0",
                "#",
                "#                                                       out-of-place                       in-place          ",
                "#       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error",
                "#        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       ",
                "           8             2   bfloat16            5.10    0.00    0.00    N/A     5.00    0.00    0.00    N/A",
                "          16             4   bfloat16           12.50    0.00    0.00    N/A    12.00    0.00    0.00    N/A",
                "# Out of bounds values : 0 OK",
                "# Avg bus bandwidth    : 0 ",
                "#");
        List<PerfPoint> points = NcclTestsOutput.points(older, "NCCL 2.28.3", 1, Collective.ALL_TO_ALL, 20);
        assertEquals(4, points.size());
        assertEquals(DataType.BFLOAT16, points.get(2).dtype());
        assertEquals(12.5, points.get(2).timeUs(), 1e-9);
        assertEquals(12.0, points.get(3).timeUs(), 1e-9);
    }

    @Test
    void aRowOfZeroBytes_asNcclTestsPrintsBelowOneElementPerRank_givesNoPoint() {
        String output = allGatherOutput().replaceFirst("(?m)^ +8 +2 +float",
                String.format(Locale.ROOT, "%12d  %12d  %8s", 0, 0, "float"));
        List<PerfPoint> points = NcclTestsOutput.points(output, "NCCL 2.28.3", 1, Collective.ALL_GATHER, 1000);
        assertEquals(2 * 25, points.size());
        assertTrue(points.stream().allMatch(p -> p.bytes() >= 16), "no point of 0 bytes: " + points.getFirst());
    }

    @Test
    void aRowWhoseNumbersDoNotParse_isRefusedNamingTheLine() {
        String broken = "# header\n           8             2     float     sum      -1     4.98    x.00    0.00      0     4.71    0.00    0.00      0\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NcclTestsOutput.points(broken, "NCCL 2.28.9", 1, Collective.ALL_REDUCE, 10));
        assertTrue(e.getMessage().startsWith("nccl-tests output line 2 is not a row of size, count, type"), e.getMessage());
    }

    @Test
    void outputWithoutRows_isRefusedSayingSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NcclTestsOutput.points(
                "# nThread 1 nGpus 1\nfailed to load libnccl.so.2\n", "NCCL 2.28.9", 1, Collective.BROADCAST, 10));
        assertEquals("no result rows in the nccl-tests output of broadcast (2 lines; rows start with the size in bytes)", e.getMessage());
    }

    @Test
    void theArguments_areNcclTestsOwnFlags() {
        assertEquals(List.of("-b", "8", "-e", "268435456", "-f", "2", "-g", "1", "-n", "1000", "-w", "100", "-d", "bfloat16", "-c", "0"),
                NcclTestsOutput.arguments(256L << 20, 1, 1000, 100, DataType.BFLOAT16));
        assertEquals("float", NcclTestsOutput.arguments(8, 1, 10, 2, DataType.FLOAT32).get(13));
        // a world of 4 is one process driving four GPUs, one per rank
        assertEquals(List.of("-g", "4"), NcclTestsOutput.arguments(8, 4, 10, 2, DataType.FLOAT32).subList(6, 8));
        assertEquals("nccl-tests -g takes at least 1 GPU, got 0",
                assertThrows(IllegalArgumentException.class, () -> NcclTestsOutput.arguments(8, 0, 10, 2, DataType.FLOAT32)).getMessage());
    }

    private static PerfPoint at(long bytes, Placement placement, double us) {
        return new PerfPoint("NCCL 2.28.9", Source.NCCL_TESTS, 1, Collective.BROADCAST, bytes, DataType.FLOAT32, placement, TimingMode.LAUNCH,
                1000, us, bytes / us / 1e3, bytes / us / 1e3, List.of(us), null, 0);
    }

    @Test
    void repeatedSmallRuns_keepTheMedianRunsPoint_withEveryRunsTimeAsTrials_andLeaveLargerSizesAlone() {
        List<PerfPoint> full = List.of(at(8, Placement.OUT_OF_PLACE, 5.10), at(8, Placement.IN_PLACE, 0.30), at(1 << 20, Placement.OUT_OF_PLACE, 9.0));
        List<PerfPoint> second = List.of(at(8, Placement.OUT_OF_PLACE, 6.20), at(8, Placement.IN_PLACE, 0.31));
        List<PerfPoint> third = List.of(at(8, Placement.OUT_OF_PLACE, 4.80), at(8, Placement.IN_PLACE, 0.29));
        List<PerfPoint> merged = NcclTestsOutput.withRepeats(full, List.of(second, third));
        assertEquals(3, merged.size());
        PerfPoint oop = merged.get(0);
        assertEquals(5.10, oop.timeUs(), "the median of 5.10, 6.20 and 4.80");
        assertEquals(8 / 5.10 / 1e3, oop.algBwGBs(), 1e-12, "the median run's own bandwidth");
        assertEquals(List.of(5.10, 6.20, 4.80), oop.trialsUs(), "every run's time, the full sweep's first");
        assertEquals(0.30, merged.get(1).timeUs());
        assertEquals(List.of(9.0), merged.get(2).trialsUs(), "a size the further runs did not reach keeps its one time");
    }

    @Test
    void typeNames_areNcclTestsOwn_bothWays() {
        assertEquals("float", NcclTestsOutput.typeName(DataType.FLOAT32));
        assertEquals("bfloat16", NcclTestsOutput.typeName(DataType.BFLOAT16));
        assertEquals(DataType.FLOAT32, NcclTestsOutput.dataType("float"));
    }
}
