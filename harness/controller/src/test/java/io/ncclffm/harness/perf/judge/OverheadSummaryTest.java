package io.ncclffm.harness.perf.judge;

import static io.ncclffm.harness.perf.judge.Points.NCCL_28;
import static io.ncclffm.harness.perf.judge.Points.c;
import static io.ncclffm.harness.perf.judge.Points.java;
import static io.ncclffm.harness.perf.judge.Points.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.perf.judge.OverheadSummary.Goal;
import io.ncclffm.harness.perf.judge.OverheadSummary.Overhead;
import io.ncclffm.harness.perf.render.OverheadMarkdown;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

class OverheadSummaryTest {

    private static final long MIB_64 = 64L << 20;
    private static final long MIB_128 = 128L << 20;

    @Test
    void aBindingWithinBothGoalsMeetsThem() {
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10.4), c(NCCL_28, 8, 10.0),
                java(NCCL_28, MIB_64, 1005), c(NCCL_28, MIB_64, 1000)));
        Overhead row = summary.rows().getFirst();
        assertEquals(1.04, row.smallMessageRatio().getAsDouble(), 1e-12);
        assertEquals(1.005, row.largeMessageWorstRatio().getAsDouble(), 1e-12);
        assertEquals(Goal.MEETS, row.smallMessageGoal());
        assertEquals(Goal.MEETS, row.largeMessageGoal());
        assertTrue(summary.meetsGoals());
        assertEquals(List.of(), summary.misses());
    }

    @Test
    void theGoalsAreInclusive() {
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10.5), c(NCCL_28, 8, 10.0),
                java(NCCL_28, MIB_64, 1010), c(NCCL_28, MIB_64, 1000)));
        assertTrue(summary.meetsGoals(), OverheadMarkdown.of(summary));
    }

    @Test
    void eightBytesSixPercentSlowerMissesTheSmallMessageGoal() {
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10.6), c(NCCL_28, 8, 10.0),
                java(NCCL_28, MIB_64, 1000), c(NCCL_28, MIB_64, 1000)));
        assertEquals(Goal.MISSES, summary.rows().getFirst().smallMessageGoal());
        assertFalse(summary.meetsGoals());
        assertEquals(1, summary.misses().size());
    }

    @Test
    void theSmallMessageGoalIsTheBandsMedian_soOneNoisySizeNeitherFailsNorHidesAConstantCost() {
        // 8 B alone 20% slower (a noisy size, as 8 B is from run to run); every other size of the band 1% slower
        List<PerfPoint> noisy = new java.util.ArrayList<>();
        for (long b = 8; b <= 64 << 10; b *= 2) {
            noisy.add(java(NCCL_28, b, b == 8 ? 12.0 : 10.1));
            noisy.add(c(NCCL_28, b, 10.0));
        }
        noisy.add(java(NCCL_28, MIB_64, 1000));
        noisy.add(c(NCCL_28, MIB_64, 1000));
        noisy.add(java(NCCL_28, 1 << 20, 50));   // above the band: not part of the median
        noisy.add(c(NCCL_28, 1 << 20, 10));
        Overhead row = OverheadSummary.of(noisy).rows().getFirst();
        assertEquals(1.01, row.smallMessageRatio().getAsDouble(), 1e-9);
        assertEquals(14, row.smallMessageSizes(), "8 B to 64 KiB, doubling");
        assertEquals(Goal.MEETS, row.smallMessageGoal());
        // a cost of 8% on every call shows at every size of the band
        List<PerfPoint> costly = new java.util.ArrayList<>();
        for (long b = 8; b <= 64 << 10; b *= 2) {
            costly.add(java(NCCL_28, b, b == 8 ? 9.9 : 10.8));
            costly.add(c(NCCL_28, b, 10.0));
        }
        Overhead slow = OverheadSummary.of(costly).rows().getFirst();
        assertEquals(Goal.MISSES, slow.smallMessageGoal(), "8 B alone would have met the goal");
        assertTrue(OverheadMarkdown.of(OverheadSummary.of(costly)).contains("1.080 over 14 size(s) (**misses**)"), OverheadMarkdown.of(OverheadSummary.of(costly)));
    }

    @Test
    void theWorstLargeSizeCountsNotTheAverage() {
        // 64 MiB is 0.5% slower, 128 MiB 3% slower: the mean (1.0175) would also miss, but the row must name 128 MiB.
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10), c(NCCL_28, 8, 10),
                java(NCCL_28, MIB_64, 1005), c(NCCL_28, MIB_64, 1000),
                java(NCCL_28, MIB_128, 2060), c(NCCL_28, MIB_128, 2000),
                java(NCCL_28, 1 << 20, 500), c(NCCL_28, 1 << 20, 100)));
        Overhead row = summary.rows().getFirst();
        assertEquals(1.03, row.largeMessageWorstRatio().getAsDouble(), 1e-12);
        assertEquals(MIB_128, row.largeMessageWorstBytes());
        assertEquals(Goal.MISSES, row.largeMessageGoal());
        assertTrue(OverheadMarkdown.of(summary).contains("1.030 at 128 MiB (**misses**)"), OverheadMarkdown.of(summary));
    }

    @Test
    void sizesBetweenTheTwoGoalsAreNotJudged() {
        // 1 MiB five times slower is neither the 8-byte nor the large-message goal's business.
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10), c(NCCL_28, 8, 10),
                java(NCCL_28, 1 << 20, 500), c(NCCL_28, 1 << 20, 100),
                java(NCCL_28, MIB_64, 1000), c(NCCL_28, MIB_64, 1000)));
        assertTrue(summary.meetsGoals());
    }

    @Test
    void withoutACounterpartThereIsNoVerdictAndNoPass() {
        OverheadSummary summary = OverheadSummary.of(List.of(java(NCCL_28, 8, 10), java(NCCL_28, MIB_64, 1000)));
        Overhead row = summary.rows().getFirst();
        assertEquals(Goal.NO_DATA, row.smallMessageGoal());
        assertEquals(Goal.NO_DATA, row.largeMessageGoal());
        assertFalse(summary.meetsGoals(), "nothing was shown, so nothing passes");
        assertEquals(List.of(), summary.misses(), "but nothing was missed either");
        assertTrue(OverheadMarkdown.of(summary).contains("no data"));
    }

    @Test
    void eachPlacementAndModeIsItsOwnRow() {
        OverheadSummary summary = OverheadSummary.of(List.of(
                java(NCCL_28, 8, 10), c(NCCL_28, 8, 10),
                point(NCCL_28, Source.JAVA, 2, 8, Placement.IN_PLACE, TimingMode.GRAPH, 7), point(NCCL_28, Source.C, 2, 8, Placement.IN_PLACE, TimingMode.GRAPH, 5)));
        assertEquals(2, summary.rows().size());
        assertEquals(Placement.IN_PLACE, summary.rows().get(1).placement());
        assertEquals(1.4, summary.rows().get(1).smallMessageRatio().getAsDouble(), 1e-12);
    }

    @Test
    void anUnknownSourceIsRejected() {
        // a point's source is typed: a source that is none of the known ones is refused where the text is read
        assertThrows(IllegalArgumentException.class, () -> Source.of("python"));
    }

    @Test
    void inProcess_eachSizeIsJudgedOnItsPairsOfTrials() {
        // the H200, 2.28.3 sendrecv bfloat16 at 64 MiB: trials spread 2.5% on both sides; the medians' ratio read 1.013,
        // a miss, while the pairs read 1.030, 0.999 and 0.985
        PerfPoint java = PerfPoint.ofTrials(NCCL_28, Source.JAVA, 1, Collective.SEND_RECV, MIB_64, DataType.BFLOAT16, Placement.OUT_OF_PLACE,
                TimingMode.LAUNCH, 10, List.of(42.42, 43.12, 41.24));
        PerfPoint c = PerfPoint.ofTrials(NCCL_28, Source.IN_PROCESS_C, 1, Collective.SEND_RECV, MIB_64, DataType.BFLOAT16, Placement.OUT_OF_PLACE,
                TimingMode.LAUNCH, 10, List.of(41.17, 43.14, 41.87));
        assertEquals(1.013, OverheadSummary.timeRatio(java, c), 1e-3);
        Overhead row = OverheadSummary.of(List.of(java, c), Source.IN_PROCESS_C).rows().getFirst();
        assertEquals(43.12 / 43.14, row.largeMessageWorstRatio().getAsDouble(), 1e-12);
        assertEquals(Goal.MEETS, row.largeMessageGoal());
        // against the separate C process the trials are no pairs: the medians' ratio, a miss
        PerfPoint separate = PerfPoint.ofTrials(NCCL_28, Source.C, 1, Collective.SEND_RECV, MIB_64, DataType.BFLOAT16, Placement.OUT_OF_PLACE,
                TimingMode.LAUNCH, 10, List.of(41.17, 43.14, 41.87));
        assertEquals(Goal.MISSES, OverheadSummary.of(List.of(java, separate)).rows().getFirst().largeMessageGoal());
    }

    @Test
    void inProcess_everyRunCounts_soTheTablesMedianRunsNeedNotBeOneProcess() {
        // two runs of one cell, the binding 0.5% over C in each, one run's process 10% slower than the other's
        List<PerfPoint> points = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            double level = run == 0 ? 1.0 : 1.1;
            points.add(PerfPoint.ofTrials(NCCL_28, Source.JAVA, 1, Collective.ALL_REDUCE, MIB_64, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                    TimingMode.LAUNCH, 10, List.of(35.175 * level, 35.175 * level)).inCell("perf", run));
            points.add(PerfPoint.ofTrials(NCCL_28, Source.IN_PROCESS_C, 1, Collective.ALL_REDUCE, MIB_64, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                    TimingMode.LAUNCH, 10, List.of(35.0 * level, 35.0 * level)).inCell("perf", run));
        }
        Overhead row = OverheadSummary.of(points, Source.IN_PROCESS_C).rows().getFirst();
        assertEquals(1.005, row.largeMessageWorstRatio().getAsDouble(), 1e-12);
        // the first run's Java against the second run's C would read 0.914, the other way round 1.105
    }
}
