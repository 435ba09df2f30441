package io.ncclffm.harness.perf.judge;

import static io.ncclffm.harness.perf.judge.Points.NCCL_27;
import static io.ncclffm.harness.perf.judge.Points.NCCL_28;
import static io.ncclffm.harness.perf.judge.Points.c;
import static io.ncclffm.harness.perf.judge.Points.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.perf.judge.Regression.Metric;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

class RegressionCheckTest {

    private static final RegressionCheck TEN_PERCENT = RegressionCheck.withThreshold(0.10);
    private static final long GIB = 1L << 30;

    @Test
    void aSmallMessageTwentyPercentSlowerIsARegressionInTime() {
        List<Regression> found = TEN_PERCENT.compare(List.of(c(NCCL_27, 8, 10)), List.of(c(NCCL_28, 8, 12)));
        assertEquals(1, found.size());
        Regression r = found.getFirst();
        assertEquals(Metric.TIME_US, r.metric());
        assertEquals(10.0, r.baseline());
        assertEquals(12.0, r.candidate());
        assertEquals(0.20, r.change(), 1e-12);
        assertEquals(NCCL_27, r.baselineLibrary());
        assertEquals(NCCL_28, r.candidateLibrary());
        assertEquals(1.0 / 252, r.pValue(), 1e-12, "every candidate trial slower than every baseline trial");
        assertEquals("c world 2 allReduce float32 out-of-place launch 8 B: time 10.00 µs -> 12.00 µs (+20.0%, p=0.004), "
                + "NCCL 2.27.7 -> NCCL 2.28.9", r.describe());
    }

    /** A sweep of 8 B to 128 B at 10 µs, with the sizes given slowed to {@code slowUs}. */
    private static List<PerfPoint> sweep(String library, double slowUs, long... slowed) {
        List<Long> slow = java.util.Arrays.stream(slowed).boxed().toList();
        return java.util.stream.LongStream.of(8, 16, 32, 64, 128)
                .mapToObj(b -> c(library, b, slow.contains(b) ? slowUs : 10)).toList();
    }

    @Test
    void oneSizeSlowerAlone_asOneProcessOfAnAaPairCanBe_isIsolated_notARegression() {
        RegressionCheck.Comparison found = TEN_PERCENT.judge(sweep(NCCL_28, 10), sweep(NCCL_28, 11.5, 8));
        assertEquals(List.of(), found.regressions());
        assertEquals(1, found.isolated().size());
        assertEquals(8, found.isolated().getFirst().bytes());
    }

    @Test
    void twoNeighbouringSizes_areStillShortOfTheBand() {
        RegressionCheck.Comparison found = TEN_PERCENT.judge(sweep(NCCL_28, 10), sweep(NCCL_28, 12, 32, 64));
        assertEquals(List.of(), found.regressions());
        assertEquals(2, found.isolated().size());
    }

    @Test
    void threeNeighbouringSizes_makeABand_andCountEachOfThem() {
        RegressionCheck.Comparison found = TEN_PERCENT.judge(sweep(NCCL_28, 10), sweep(NCCL_28, 12, 8, 16, 32, 128));
        assertEquals(List.of(8L, 16L, 32L), found.regressions().stream().map(Regression::bytes).toList());
        assertEquals(List.of(128L), found.isolated().stream().map(Regression::bytes).toList(), "128 B is alone");
    }

    @Test
    void aSlowdownOfEverySmallSize_asATestShimAddsPerCall_isARegressionAtEverySize() {
        List<Regression> found = TEN_PERCENT.compare(sweep(NCCL_28, 10), sweep(NCCL_28, 40, 8, 16, 32, 64, 128));
        assertEquals(5, found.size());
    }

