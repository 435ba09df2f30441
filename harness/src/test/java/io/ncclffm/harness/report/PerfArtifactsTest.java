package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.PerfPoint;

/** A whole perf run's points (two releases, Java and C, three worlds, both placements and modes) in one report. */
class PerfArtifactsTest {

    private static List<PerfPoint> sweep(String library, String source, double slowdown) {
        List<PerfPoint> points = new ArrayList<>();
        for (int world : new int[] {1, 2, 4}) {
            for (long bytes = 8; bytes <= (64L << 20); bytes *= 2) {
                for (String placement : List.of("out-of-place", "in-place")) {
                    for (String mode : List.of("launch", "graph")) {
                        double us = (mode.equals("graph") ? 1 : 6) + bytes / 2.0e5 * world;
                        points.add(PerfPoint.of(library, source, world, bytes, "float32", placement, mode, 10, us * slowdown));
                    }
                }
            }
        }
        return points;
    }

    @Test
    void fullRun_makesTableChartsOverheadAndRegressions(@TempDir Path dir) throws Exception {
        List<PerfPoint> java = new ArrayList<>(sweep("NCCL 2.28.3", "java", 1.0));
        java.addAll(sweep("NCCL 2.28.9", "java", 1.3));
        List<PerfPoint> c = new ArrayList<>(sweep("NCCL 2.28.3", "c", 1.0));
        c.addAll(sweep("NCCL 2.28.9", "c", 1.3));
        PerfArtifacts a = PerfArtifacts.of(java, c, new Matrix.PerfPolicy(NcclVersion.of(2, 28, 3), 0.10));
        assertEquals(List.of("busbw-w1.svg", "busbw-w2.svg", "busbw-w4.svg"), List.copyOf(a.charts().keySet()));
        assertTrue(a.overhead().meetsGoals(), "identical Java and C times meet the goals");
        assertTrue(!a.regressions().isEmpty(), "2.28.9 is 30% slower than the baseline: regressions found");
        assertTrue(a.regressionReport().contains("## NCCL 2.28.9: "), a.regressionReport());
        a.write(dir);
        for (String f : List.of("points.jsonl", "table.md", "busbw-w4.svg", "overhead.md", "regressions.md")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(java.size() + c.size(), Files.readAllLines(dir.resolve("points.jsonl")).size());
    }

    @Test
    void oneRankInPlace_isChartedButNotJudged_becauseNcclLaunchesNothing() {
        List<PerfPoint> java = new ArrayList<>(sweep("NCCL 2.28.3", "java", 1.0));
        // the binding's no-op calls three times slower than C's: a ratio of enqueue rates, not of data movement
        java.replaceAll(p -> p.world() == 1 && p.placement().equals("in-place")
                ? PerfPoint.of(p.library(), p.source(), 1, p.bytes(), p.dtype(), p.placement(), p.mode(), p.iterations(), p.timeUs() * 3)
                : p);
        PerfArtifacts a = PerfArtifacts.of(java, sweep("NCCL 2.28.3", "c", 1.0), null);
        assertTrue(a.overhead().meetsGoals(), a.overhead().markdown());
        assertTrue(a.table().contains("in-place"), "still in the table");
    }

    @Test
    void withoutBaselineOrPolicy_thereIsNoOverheadAndNoRegressionReport() {
        PerfArtifacts a = PerfArtifacts.of(sweep("NCCL 2.28.3", "java", 1.0), List.of(), null);
        assertEquals(null, a.overhead());
        assertEquals("", a.regressionReport());
        assertEquals(3, a.charts().size());
    }
}
