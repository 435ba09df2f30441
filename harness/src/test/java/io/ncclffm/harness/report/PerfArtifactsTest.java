package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
        PerfArtifacts a = PerfArtifacts.of(java, c, new Matrix.PerfPolicy(NcclVersion.of(2, 28, 3), 0.10),
                List.of(new io.ncclffm.harness.perf.InitPoint("NCCL 2.28.3", "java", 2, 512, 862L << 20)));
        assertEquals(List.of("busbw-w1.svg", "busbw-w2.svg", "busbw-w4.svg"), List.copyOf(a.charts().keySet()));
        assertTrue(a.overhead().meetsGoals(), "identical Java and C times meet the goals");
        assertTrue(!a.regressions().isEmpty(), "2.28.9 is 30% slower than the baseline: regressions found");
        assertTrue(a.regressionReport().contains("## NCCL 2.28.9: "), a.regressionReport());
        a.write(dir);
        for (String f : List.of("points.jsonl", "table.md", "busbw-w4.svg", "overhead.md", "regressions.md", "init.md")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(java.size() + c.size(), Files.readAllLines(dir.resolve("points.jsonl")).size());
    }

    /** {@code slowdown} applied to sizes up to 1 KiB only: the latency-bound points where single samples are noisy. */
    private static List<PerfPoint> slowSmall(List<PerfPoint> points, double slowdown) {
        return points.stream().map(p -> p.bytes() > 1024 ? p : PerfPoint.of(p.library(), p.source(), p.world(),
                p.bytes(), p.dtype(), p.placement(), p.mode(), p.iterations(), p.timeUs() * slowdown)).toList();
    }

    @Test
    void javaRegressionThatTheCBaselineDoesNotSee_isReportedButDoesNotCount() {
        List<PerfPoint> java = new ArrayList<>(sweep("NCCL 2.28.3", "java", 1.0));
        java.addAll(slowSmall(sweep("NCCL 2.28.9", "java", 1.0), 1.2));
        List<PerfPoint> c = new ArrayList<>(sweep("NCCL 2.28.3", "c", 1.0));
        c.addAll(sweep("NCCL 2.28.9", "c", 1.0));
        PerfArtifacts a = PerfArtifacts.of(java, c, new Matrix.PerfPolicy(NcclVersion.of(2, 28, 3), 0.10));
        assertEquals(List.of(), a.regressions(), a.regressionReport());
        assertTrue(a.regressionReport().contains("## NCCL 2.28.9: no regression, 80 not confirmed by the C baseline"),
                a.regressionReport());
        assertTrue(a.regressionReport().contains("java world 2 float32 out-of-place launch 8 B: time 6.00 µs -> 7.20 µs (+20.0%)"
                + ", NCCL 2.28.3 -> NCCL 2.28.9 [C: time 6.00 µs -> 6.00 µs (+0.0%)]"), a.regressionReport());
    }

    @Test
    void regressionSeenByJavaAndC_counts_andWithoutCEveryJavaRegressionCounts() {
        List<PerfPoint> java = new ArrayList<>(sweep("NCCL 2.28.3", "java", 1.0));
        java.addAll(slowSmall(sweep("NCCL 2.28.9", "java", 1.0), 1.2));
        List<PerfPoint> c = new ArrayList<>(sweep("NCCL 2.28.3", "c", 1.0));
        c.addAll(slowSmall(sweep("NCCL 2.28.9", "c", 1.0), 1.15));
        Matrix.PerfPolicy policy = new Matrix.PerfPolicy(NcclVersion.of(2, 28, 3), 0.10);
        PerfArtifacts both = PerfArtifacts.of(java, c, policy);
        // 3 worlds x 8 sizes (8 B .. 1 KiB) x 2 placements x 2 modes, less world 1 in place (NCCL launches nothing)
        assertEquals(80, both.regressions().size(), both.regressionReport());
        assertTrue(both.regressionReport().contains("; C: +15.0%"), both.regressionReport());
        PerfArtifacts javaOnly = PerfArtifacts.of(java, List.of(), policy);
        assertEquals(80, javaOnly.regressions().size(), javaOnly.regressionReport());
    }

    @Test
    void notJudgedWorlds_areLeftOutOfTheRegressionCheckWithTheReason() {
        List<PerfPoint> java = new ArrayList<>(sweep("NCCL 2.28.3", "java", 1.0));
        java.addAll(sweep("NCCL 2.28.9", "java", 1.3));
        Matrix.PerfPolicy policy = new Matrix.PerfPolicy(NcclVersion.of(2, 28, 3), 0.10, Set.of(2, 4),
                "ranks share one GPU through sockets");
        PerfArtifacts a = PerfArtifacts.of(java, List.of(), policy);
        assertTrue(a.regressions().stream().allMatch(r -> r.world() == 1), a.regressionReport());
        assertTrue(!a.regressions().isEmpty());
        assertTrue(a.regressionReport().contains("Not judged: world(s) 2, 4 (ranks share one GPU through sockets)."),
                a.regressionReport());
        assertTrue(a.charts().containsKey("busbw-w4.svg"), "still charted");
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
