package io.ncclffm.harness.perf.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/** The binding's share in its own process: trial by trial, pooled over runs, and its median over the small band. */
class InProcessRatiosTest {

    private static final String LIB = "NCCL 2.28.9";
    private static final long MIB_64 = 64L << 20;

    private static PerfPoint point(Source source, long bytes, int run, Double... trialsUs) {
        return PerfPoint.ofTrials(LIB, source, 1, Collective.ALL_GATHER, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 1000,
                List.of(trialsUs)).inCell("perf-coll-2.28.9", run);
    }

    @Test
    void theRatioAtASizeIsTheMedianPair_notTheRatioOfTheMedians() {
        // the H200, 2.28.9 allGather float32 at 8 B: the host's level moved between trials, under both sides alike
        PerfPoint java = point(Source.JAVA, 8, 0, 6.18, 4.98, 4.33);
        PerfPoint c = point(Source.IN_PROCESS_C, 8, 0, 5.82, 4.29, 4.22);
        assertEquals(1.161, OverheadSummary.timeRatio(java, c), 1e-3, "the ratio of the medians takes 4.98 against 4.29");
        InProcessRatios r = InProcessRatios.of(List.of(java, c));
        assertEquals(6.18 / 5.82, r.at(java).getAsDouble(), 1e-12, "pairs 1.062, 1.161 and 1.026: the median is 1.062");
    }

    @Test
    void everyRunsPairsArePooled_andARunsTrialsPairOnlyWithTheSameRunsTrials() {
        // two processes: the first at the host's low level, the second at its high one; each 2% over C in itself
        List<PerfPoint> points = List.of(
                point(Source.JAVA, MIB_64, 0, 4.08, 4.08, 4.08), point(Source.IN_PROCESS_C, MIB_64, 0, 4.0, 4.0, 4.0),
                point(Source.JAVA, MIB_64, 1, 6.12, 6.12, 6.12), point(Source.IN_PROCESS_C, MIB_64, 1, 6.0, 6.0, 6.0));
        assertEquals(1.02, InProcessRatios.of(points).at(points.getFirst()).getAsDouble(), 1e-12);
        // paired across runs (run 0's Java against run 1's C) it would read 0.68
    }

    @Test
    void aRunWithUnequalTrials_countsWithTheRatioOfItsMedians() {
        PerfPoint java = point(Source.JAVA, 8, 0, 5.0, 5.2, 5.1);
        PerfPoint c = point(Source.IN_PROCESS_C, 8, 0, 5.0);
        assertEquals(5.1 / 5.0, InProcessRatios.of(List.of(java, c)).at(java).getAsDouble(), 1e-12);
    }

    @Test
    void aSizeOneSideLacks_hasNoRatio_andThePerfBaselinesPointsAreLeftOut() {
        PerfPoint java = point(Source.JAVA, 8, 0, 5.0);
        PerfPoint baselineC = point(Source.IN_PROCESS_C, 8, 0, 2.5).asPairedBaseline();
        PerfPoint separateC = point(Source.C, 8, 0, 2.5);
        InProcessRatios r = InProcessRatios.of(List.of(java, baselineC, separateC));
        assertTrue(r.at(java).isEmpty());
        assertEquals(Map.of(), r.bySweep());
        assertNull(r.band(Sweep.of(java)));
    }

    @Test
    void twoPointsOfOneSideForOneRun_areRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> InProcessRatios.of(List.of(
                point(Source.JAVA, 8, 0, 5.0), point(Source.JAVA, 8, 0, 5.1))));
        assertTrue(e.getMessage().startsWith("two java points for one collective, size and run"), e.getMessage());
    }

    @Test
    void theBandIsTheMedianOverTheSizesFrom8BytesTo64KiB() {
        List<PerfPoint> points = new ArrayList<>();
        int sizes = 0;
        for (long bytes = 8; bytes <= MIB_64; bytes *= 2) {
            // 8 B 8% over C, every other size of the band 3%, and 64 MiB, outside the band, 20%
            double ratio = bytes == 8 ? 1.08 : bytes == MIB_64 ? 1.20 : 1.03;
            if (bytes > 64 << 10 && bytes < MIB_64) continue;
            sizes += bytes <= 64 << 10 ? 1 : 0;
            points.add(point(Source.JAVA, bytes, 0, 5.0 * ratio, 5.1 * ratio));
            points.add(point(Source.IN_PROCESS_C, bytes, 0, 5.0, 5.1));
        }
        InProcessRatios.Band band = InProcessRatios.of(points).band(Sweep.of(points.getFirst()));
        assertEquals(14, sizes);
        assertEquals(14, band.sizes());
        assertEquals(1.03, band.ratio(), 1e-12);
    }
}
