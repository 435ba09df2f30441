package io.ncclffm.harness.perf.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.perf.render.NcclTestsMarkdown;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;
import io.ncclffm.harness.verdict.Verdict;

/** The overhead verdict: fail on a miss, pass naming what could not be judged, skip when nothing could be. */
class PerfVerdictsTest {

    /** {@code perf/overhead-vs-c} where no in-process table takes the small-message goal from it. */
    private static Verdict overheadAgainstC(OverheadSummary o) {
        return PerfVerdicts.overheadVerdict(o, PerfVerdicts.OVERHEAD, true, "no C baseline points were given (ncclffm.perf.c / --perf-c)");
    }


    /** Java and C points of one world from 8 B to {@code maxBytes}, Java {@code ratio} times slower from 8 B to 64 KiB. */
    private static List<PerfPoint> pair(int world, long maxBytes, double ratio) {
        List<PerfPoint> points = new ArrayList<>();
        for (long bytes = 8; bytes <= maxBytes; bytes *= 2) {
            double us = 5 + bytes / 1e5;
            points.add(PerfPoint.of("NCCL 2.28.3", Source.C, world, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10, us));
            points.add(PerfPoint.of("NCCL 2.28.3", Source.JAVA, world, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10,
                    bytes <= 64 << 10 ? us * ratio : us));
        }
        return points;
    }

    @Test
    void aWorldWhoseSweepStopsBelow64MiB_isNamedButDoesNotFailTheCheck() {
        List<PerfPoint> points = new ArrayList<>(pair(1, 128L << 20, 1.0));
        points.addAll(pair(2, 16L << 20, 1.0));
        Verdict v = overheadAgainstC(OverheadSummary.of(points));
        assertEquals(CheckStatus.PASSED, v.status(), v.message());
        assertTrue(v.message().contains("(1 of 2 rows complete); not judged: NCCL 2.28.3 world 2 float32 out-of-place "
                + "launch (no data from 64 MiB)"), v.message());
    }

    @Test
    void aMatrixThatSlowsABuildOnPurpose_passesWhenTheSlowdownIsFlagged_andFailsWhenItIsNot() {
        Regression r = new Regression("NCCL 2.28.3", "NCCL 2.28.3", Source.JAVA, 1,
                Collective.ALL_REDUCE, DataType.FLOAT32, 8, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, Regression.Metric.TIME_US,
                5.9, 36.4, 0.004, "perf-2.28.3", "perf-2.28.3-shim");
        Verdict flagged = PerfVerdicts.expectedRegressionVerdict(List.of(r));
        assertEquals(CheckStatus.PASSED, flagged.status());
        assertTrue(flagged.message().startsWith("1 regression(s) flagged, as the matrix expects"), flagged.message());
        assertTrue(flagged.message().contains("5.90 µs -> 36.40 µs"), flagged.message());
        Verdict unseen = PerfVerdicts.expectedRegressionVerdict(List.of());
        assertEquals(CheckStatus.FAILED, unseen.status());
        assertTrue(unseen.message().contains("the slowdown went unseen"), unseen.message());
    }

    @Test
    void aMiss_failsAndNamesTheRowAndItsRatios() {
        List<PerfPoint> points = new ArrayList<>(pair(1, 128L << 20, 1.2));
        Verdict v = overheadAgainstC(OverheadSummary.of(points));
        assertEquals(CheckStatus.FAILED, v.status(), v.message());
        assertTrue(v.message().startsWith("1 row(s) miss a goal"), v.message());
        assertTrue(v.message().contains("NCCL 2.28.3 world 1 float32 out-of-place launch (median from 8 B to 64 KiB over 14 size(s): 1.200, worst from 64 MiB: 1.000)"),
                v.message());
    }

    @Test
    void nothingJudgeable_isSkippedWithTheReason() {
        Verdict v = overheadAgainstC(OverheadSummary.of(pair(2, 1L << 20, 1.0)));
        assertEquals(CheckStatus.SKIPPED, v.status(), v.message());
        assertTrue(v.message().contains("could not be judged"), v.message());
        assertEquals(CheckStatus.SKIPPED, overheadAgainstC(null).status());
    }