    @Test
    void aSeriesOfTwoSizesInARegime_needsBothToRegress() {
        List<PerfPoint> before = List.of(c(NCCL_27, 128L << 20, 100), c(NCCL_27, 256L << 20, 200));
        assertEquals(List.of(), TEN_PERCENT.compare(before, List.of(c(NCCL_28, 128L << 20, 130), c(NCCL_28, 256L << 20, 200))));
        assertEquals(2, TEN_PERCENT.compare(before, List.of(c(NCCL_28, 128L << 20, 130), c(NCCL_28, 256L << 20, 260))).size());
    }

    @Test
    void theSameChangeTheOtherWayIsAnImprovementNotARegression() {
        assertEquals(List.of(), TEN_PERCENT.compare(List.of(c(NCCL_28, 8, 12)), List.of(c(NCCL_27, 8, 10))));
        assertEquals(List.of(), TEN_PERCENT.compare(List.of(c(NCCL_28, GIB, 20_000)), List.of(c(NCCL_27, GIB, 10_000))));
    }

    @Test
    void aLargeMessageIsJudgedOnBusBandwidth() {
        // Twice the time at 1 GiB halves the bus bandwidth: 107.37 -> 53.69 GB/s with two ranks.
        List<Regression> found = TEN_PERCENT.compare(List.of(c(NCCL_27, GIB, 10_000)), List.of(c(NCCL_28, GIB, 20_000)));
        Regression r = found.getFirst();
        assertEquals(Metric.BUS_BANDWIDTH, r.metric());
        assertEquals(107.3741824, r.baseline(), 1e-9);
        assertEquals(53.6870912, r.candidate(), 1e-9);
        assertEquals(-0.5, r.change(), 1e-12);
    }

    @Test
    void changesWithinTheThresholdPass() {
        // 9% more time at 8 B, and 9% less bandwidth at 1 GiB (time * 1/0.91).
        List<PerfPoint> baseline = List.of(c(NCCL_27, 8, 10), c(NCCL_27, GIB, 10_000));
        List<PerfPoint> candidate = List.of(c(NCCL_28, 8, 10.9), c(NCCL_28, GIB, 10_000 / 0.91));
        assertEquals(List.of(), TEN_PERCENT.compare(baseline, candidate));
        assertEquals(2, RegressionCheck.withThreshold(0.05).compare(baseline, candidate).size());
    }

    @Test
    void aChangeBeyondTheThresholdWhoseTrialsOverlap_isNoise_notARegression() {
        // medians 10 -> 12 (+20%), but two of the baseline's trials are slower than three of the candidate's
        PerfPoint before = PerfPoint.ofTrials(NCCL_27, Source.C, 2, Collective.ALL_REDUCE, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH,
                20, List.of(9.0, 9.5, 10.0, 13.0, 14.0));
        PerfPoint after = PerfPoint.ofTrials(NCCL_28, Source.C, 2, Collective.ALL_REDUCE, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH,
                20, List.of(11.0, 11.5, 12.0, 12.5, 15.0));
        RegressionCheck.Comparison c = TEN_PERCENT.judge(List.of(before), List.of(after));
        assertEquals(List.of(), c.regressions());
        assertEquals(1, c.notSignificant().size());
        assertTrue(c.notSignificant().getFirst().pValue() > TrialComparison.ALPHA, c.notSignificant().toString());
    }

    @Test
    void aSignificantChangeWithinTheThreshold_isNotARegression() {
        // 5% slower in every trial: p = 1/252, but below the 10% floor
        assertEquals(List.of(), TEN_PERCENT.judge(List.of(c(NCCL_27, 8, 10)), List.of(c(NCCL_28, 8, 10.5))).notSignificant());
        assertEquals(List.of(), TEN_PERCENT.compare(List.of(c(NCCL_27, 8, 10)), List.of(c(NCCL_28, 8, 10.5))));
    }

