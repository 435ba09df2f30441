package io.ncclffm.harness.perf.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * The in-process comparison ({@code perf.pairing: in-process}) on a model of the H200 host it was made for: a small
 * call takes one of two levels, about 4.2 or 6.1 µs, and the level changes every few seconds, in every process, from
 * C as from Java. A comparison across processes reads a level as a release; a pair of trials taken one right after
 * the other shares it.
 */
class PairedComparisonTest {

    private static final RegressionCheck TEN_PERCENT = RegressionCheck.withThreshold(0.10);
    private static final String A = "perf-2.28.3-a";
    private static final String B = "perf-2.28.3-b";
    private static final String LIB = "NCCL 2.28.3";
    /** 8 B to 64 KiB: the launch-bound band, 14 sizes. */
    private static final List<Long> SIZES = java.util.stream.LongStream.iterate(8, b -> b <= (64 << 10), b -> b * 2).boxed().toList();
    private static final int RUNS = 3;
    private static final int TRIALS = 5;

    /**
     * The host's small-call level over one process's life, trial slot by slot: starts at {@code first} and switches
     * at the slots given, with 1% jitter per trial.
     */
    private static double[] host(long seed, int slots, double first, int... switchesAt) {
        Random r = new Random(seed);
        double[] at = new double[slots];
        double level = first;
        int next = 0;
        for (int i = 0; i < slots; i++) {
            if (next < switchesAt.length && switchesAt[next] == i) {
                level = level == 4.2 ? 6.1 : 4.2;
                next++;
            }
            at[i] = level * (1 + 0.01 * r.nextGaussian());
        }
        return at;
    }

    private static PerfPoint point(String cell, int run, long bytes, List<Double> trials) {
        return PerfPoint.ofTrials(LIB, Source.JAVA, 1, Collective.ALL_REDUCE, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH,
                1000, trials).inCell(cell, run);
    }

    /**
     * One candidate process's points, both sides, slot by slot as the worker takes them: trial {@code t} of a size is
     * two neighbouring slots, the baseline's first in even trials. {@code slower} scales the candidate's times.
     */
    private static void candidateProcess(List<PerfPoint> paired, List<PerfPoint> own, int run, double[] host, double slower) {
        int slot = 0;
        for (long bytes : SIZES) {
            List<Double> theirs = new ArrayList<>();
            List<Double> mine = new ArrayList<>();
            for (int t = 0; t < TRIALS; t++) {
                double first = host[slot++];
                double second = host[slot++];
                theirs.add(t % 2 == 0 ? first : second);
                mine.add((t % 2 == 0 ? second : first) * slower);
            }
            paired.add(point(B, run, bytes, theirs).asPairedBaseline());
            own.add(point(B, run, bytes, mine));
        }
    }

    /** One process of one cell alone (the baseline's own cell), its trials slot by slot. */
    private static List<PerfPoint> process(String cell, int run, double[] host) {
        List<PerfPoint> out = new ArrayList<>();
        int slot = 0;
        for (long bytes : SIZES) {
            List<Double> trials = new ArrayList<>();
            for (int t = 0; t < TRIALS; t++) trials.add(host[slot++]);
            out.add(point(cell, run, bytes, trials));
        }
        return out;
    }

    private static final int SLOTS = SIZES.size() * TRIALS * 2;

    @Test
    void aaOnAHostWhoseCallTimeSwitchesLevels_isFlaggedAcrossProcesses_andNotWhenPaired() {
        // As on the H200: the baseline's processes ran at the fast level, two of the candidate's three at the slow one
        // for most of their life; in the candidate's processes the level switched under both sides alike.
        List<PerfPoint> baselineCell = new ArrayList<>();
        List<PerfPoint> paired = new ArrayList<>();
        List<PerfPoint> own = new ArrayList<>();
        double[][] candidateHosts = {host(11, SLOTS, 6.1, 97), host(12, SLOTS, 6.1, 31, 57), host(13, SLOTS, 4.2)};
        for (int run = 1; run <= RUNS; run++) {
            baselineCell.addAll(process(A, run, host(run, SLOTS / 2, 4.2)));
            candidateProcess(paired, own, run, candidateHosts[run - 1], 1.0);
        }
        RegressionCheck.Comparison across = TEN_PERCENT.judge(MedianRun.of(baselineCell), MedianRun.of(own));
        assertTrue(across.regressions().size() >= RegressionCheck.BAND, "across processes a level reads as a release: " + across);

        RegressionCheck.Comparison inProcess = TEN_PERCENT.judgePaired(paired, own, A);
        assertEquals(List.of(), inProcess.regressions(), inProcess.toString());
        assertEquals(List.of(), inProcess.isolated(), inProcess.toString());
        assertEquals(List.of(), TEN_PERCENT.unpaired(paired, own));
    }