    @Test
    void withAnInProcessLoop_smallMessagesAreJudgedThereAndNotAcrossProcesses() {
        List<PerfPoint> points = new ArrayList<>(pair(1, 128L << 20, 1.2));   // 20% over the separate C process at small sizes
        List<PerfPoint> inProcess = new ArrayList<>();
        for (PerfPoint p : points) {
            if (p.source().equals(Source.C)) {
                inProcess.add(PerfPoint.of(p.library(), Source.IN_PROCESS_C, p.world(), p.bytes(), p.dtype(), p.placement(),
                        p.mode(), p.iterations(), p.bytes() <= 64 << 10 ? p.timeUs() * 1.18 : p.timeUs()));
            }
        }
        points.addAll(inProcess);
        Verdict across = PerfVerdicts.overheadVerdict(OverheadSummary.of(points), "perf/overhead-vs-c", false, "none");
        assertEquals(CheckStatus.PASSED, across.status(), across.message());
        assertTrue(across.message().contains("small messages are judged in process"), across.message());
        Verdict within = PerfVerdicts.overheadVerdict(OverheadSummary.of(points, Source.IN_PROCESS_C),
                "perf/overhead-vs-c-in-process", true, "none");
        assertEquals(CheckStatus.PASSED, within.status(), within.message() + ": 1.2 / 1.18 is within 5%");
        assertTrue(within.message().startsWith("java/c-inproc <= 1.05 (median from 8 B to 64 KiB)"), within.message());
    }

    @Test
    void anInProcessMiss_fails() {
        List<PerfPoint> points = new ArrayList<>();
        for (PerfPoint p : pair(1, 128L << 20, 1.1)) {
            points.add(p.source().equals(Source.C) ? PerfPoint.of(p.library(), Source.IN_PROCESS_C, p.world(), p.bytes(), p.dtype(),
                    p.placement(), p.mode(), p.iterations(), p.timeUs()) : p);
        }
        Verdict v = PerfVerdicts.overheadVerdict(OverheadSummary.of(points, Source.IN_PROCESS_C),
                "perf/overhead-vs-c-in-process", true, "none");
        assertEquals(CheckStatus.FAILED, v.status(), v.message());
        assertTrue(v.message().contains("over 14 size(s): 1.100"), v.message());
    }

    /** Java and nccl-tests launch points of one one-rank allGather cell, Java {@code small} × slower at 8 B and {@code large} × at 64 MiB. */
    private static List<PerfPoint> vsNcclTests(double small, double large) {
        List<PerfPoint> points = new ArrayList<>();
        for (long bytes : new long[] {8, 4096, 64L << 20, 128L << 20}) {
            double us = 5 + bytes / 2e6;
            for (Placement placement : List.of(Placement.OUT_OF_PLACE, Placement.IN_PLACE)) {
                points.add(PerfPoint.of("NCCL 2.28.9", Source.NCCL_TESTS, 1, Collective.ALL_GATHER, bytes, DataType.BFLOAT16, placement, TimingMode.LAUNCH,
                        1000, us, List.of(us)).inCell("perf-2.28.9"));
                double factor = bytes == 8 ? small : bytes == 64L << 20 ? large : 1.0;
                // one rank in place does nothing, so its times say nothing and are left out
                if (placement.equals(Placement.IN_PLACE)) factor = 3.0;
                points.add(PerfPoint.of("NCCL 2.28.9", Source.JAVA, 1, Collective.ALL_GATHER, bytes, DataType.BFLOAT16, placement, TimingMode.LAUNCH,
                        1000, us * factor, List.of(us * factor)).inCell("perf-2.28.9"));
            }
        }
        return points;
    }

    private static Verdict ncclTestsVerdict(List<PerfPoint> points) {
        return PerfVerdicts.ncclTestsVerdict(points, NcclTestsComparison.of(points));
    }

    @Test
    void vsNcclTests_withinTheGoals_passes() {
        Verdict v = ncclTestsVerdict(vsNcclTests(1.04, 1.02));
        assertEquals(CheckStatus.PASSED, v.status(), v.message());
        assertEquals("perf/vs-nccl-tests", v.checkId());
        assertTrue(v.message().startsWith("3 row(s) meet the goals"), v.message());
    }