    @Test
    void aPointWithItsMedianAlone_canNeverBeSignificant() {
        PerfPoint before = PerfPoint.of(NCCL_27, Source.C, 2, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 20, 10);
        PerfPoint after = PerfPoint.of(NCCL_28, Source.C, 2, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 20, 100);
        assertEquals(List.of(), TEN_PERCENT.compare(List.of(before), List.of(after)));
        assertEquals(1, TEN_PERCENT.judge(List.of(before), List.of(after)).notSignificant().size());
    }

    @Test
    void differentCollectivesOfOneSizeAreNotCompared() {
        PerfPoint gather = PerfPoint.ofTrials(NCCL_28, Source.C, 2, Collective.ALL_GATHER, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                TimingMode.LAUNCH, 20, List.of(50.0, 51.0, 52.0, 53.0, 54.0));
        assertEquals(List.of(), TEN_PERCENT.compare(List.of(c(NCCL_27, 8, 10)), List.of(gather)));
    }

    @Test
    void sixtyFourKibibytesIsStillJudgedOnTimeAndTheNextSizeOnBandwidth() {
        assertEquals(Metric.TIME_US, RegressionCheck.metricFor(c(NCCL_28, 64 << 10, 1)));
        assertEquals(Metric.BUS_BANDWIDTH, RegressionCheck.metricFor(c(NCCL_28, 128 << 10, 1)));
    }

    @Test
    void aOneRankWorldIsJudgedOnAlgorithmBandwidthBecauseItsBusBandwidthIsZero() {
        PerfPoint before = point(NCCL_27, Source.C, 1, GIB, Placement.IN_PLACE, TimingMode.LAUNCH, 1000);
        PerfPoint after = point(NCCL_28, Source.C, 1, GIB, Placement.IN_PLACE, TimingMode.LAUNCH, 1500);
        List<Regression> found = TEN_PERCENT.compare(List.of(before), List.of(after));
        assertEquals(Metric.ALGORITHM_BANDWIDTH, found.getFirst().metric());
    }

    @Test
    void onlyTheSameCollectiveIsCompared() {
        // Java against C, in-place against out-of-place and two ranks against four are different collectives.
        List<PerfPoint> baseline = List.of(c(NCCL_27, 8, 10));
        List<PerfPoint> candidate = List.of(
                point(NCCL_28, Source.JAVA, 2, 8, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 50),
                point(NCCL_28, Source.C, 2, 8, Placement.IN_PLACE, TimingMode.LAUNCH, 50),
                point(NCCL_28, Source.C, 4, 8, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 50),
                point(NCCL_28, Source.C, 2, 8, Placement.OUT_OF_PLACE, TimingMode.GRAPH, 50));
        assertEquals(List.of(), TEN_PERCENT.compare(baseline, candidate));
        assertEquals(baseline, TEN_PERCENT.missingFromCandidate(baseline, candidate));
    }

    @Test
    void regressionsComeInTheBaselinesOrder() {
        List<PerfPoint> baseline = List.of(c(NCCL_27, GIB, 10_000), c(NCCL_27, 8, 10), c(NCCL_27, 16, 10));
        List<PerfPoint> candidate = List.of(c(NCCL_28, 8, 20), c(NCCL_28, 16, 20), c(NCCL_28, GIB, 30_000));
        assertEquals(List.of(GIB, 8L, 16L),
                TEN_PERCENT.compare(baseline, candidate).stream().map(Regression::bytes).toList());
    }

    @Test
    void twoRunsOfOneCollectiveOnOneSideAreRejected() {
        List<PerfPoint> doubled = List.of(c(NCCL_27, 8, 10), c(NCCL_27, 8, 11));
        assertThrows(IllegalArgumentException.class, () -> TEN_PERCENT.compare(doubled, List.of()));
    }

    @Test
    void theThresholdIsAFractionNotAPercentage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegressionCheck.withThreshold(10));
        assertTrue(e.getMessage().contains("0.10 for 10%"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RegressionCheck.withThreshold(0));
        assertThrows(IllegalArgumentException.class, () -> RegressionCheck.withThreshold(Double.NaN));
    }
}
