package io.ncclffm.harness.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PerfPointTest {

    @Test
    void busFactorFollowsNcclTestsTwoTimesNMinusOneOverN() {
        assertEquals(0.0, PerfPoint.busFactor(1));
        assertEquals(1.0, PerfPoint.busFactor(2));
        assertEquals(1.5, PerfPoint.busFactor(4));
        assertEquals(1.75, PerfPoint.busFactor(8));
    }

    @Test
    void busFactorRejectsAnEmptyWorld() {
        assertThrows(IllegalArgumentException.class, () -> PerfPoint.busFactor(0));
    }

    @Test
    void algorithmBandwidthIsBytesOverTimeInDecimalGigabytes() {
        // 1 GiB in 10 ms: 1073741824 B / 0.01 s = 107.37 GB/s; four ranks multiply by 1.5 for the bus.
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", "c", 4, 1L << 30, "float32", "in-place", "graph", 20, 10_000);
        assertEquals(107.3741824, p.algBwGBs(), 1e-9);
        assertEquals(161.0612736, p.busBwGBs(), 1e-9);
    }

    @Test
    void aZeroTimeGivesZeroBandwidthRatherThanInfinity() {
        PerfPoint p = PerfPoint.of("NCCL 2.28.9", "c", 2, 8, "float32", "in-place", "graph", 20, 0);
        assertEquals(0.0, p.algBwGBs());
        assertEquals(0.0, p.busBwGBs());
    }
}