    @Test
    void vsNcclTests_aGatherThatNcclTestsStartsAt16Bytes_isJudgedThere() {
        List<PerfPoint> points = new ArrayList<>();
        for (long bytes : new long[] {8, 16, 32}) {
            double us = 5;
            if (bytes > 8) {
                points.add(PerfPoint.of("NCCL 2.28.3", Source.NCCL_TESTS, 1, Collective.ALL_GATHER, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                        TimingMode.LAUNCH, 1000, us, List.of(us)).inCell("perf-2.28.3"));
            }
            double java = bytes == 16 ? 6 : 5;
            points.add(PerfPoint.of("NCCL 2.28.3", Source.JAVA, 1, Collective.ALL_GATHER, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                    TimingMode.LAUNCH, 1000, java, List.of(java)).inCell("perf-2.28.3"));
        }
        NcclTestsComparison c = NcclTestsComparison.of(points);
        assertEquals(1, c.rows().size(), NcclTestsMarkdown.of(c));
        assertEquals(16, c.rows().getFirst().bytes());
        assertTrue(c.rows().getFirst().misses(), "6 µs against 5 µs at 16 B");
    }

    /** One 8-byte broadcast row: nccl-tests' separate runs at {@code runs} µs (the median kept), the binding at {@code binding}. */
    private static List<PerfPoint> smallRow(double binding, double... runs) {
        double[] sorted = runs.clone();
        java.util.Arrays.sort(sorted);
        List<Double> times = java.util.Arrays.stream(runs).boxed().toList();
        return List.of(
                PerfPoint.of("NCCL 2.28.9", Source.NCCL_TESTS, 1, Collective.BROADCAST, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                        sorted[(sorted.length - 1) / 2], times).inCell("perf-2.28.9"),
                PerfPoint.of("NCCL 2.28.9", Source.JAVA, 1, Collective.BROADCAST, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                        binding, List.of(binding)).inCell("perf-2.28.9"));
    }

    @Test
    void vsNcclTests_atTheSmallestSize_aMissMustBeBeyondNcclTestsSlowestRun() {
        // nccl-tests' own processes took 5.09, 5.60 and 4.90 µs: 5.80 µs is 1.139 x the median run, but within
        // 1.05 x the slowest one (5.88), so separate processes alone could make that difference
        var c = NcclTestsComparison.of(smallRow(5.80, 5.09, 5.60, 4.90));
        assertEquals("undecided", c.rows().getFirst().outcome(), NcclTestsMarkdown.of(c));
        Verdict v = PerfVerdicts.ncclTestsVerdict(smallRow(5.80, 5.09, 5.60, 4.90), c);
        assertEquals(CheckStatus.SKIPPED, v.status(), "one undecided row and nothing else: nothing was judged; " + v.message());
        assertTrue(v.message().contains("nccl-tests' 3 runs 4.90-5.60 µs"), v.message());
        // slower than every nccl-tests process by more than 5%: a miss
        var miss = NcclTestsComparison.of(smallRow(6.00, 5.09, 5.60, 4.90));
        assertEquals("misses", miss.rows().getFirst().outcome());
        assertEquals(CheckStatus.FAILED, PerfVerdicts.ncclTestsVerdict(smallRow(6.00, 5.09, 5.60, 4.90), miss).status());
        // within 5% of the median: ok, however far apart the runs were
        assertEquals("ok", NcclTestsComparison.of(smallRow(5.30, 5.09, 5.60, 4.90)).rows().getFirst().outcome());
        // with one run, the slowest run is the median: the plain 5% goal
        assertEquals("misses", NcclTestsComparison.of(smallRow(5.40, 5.09)).rows().getFirst().outcome());
    }