    @Test
    void aTwentyPercentSlowerCandidate_isFlaggedAtEverySize_onTheSameSwitchingHost() {
        List<PerfPoint> paired = new ArrayList<>();
        List<PerfPoint> own = new ArrayList<>();
        double[][] hosts = {host(21, SLOTS, 6.1, 97), host(22, SLOTS, 4.2, 31, 57), host(23, SLOTS, 4.2, 5)};
        for (int run = 1; run <= RUNS; run++) candidateProcess(paired, own, run, hosts[run - 1], 1.20);
        RegressionCheck.Comparison found = TEN_PERCENT.judgePaired(paired, own, A);
        assertEquals(SIZES, found.regressions().stream().map(Regression::bytes).toList(), found.toString());
        Regression r = found.regressions().getFirst();
        assertEquals(A, r.baselineCell(), "the baseline side is named by the baseline's cell");
        assertEquals(B, r.candidateCell());
        assertTrue(r.pValue() <= Math.pow(2, -RUNS * TRIALS) * 1.0001, "every one of the 15 pairs slower: p = 2^-15, got " + r.pValue());
        assertEquals(0.20, r.change(), 0.03);
    }

    @Test
    void eachSideIsEveryRunsTrialsPooled_andTheReportShowsTheirMedians() {
        List<PerfPoint> paired = new ArrayList<>();
        List<PerfPoint> own = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            paired.add(point(B, run, 8, List.of(10.0, 10.0, 10.0, 10.0, 10.0)).asPairedBaseline());
            own.add(point(B, run, 8, List.of(13.0, 12.0 + run, 13.0, 13.0, 13.0)));
        }
        Regression r = TEN_PERCENT.judgePaired(paired, own, A).regressions().getFirst();
        assertEquals(10.0, r.baseline());
        assertEquals(13.0, r.candidate(), 1e-9, "the baseline's median times the pairs' median ratio, 1.3");
        assertTrue(r.pValue() < 0.001, "15 pairs, all slower (tied ratios: the normal approximation): p=" + r.pValue());
    }

    @Test
    void onePairedRunOfFiveTrials_canNeverBeSignificant_howeverSlow() {
        List<PerfPoint> paired = new ArrayList<>();
        List<PerfPoint> own = new ArrayList<>();
        candidateProcess(paired, own, 1, host(31, SLOTS, 4.2), 2.0);
        RegressionCheck.Comparison found = TEN_PERCENT.judgePaired(paired, own, A);
        assertEquals(List.of(), found.regressions());
        assertEquals(SIZES.size(), found.notSignificant().size(), "5 pairs reach p = 1/32 at best, above alpha = 0.01");
        assertTrue(TrialComparison.MIN_PAIRS > TRIALS);
    }

    @Test
    void aCandidateMeasurementWithoutABaselinePair_isListedAsUnpaired_andNotCompared() {
        List<PerfPoint> paired = new ArrayList<>();
        List<PerfPoint> own = new ArrayList<>();
        candidateProcess(paired, own, 1, host(41, SLOTS, 4.2), 1.0);
        List<PerfPoint> lacking = paired.stream().filter(p -> p.bytes() != 8).toList();
        List<PerfPoint> unpaired = TEN_PERCENT.unpaired(lacking, own);
        assertEquals(List.of(8L), unpaired.stream().map(PerfPoint::bytes).toList());
        assertEquals(List.of(), TEN_PERCENT.unpaired(paired, own));
        assertEquals(own.size(), TEN_PERCENT.unpaired(List.of(), own).size(), "a candidate timed alone has nothing paired");
    }

    @Test
    void pairsOfUnequalTrialCounts_areRefused_namingTheRun() {
        List<PerfPoint> paired = List.of(point(B, 2, 8, List.of(5.0, 5.0, 5.0)).asPairedBaseline());
        List<PerfPoint> own = List.of(point(B, 2, 8, List.of(5.0, 5.0, 5.0, 5.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TEN_PERCENT.judgePaired(paired, own, A));
        assertTrue(e.getMessage().startsWith("run 2 of perf-2.28.3-b paired 3 baseline trial(s) with 4 of its own"), e.getMessage());
    }

    @Test
    void twoPointsOfOneMeasurementInOneRun_areRefused() {
        List<PerfPoint> twice = List.of(point(B, 1, 8, List.of(5.0)), point(B, 1, 8, List.of(6.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TEN_PERCENT.judgePaired(List.of(), twice, A));
        assertTrue(e.getMessage().startsWith("the candidate holds two points for one collective in run 1"), e.getMessage());
    }

    @Test
    void aPValueBelowOneInAThousand_isWrittenWithItsDigits_notAsZero() {
        assertEquals("3.1e-05", Regression.p(Math.pow(2, -15)));
        assertEquals("0.004", Regression.p(1.0 / 252));
    }
}