    @Test
    void vsNcclTests_aSlowRowWhoseOwnProcessIsAsSlowFromC_isPutDownToTheProcess() {
        // 2.28.9 allReduce float32 at 8 B on the H200: the binding 5.44 µs, nccl-tests' runs 4.62-4.93 µs, and the
        // same calls from C in the binding's process 5.38 µs
        List<PerfPoint> points = new ArrayList<>(smallRow(5.44, 4.63, 4.62, 4.93));
        points.add(PerfPoint.of("NCCL 2.28.9", Source.IN_PROCESS_C, 1, Collective.BROADCAST, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                5.38, List.of(5.38)).inCell("perf-2.28.9"));
        var c = NcclTestsComparison.of(points);
        assertEquals("process", c.rows().getFirst().outcome(), NcclTestsMarkdown.of(c));
        assertTrue(NcclTestsMarkdown.of(c).contains("| 5.38 |"), NcclTestsMarkdown.of(c));
        // without the in-process C point the same row misses: slower than every nccl-tests process by more than 5%
        assertEquals("misses", NcclTestsComparison.of(smallRow(5.44, 4.63, 4.62, 4.93)).rows().getFirst().outcome());
        // and with C in the process faster by more than 5%, it is the binding: a miss
        List<PerfPoint> slower = new ArrayList<>(smallRow(5.44, 4.63, 4.62, 4.93));
        slower.add(PerfPoint.of("NCCL 2.28.9", Source.IN_PROCESS_C, 1, Collective.BROADCAST, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                4.90, List.of(4.90)).inCell("perf-2.28.9"));
        assertEquals("misses", NcclTestsComparison.of(slower).rows().getFirst().outcome());
    }

    /**
     * 2.28.3 allReduce bfloat16 at 8 B on the H200: the binding 6.08 µs, C in its process 5.62 (1.082), nccl-tests' runs
     * 5.77, 4.66 and 4.56; and C's calls beside the binding's at the band's other sizes, the binding {@code band} × C.
     */
    private static List<PerfPoint> smallRowWithBand(double band) {
        List<PerfPoint> points = new ArrayList<>();
        points.add(PerfPoint.of("NCCL 2.28.3", Source.NCCL_TESTS, 1, Collective.ALL_REDUCE, 8, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                4.66, List.of(5.77, 4.66, 4.56)).inCell("perf-coll-2.28.3"));
        points.add(PerfPoint.of("NCCL 2.28.3", Source.JAVA, 1, Collective.ALL_REDUCE, 8, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                6.08, List.of(6.14, 6.08, 6.03)).inCell("perf-coll-2.28.3"));
        points.add(PerfPoint.of("NCCL 2.28.3", Source.IN_PROCESS_C, 1, Collective.ALL_REDUCE, 8, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                5.62, List.of(5.62, 5.61, 5.82)).inCell("perf-coll-2.28.3"));
        for (long bytes = 16; bytes <= 64 << 10; bytes *= 2) {
            points.add(PerfPoint.of("NCCL 2.28.3", Source.JAVA, 1, Collective.ALL_REDUCE, bytes, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                    5.6 * band, List.of(5.5 * band, 5.6 * band, 5.7 * band)).inCell("perf-coll-2.28.3"));
            points.add(PerfPoint.of("NCCL 2.28.3", Source.IN_PROCESS_C, 1, Collective.ALL_REDUCE, bytes, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                    5.6, List.of(5.5, 5.6, 5.7)).inCell("perf-coll-2.28.3"));
        }
        return points;
    }

    @Test
    void vsNcclTests_atTheSmallestSize_theBindingsOwnShareIsItsMedianOverTheBand_notOneSize() {
        // 8 B alone reads 1.082 x C; over the band's 14 sizes the binding costs 3%: the rest is the process's
        var c = NcclTestsComparison.of(smallRowWithBand(1.03));
        var row = c.rows().getFirst();
        assertEquals("process", row.outcome(), NcclTestsMarkdown.of(c));
        assertEquals(1.03, row.ownShare(), 1e-9);
        assertEquals(14, row.ownShareSizes());
        assertTrue(row.describe().contains("the binding's own share 1.030 × C (median from 8 B to 64 KiB, 14 size(s))"), row.describe());
        assertTrue(NcclTestsMarkdown.of(c).contains("| 1.030 × C (median from 8 B to 64 KiB, 14 size(s)) | process |"), NcclTestsMarkdown.of(c));
        // a binding that costs 6% per call at every small size: beyond nccl-tests' slowest run, and its own doing
        var miss = NcclTestsComparison.of(smallRowWithBand(1.06));
        assertEquals("misses", miss.rows().getFirst().outcome(), NcclTestsMarkdown.of(miss));
        Verdict v = PerfVerdicts.ncclTestsVerdict(smallRowWithBand(1.06), miss);
        assertEquals(CheckStatus.FAILED, v.status(), v.message());
        assertTrue(v.message().contains("the binding's own share 1.060 × C"), v.message());
    }

    /** One sendrecv bfloat16 row at 128 MiB from the H200 (µs per call): the binding, nccl-tests and, unless NaN, C in the binding's process. */
    private static List<PerfPoint> largeRow(double binding, double ncclTests, double cInProcess) {
        long bytes = 128L << 20;
        List<PerfPoint> points = new ArrayList<>(List.of(
                PerfPoint.of("NCCL 2.28.9", Source.NCCL_TESTS, 1, Collective.SEND_RECV, bytes, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                        ncclTests, List.of(ncclTests)).inCell("perf-coll-2.28.9"),
                PerfPoint.of("NCCL 2.28.9", Source.JAVA, 1, Collective.SEND_RECV, bytes, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10,
                        binding, List.of(binding)).inCell("perf-coll-2.28.9")));
        if (!Double.isNaN(cInProcess)) {
            points.add(PerfPoint.of("NCCL 2.28.9", Source.IN_PROCESS_C, 1, Collective.SEND_RECV, bytes, DataType.BFLOAT16, Placement.OUT_OF_PLACE, TimingMode.LAUNCH,
                    10, cInProcess, List.of(cInProcess)).inCell("perf-coll-2.28.9"));
        }
        return points;
    }

    @Test
    void vsNcclTests_from64MiB_aRowBelowTheFloorWhoseOwnProcessIsAsSlowFromC_isPutDownToTheProcess() {
        // the H200, 2.28.9: the binding 85.33 µs (1572.90 GB/s), nccl-tests 82.45 (1627.90), C in the binding's
        // process 87.00 (1542.65): 0.966 x nccl-tests, and faster than C beside it
        var c = NcclTestsComparison.of(largeRow(85.33, 82.45, 87.00));
        var row = c.rows().getFirst();
        assertEquals(NcclTestsComparison.Metric.ALG_BW, row.metric());
        assertEquals("process", row.outcome(), NcclTestsMarkdown.of(c));
        assertTrue(row.describe().contains("C in the binding's process 1542."), row.describe());
        // no miss; and with nothing else, nothing was judged
        Verdict v = PerfVerdicts.ncclTestsVerdict(largeRow(85.33, 82.45, 87.00), c);
        assertEquals(CheckStatus.SKIPPED, v.status(), v.message());
        assertTrue(v.message().contains("1 put down to the process"), v.message());
        // without C beside it, the same row misses the 0.97 floor
        assertEquals("misses", NcclTestsComparison.of(largeRow(85.33, 82.45, Double.NaN)).rows().getFirst().outcome());
        // with C in the process more than 1% faster than the binding, it is the binding: a miss
        assertEquals("misses", NcclTestsComparison.of(largeRow(85.33, 82.45, 84.00)).rows().getFirst().outcome());
        // within 1% of C (85.33 <= 1.01 x 84.60): put down to the process
        assertEquals("process", NcclTestsComparison.of(largeRow(85.33, 82.45, 84.60)).rows().getFirst().outcome());
        // at the floor or above, C does not matter: ok
        assertEquals("ok", NcclTestsComparison.of(largeRow(84.00, 82.45, 70.00)).rows().getFirst().outcome());
    }

    @Test
    void vsNcclTests_undecidedRows_areNamedInAPass() {
        List<PerfPoint> points = new ArrayList<>(vsNcclTests(1.0, 1.0));
        points.addAll(smallRow(5.80, 5.09, 5.60, 4.90));
        Verdict v = ncclTestsVerdict(points);
        assertEquals(CheckStatus.PASSED, v.status(), v.message());
        assertTrue(v.message().startsWith("3 row(s) meet the goals"), v.message());
        assertTrue(v.message().contains("1 undecided"), v.message());
        assertTrue(v.message().contains("broadcast float32 out-of-place 8 B"), v.message());
    }

    @Test
    void vsNcclTests_aMiss_failsNamingTheRow() {
        Verdict v = ncclTestsVerdict(vsNcclTests(1.10, 1.05));
        assertEquals(CheckStatus.FAILED, v.status(), v.message());
        assertTrue(v.message().startsWith("2 of 3 row(s) miss a goal"), v.message());
        assertTrue(v.message().contains("perf-2.28.9 (NCCL 2.28.9) world 1 allGather bfloat16 out-of-place 8 B: time 5.50 vs 5.00 µs (1.100)"),
                v.message());
        assertTrue(v.message().contains("allGather bfloat16 out-of-place 64 MiB: algbw "), v.message());
        assertTrue(v.message().contains("(0.952)"), v.message());
    }

    @Test
    void vsNcclTests_withoutNcclTestsPoints_isSkippedWithTheReason() {
        Verdict v = ncclTestsVerdict(pair(1, 128L << 20, 1.0));
        assertEquals(CheckStatus.SKIPPED, v.status(), v.message());
        assertTrue(v.message().startsWith("no nccl-tests points: set NCCLFFM_NCCL_TESTS"), v.message());
    }

    @Test
    void theReportsVerdicts_comeInTheReportsOrder_andSayWhatWasNotGiven() {
        List<Verdict> none = PerfVerdicts.of(new PerfFindings(List.of(), List.of(), List.of(), null, null, null,
                NcclTestsComparison.of(List.of()), false));
        assertEquals(List.of(PerfVerdicts.TABLE_AND_CHART, PerfVerdicts.OVERHEAD, PerfVerdicts.OVERHEAD_IN_PROCESS,
                PerfVerdicts.REGRESSION, PerfVerdicts.VS_NCCL_TESTS), none.stream().map(Verdict::checkId).toList());
        assertEquals(CheckStatus.BROKEN, none.get(0).status(), "perf cells that measured nothing are broken");
        assertEquals(List.of(CheckStatus.SKIPPED, CheckStatus.SKIPPED, CheckStatus.SKIPPED, CheckStatus.SKIPPED),
                none.subList(1, 5).stream().map(Verdict::status).toList());
        assertEquals("the matrix sets no perf.baseline", none.get(3).message());
    }

    @Test
    void aBaselineWithoutRegressions_passesNamingEveryCandidate() {
        Verdict regression = PerfVerdicts.regression(List.of(),
                List.of("perf-b (NCCL 2.28.9): no regression", "perf-c (NCCL 2.29.7): no regression"), false, List.of());
        assertEquals(CheckStatus.PASSED, regression.status());
        assertEquals("## perf-b (NCCL 2.28.9): no regression; ## perf-c (NCCL 2.29.7): no regression", regression.message());
    }

    @Test
    void aBaselineWithNoCandidateToCompare_isSkippedWithTheReason_neverPassed() {
        Verdict regression = PerfVerdicts.regression(List.of(), List.of(), false, List.of());
        assertEquals(CheckStatus.SKIPPED, regression.status());
        assertEquals("no perf cell besides the baseline measured anything to compare", regression.message());
        Verdict slowed = PerfVerdicts.regression(List.of(), List.of(), true, List.of());
        assertEquals(CheckStatus.SKIPPED, slowed.status(), "nor passed where a slowdown was expected");
    }

    @Test
    void aCandidateThatComparedNothing_failsTheCheck_evenBesideOnesThatPassed() {
        Verdict regression = PerfVerdicts.regression(List.of(),
                List.of("perf-b (NCCL 2.28.9): no regression in 0 measurement(s) compared", "perf-c (NCCL 2.29.7): no regression"),
                false, List.of("perf-b (NCCL 2.28.9): nothing was compared with the baseline"));
        assertEquals(CheckStatus.FAILED, regression.status());
        assertEquals("the regression check compared nothing for 1 candidate(s): perf-b (NCCL 2.28.9): nothing was compared "
                + "with the baseline", regression.message());
    }
}
