package io.ncclffm.harness.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.DataType;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.perf.judge.OverheadSummary;
import io.ncclffm.harness.perf.judge.Regression;
import io.ncclffm.harness.perf.render.OverheadMarkdown;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * A whole perf run's points (two cells, Java and the in-process C loop, three worlds, both placements and modes) in
 * one report, and the regression rule on noisy trials: A/A never flags, a real slowdown does.
 */
class PerfAnalysisTest {

    /** The report of these points as a matrix run makes it, read the way the assertions ask. */
    private record Artifacts(PerfReport report) {

        static Artifacts of(List<PerfPoint> measured, List<PerfPoint> c, Matrix.PerfPolicy policy) {
            return of(measured, c, policy, List.of());
        }

        static Artifacts of(List<PerfPoint> measured, List<PerfPoint> c, Matrix.PerfPolicy policy, List<InitPoint> inits) {
            return new Artifacts(PerfAnalysis.of(measured, inits, new CBaseline(c, List.of()), policy));
        }

        List<Regression> regressions() {
            return report.findings().regressions();
        }

        String regressionReport() {
            return report.files().getOrDefault("regressions.md", "");
        }

        List<String> uncompared() {
            return report.findings().regression().uncompared();
        }

        OverheadSummary overhead() {
            return report.findings().overhead();
        }

        String table() {
            return report.files().get("table.md");
        }

        java.util.Map<String, String> charts() {
            java.util.Map<String, String> charts = new java.util.LinkedHashMap<>();
            report.files().forEach((name, svg) -> {
                if (name.endsWith(".svg")) charts.put(name, svg);
            });
            return charts;
        }

        List<PerfPoint> points() {
            return report.findings().points();
        }

        List<PerfPoint> measured() {
            return report.findings().measured();
        }

        void write(Path dir) throws java.io.IOException {
            report.write(dir);
        }
    }


    private static final String A = "perf-2.28.3-a";
    private static final String B = "perf-2.28.9-b";
    private static final Matrix.PerfPolicy POLICY = new Matrix.PerfPolicy(A, Set.of(A), 0.10);

    /** Five trials 1% apart around {@code us}: tight, and every one of them moves with a slowdown. */
    private static List<Double> tight(double us) {
        return List.of(us * 0.98, us * 0.99, us, us * 1.01, us * 1.02);
    }

    private static List<PerfPoint> sweep(String cell, String library, Source source, DoubleUnaryOperator slow) {
        List<PerfPoint> points = new ArrayList<>();
        for (int world : new int[] {1, 2, 4}) {
            for (long bytes = 8; bytes <= (64L << 20); bytes *= 2) {
                for (Placement placement : List.of(Placement.OUT_OF_PLACE, Placement.IN_PLACE)) {
                    for (TimingMode mode : source.equals(Source.IN_PROCESS_C) ? List.of(TimingMode.LAUNCH) : List.of(TimingMode.LAUNCH, TimingMode.GRAPH)) {
                        double us = (mode.equals(TimingMode.GRAPH) ? 1 : 6) + bytes / 2.0e5 * world;
                        long b = bytes;
                        List<Double> trials = tight(us).stream().map(t -> b <= 1024 ? slow.applyAsDouble(t) : t).toList();
                        points.add(PerfPoint.ofTrials(library, source, world, Collective.ALL_REDUCE, bytes, DataType.FLOAT32,
                                placement, mode, 10, trials).inCell(cell));
                    }
                }
            }
        }
        return points;
    }

    private static List<PerfPoint> run(DoubleUnaryOperator javaSlowdown, DoubleUnaryOperator cSlowdown) {
        List<PerfPoint> points = new ArrayList<>(sweep(A, "NCCL 2.28.3", Source.JAVA, t -> t));
        points.addAll(sweep(A, "NCCL 2.28.3", Source.IN_PROCESS_C, t -> t));
        points.addAll(sweep(B, "NCCL 2.28.9", Source.JAVA, javaSlowdown));
        points.addAll(sweep(B, "NCCL 2.28.9", Source.IN_PROCESS_C, cSlowdown));
        return points;
    }

    @Test
    void fullRun_makesTableChartsOverheadAndRegressions(@TempDir Path dir) throws Exception {
        List<PerfPoint> points = run(t -> t * 1.3, t -> t * 1.3);
        // the separate C process knows no cell: its points are paired with every cell of their library and world
        List<PerfPoint> c = points.stream().filter(p -> p.source().equals(Source.JAVA))
                .map(p -> PerfPoint.of(p.library(), Source.C, p.world(), p.bytes(), p.dtype(), p.placement(), p.mode(), 10, p.timeUs()))
                .toList();
        Artifacts a = Artifacts.of(points, c, POLICY,
                List.of(new InitPoint("NCCL 2.28.3", Source.JAVA, 2, 512, 862L << 20)));
        assertEquals(List.of("busbw-w1.svg", "busbw-w2.svg", "busbw-w4.svg"), List.copyOf(a.charts().keySet()));
        assertTrue(a.overhead().meetsGoals(), OverheadMarkdown.of(a.overhead()));
        assertTrue(a.overhead().rows().stream().allMatch(r -> r.cell() != null), "C rows carry the cell they pair with");
        assertEquals(80, a.regressions().size(), a.regressionReport());
        assertTrue(a.regressionReport().contains("## perf-2.28.9-b (NCCL 2.28.9): 80 regression(s)"), a.regressionReport());
        assertTrue(a.table().contains("### perf-2.28.9-b (NCCL 2.28.9), world 2, allReduce float32"), a.table());
        a.write(dir);
        for (String f : List.of("points.jsonl", "table.md", "busbw-w4.svg", "overhead.md", "regressions.md", "init.md")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(points.size() + c.size(), Files.readAllLines(dir.resolve("points.jsonl")).size(),
                "every Java and C-loop point, and the C process's points once per cell of their library (one each here)");
        String written = Files.readString(dir.resolve("points.jsonl"));
        assertTrue(written.contains("\"trialsUs\":[5.88") && written.contains("\"cell\":\"perf-2.28.3-a\""), written.lines().findFirst().orElse(""));
    }

    @Test
    void javaRegressionThatTheCLoopDoesNotSee_isReportedButDoesNotCount() {
        Artifacts a = Artifacts.of(run(t -> t * 1.2, t -> t), List.of(), POLICY);
        assertEquals(List.of(), a.regressions(), a.regressionReport());
        assertTrue(a.regressionReport().contains("## perf-2.28.9-b (NCCL 2.28.9): no regression in 240 measurement(s) compared, 80 not confirmed by the "
                + "in-process C loop"), a.regressionReport());
        assertTrue(a.regressionReport().contains("- java world 2 allReduce float32 out-of-place launch 8 B: time 6.00 µs -> "
                + "7.20 µs (+20.0%, p=0.004), perf-2.28.3-a (NCCL 2.28.3) -> perf-2.28.9-b (NCCL 2.28.9) [C: time 6.00 µs "
                + "-> 6.00 µs (+0.0%, p=0.542)]"), a.regressionReport());
    }

    @Test
    void regressionSeenByJavaAndTheCLoop_counts_graphRowsConfirmedByCsLaunchRow() {
        Artifacts a = Artifacts.of(run(t -> t * 1.2, t -> t * 1.15), List.of(), POLICY);
        // 3 worlds x 8 sizes (8 B .. 1 KiB) x 2 placements x 2 modes, less world 1 in place (NCCL launches nothing)
        assertEquals(80, a.regressions().size(), a.regressionReport());
        assertTrue(a.regressions().stream().anyMatch(r -> r.mode().equals(TimingMode.GRAPH)), "graph rows are confirmed too");
        assertTrue(a.regressionReport().contains("; C: +15.0% (p=0.004)"), a.regressionReport());
    }

    @Test
    void withoutTheCLoop_nothingIsConfirmed_andTheReportSaysWhatIsMissing() {
        List<PerfPoint> javaOnly = run(t -> t * 1.2, t -> t).stream().filter(p -> p.source().equals(Source.JAVA)).toList();
        Artifacts a = Artifacts.of(javaOnly, List.of(), POLICY);
        assertEquals(List.of(), a.regressions());
        assertTrue(a.regressionReport().contains("[C: not measured (set NCCLFFM_PERF_C_LOOP)]"), a.regressionReport());
    }

    @Test
    void notJudgedWorlds_areLeftOutOfTheRegressionCheckWithTheReason() {
        Matrix.PerfPolicy policy = new Matrix.PerfPolicy(A, Set.of(A), 0.10, Set.of(2, 4), "ranks share one GPU through sockets", null);
        Artifacts a = Artifacts.of(run(t -> t * 1.3, t -> t * 1.3), List.of(), policy);
        assertTrue(a.regressions().stream().allMatch(r -> r.world() == 1), a.regressionReport());
        assertTrue(!a.regressions().isEmpty());
        assertTrue(a.regressionReport().contains("Not judged: world(s) 2, 4 (ranks share one GPU through sockets)."),
                a.regressionReport());
        assertTrue(a.charts().containsKey("busbw-w4.svg"), "still charted");
    }

    @Test
    void oneRankInPlace_isChartedButNotJudged_becauseNcclLaunchesNothing() {
        List<PerfPoint> java = new ArrayList<>(sweep(A, "NCCL 2.28.3", Source.JAVA, t -> t));
        // the binding's no-op calls three times slower than C's: a ratio of enqueue rates, not of data movement
        java.replaceAll(p -> p.world() == 1 && p.placement().equals(Placement.IN_PLACE)
                ? PerfPoint.of(p.library(), p.source(), 1, p.bytes(), p.dtype(), p.placement(), p.mode(), p.iterations(), p.timeUs() * 3).inCell(A)
                : p);
        List<PerfPoint> c = sweep(A, "NCCL 2.28.3", Source.JAVA, t -> t).stream()
                .map(p -> PerfPoint.of(p.library(), Source.C, p.world(), p.bytes(), p.dtype(), p.placement(), p.mode(), 10, p.timeUs()))
                .toList();
        Artifacts a = Artifacts.of(java, c, null);
        assertTrue(a.overhead().meetsGoals(), OverheadMarkdown.of(a.overhead()));
        assertTrue(a.table().contains("in-place"), "still in the table");
    }

    @Test
    void withoutBaselineOrPolicy_thereIsNoOverheadAndNoRegressionReport() {
        Artifacts a = Artifacts.of(sweep(A, "NCCL 2.28.3", Source.JAVA, t -> t), List.of(), null);
        assertEquals(null, a.overhead());
        assertEquals("", a.regressionReport());
        assertEquals(3, a.charts().size());
    }

    // --- the rule on noisy trials -------------------------------------------------------------------------------

    /** Five trials of a world-1 call taking {@code us}, each up to 25% slower at random, as 8-byte calls measure. */
    private static List<Double> noisy(Random rng, double us) {
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < 5; i++) t.add(us * (1 + 0.25 * rng.nextDouble()));
        return t;
    }

    /** One world-1 cell: Java and the C loop, 8 B to 64 KiB out of place, launched and (Java) replayed. */
    private static List<PerfPoint> noisyCell(Random rng, String cell, double shiftUs) {
        return noisyCell(rng, cell, shiftUs, 0);
    }

    /**
     * The same, in a process that is, at each size with probability {@code blip}, 15% slower at that size for its
     * whole life, through the binding and C alike (one process of an A/A pair on the H200: 8 B at 6.49 µs against
     * 5.65 µs, C +13.2%, every trial, the neighbouring sizes unchanged).
     */
    private static List<PerfPoint> noisyCell(Random rng, String cell, double shiftUs, double blip) {
        List<PerfPoint> points = new ArrayList<>();
        for (long bytes = 8; bytes <= (64L << 10); bytes *= 2) {
            double us = (5 + bytes / 1.0e5) * (rng.nextDouble() < blip ? 1.15 : 1);
            for (Source source : List.of(Source.JAVA, Source.IN_PROCESS_C)) {
                for (TimingMode mode : source.equals(Source.JAVA) ? List.of(TimingMode.LAUNCH, TimingMode.GRAPH) : List.of(TimingMode.LAUNCH)) {
                    List<Double> trials = noisy(rng, us).stream().map(t -> t + shiftUs).toList();
                    points.add(PerfPoint.ofTrials("NCCL 2.28.3", source, 1, Collective.ALL_REDUCE, bytes, DataType.FLOAT32,
                            Placement.OUT_OF_PLACE, mode, 1000, trials).inCell(cell));
                }
            }
        }
        return points;
    }

    @Test
    void aa_oneBuildAsTwoCells_neverFlagsARegression_overManyNoisyRuns() {
        Random rng = new Random(20250611);
        Matrix.PerfPolicy aa = new Matrix.PerfPolicy("perf-2.28.3-a", Set.of("perf-2.28.3-a"), 0.10);
        int runs = 500;
        int alone = 0;
        for (int i = 0; i < runs; i++) {
            List<PerfPoint> points = new ArrayList<>(noisyCell(rng, "perf-2.28.3-a", 0, 0.05));
            points.addAll(noisyCell(rng, "perf-2.28.3-b", 0, 0.05));
            Artifacts a = Artifacts.of(points, List.of(), aa);
            assertEquals(List.of(), a.regressions(), "A/A run " + i + " flagged: " + a.regressionReport());
            if (a.regressionReport().contains("stand alone")) alone++;
        }
        // 500 runs x 14 sizes: a process slower at one size, C included, passes the rank test and C's confirmation
        // (the blips are drawn to do so); only the band of neighbouring sizes tells it from a slower release
        assertTrue(alone > 0, "the draws hold one-size slowdowns that C confirms, as the H200's A/A pair did");
    }

    @Test
    void aShiftOfThirtyMicrosecondsOnFiveMicrosecondCalls_isFlaggedAtEverySizeDespiteTheNoise() {
        Random rng = new Random(7);
        List<PerfPoint> points = new ArrayList<>(noisyCell(rng, "perf-2.28.3", 0));
        points.addAll(noisyCell(rng, "perf-2.28.3-shim", 30));
        Artifacts a = Artifacts.of(points, List.of(), new Matrix.PerfPolicy("perf-2.28.3", Set.of("perf-2.28.3"), 0.10));
        List<Regression> launches = a.regressions().stream().filter(r -> r.mode().equals(TimingMode.LAUNCH)).toList();
        assertEquals(14, launches.size(), a.regressionReport());   // 8 B .. 64 KiB
        assertTrue(launches.stream().allMatch(r -> r.change() > 4 && r.pValue() < 0.005), a.regressionReport());
    }

    // --- several runs of each cell --------------------------------------------------------------------------------

    /**
     * One run (process) of a world-1 cell, {@code whole} × slower from 4 KiB through the binding and C alike for its
     * whole life, as one process of the H200's A/A pair was (+25% at 4 KiB to 8 MiB, C -20% in bandwidth).
     */
    private static List<PerfPoint> noisyRun(Random rng, String cell, int run, double shiftUs, double whole) {
        return noisyCell(rng, cell, shiftUs).stream().map(p -> {
            if (p.bytes() < 4096 || whole == 1) return p.inCell(cell, run);
            List<Double> trials = p.trialsUs().stream().map(t -> t * whole).toList();
            return PerfPoint.ofTrials(p.library(), p.source(), p.world(), p.collective(), p.bytes(), p.dtype(),
                    p.placement(), p.mode(), p.iterations(), trials).inCell(cell, run);
        }).toList();
    }

    private static final Matrix.PerfPolicy AA = new Matrix.PerfPolicy("perf-2.28.3-a", Set.of("perf-2.28.3-a"), 0.10);

    @Test
    void aa_oneProcessSlowerAsAWhole_isFlaggedWithOneRun_andOutvotedByTheOtherRuns() {
        Random rng = new Random(20261201);
        // one run each, the candidate's process slower from 4 KiB: the rank test, C's confirmation and the band all
        // hold, and nothing in one pair of processes tells it from a slower release
        List<PerfPoint> once = new ArrayList<>(noisyRun(rng, "perf-2.28.3-a", 1, 0, 1));
        once.addAll(noisyRun(rng, "perf-2.28.3-b", 1, 0, 1.25));
        Artifacts one = Artifacts.of(once, List.of(), AA.withRuns(1));
        assertTrue(one.regressions().size() >= 3, one.regressionReport());
        assertTrue(one.regressionReport().contains("With one run, perf-2.28.3-a, perf-2.28.3-b cannot tell a slower process"),
                one.regressionReport());
        // three runs each, in turn, one of the candidate's slow: its median run is one of the others
        for (int slowRun = 1; slowRun <= 3; slowRun++) {
            List<PerfPoint> points = new ArrayList<>();
            for (int run = 1; run <= 3; run++) {
                points.addAll(noisyRun(rng, "perf-2.28.3-a", run, 0, 1));
                points.addAll(noisyRun(rng, "perf-2.28.3-b", run, 0, run == slowRun ? 1.25 : 1));
            }
            Artifacts a = Artifacts.of(points, List.of(), AA);
            assertEquals(List.of(), a.regressions(), "slow run " + slowRun + ": " + a.regressionReport());
            assertTrue(a.regressionReport().contains("Runs measured: perf-2.28.3-a 3, perf-2.28.3-b 3."), a.regressionReport());
            // every run is kept as measured; the tables hold one point per measurement
            assertEquals(points.size(), a.measured().size());
            assertEquals(points.size() / 3, a.points().size());
        }
        // one slow baseline run is outvoted the same way: it cannot hide a slower candidate, nor make one
        List<PerfPoint> slowBaseline = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            slowBaseline.addAll(noisyRun(rng, "perf-2.28.3-a", run, 0, run == 2 ? 1.25 : 1));
            slowBaseline.addAll(noisyRun(rng, "perf-2.28.3-b", run, 0, 1));
        }
        assertEquals(List.of(), Artifacts.of(slowBaseline, List.of(), AA).regressions());
    }

    @Test
    void aSlowdownInMostRuns_isFlagged_andTheShimInEveryRunIsFlaggedAtEverySize() {
        Random rng = new Random(11);
        List<PerfPoint> mostly = new ArrayList<>();
        List<PerfPoint> shim = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            mostly.addAll(noisyRun(rng, "perf-2.28.3-a", run, 0, 1));
            mostly.addAll(noisyRun(rng, "perf-2.28.3-b", run, 0, run == 3 ? 1 : 1.25));
            shim.addAll(noisyRun(rng, "perf-2.28.3-a", run, 0, 1));
            shim.addAll(noisyRun(rng, "perf-2.28.3-b", run, 30, 1));
        }
        Artifacts m = Artifacts.of(mostly, List.of(), AA);
        assertTrue(m.regressions().size() >= 3, "two runs of three 25% slower from 4 KiB: " + m.regressionReport());
        // each regression lists every run's value on both sides, in run order: what its median run was taken from
        Regression first = m.regressions().getFirst();
        String line = m.regressionReport().lines().filter(l -> l.startsWith("- " + first.describe())).findFirst().orElseThrow();
        java.util.regex.Matcher runs = java.util.regex.Pattern.compile("; runs: perf-2\\.28\\.3-a ([0-9.]+), ([0-9.]+), ([0-9.]+) µs; "
                + "perf-2\\.28\\.3-b ([0-9.]+), ([0-9.]+), ([0-9.]+) µs$").matcher(line);
        assertTrue(runs.find(), line);
        double[] b = {Double.parseDouble(runs.group(4)), Double.parseDouble(runs.group(5)), Double.parseDouble(runs.group(6))};
        assertTrue(b[2] < b[0] && b[2] < b[1], "run 3 of the candidate is the fast one: " + line);
        assertTrue(m.regressions().stream().allMatch(r -> r.bytes() >= 4096), m.regressionReport());
        List<Regression> launches = Artifacts.of(shim, List.of(), AA).regressions().stream()
                .filter(r -> r.mode().equals(TimingMode.LAUNCH)).toList();
        assertEquals(14, launches.size());   // 8 B .. 64 KiB
    }

    @Test
    void pointsJsonl_keepsEveryRun_withItsNumber(@TempDir Path dir) throws Exception {
        Random rng = new Random(3);
        List<PerfPoint> points = new ArrayList<>();
        for (int run = 1; run <= 2; run++) points.addAll(noisyRun(rng, "perf-2.28.3-a", run, 0, 1));
        Artifacts.of(points, List.of(), null).write(dir);
        List<String> lines = Files.readAllLines(dir.resolve("points.jsonl"));
        assertEquals(points.size(), lines.size());
        assertEquals(points.size() / 2, lines.stream().filter(l -> l.contains("\"run\":2")).count());
    }

    // ---- in-process pairing: a candidate's processes time the baseline's library beside their own

    private static final Matrix.PerfPolicy PAIRED = POLICY.withPairing(Matrix.PerfPolicy.Pairing.IN_PROCESS);

    /**
     * One world-1 process's launch trials of 8 B to 64 KiB, from Java and the C loop, at a host level that changes
     * from process to process ({@code level} µs), with 1% jitter; {@code pairedWith} adds the baseline's trials
     * taken in the same process, trial by trial, at the same level, and {@code slower} scales the cell's own.
     */
    private static List<PerfPoint> process(String cell, String library, int run, double level, double slower, String pairedWith,
                                           Random r) {
        List<PerfPoint> out = new ArrayList<>();
        for (long bytes = 8; bytes <= (64 << 10); bytes *= 2) {
            for (Source source : List.of(Source.JAVA, Source.IN_PROCESS_C)) {
                List<Double> mine = new ArrayList<>();
                List<Double> theirs = new ArrayList<>();
                for (int t = 0; t < 5; t++) {
                    theirs.add(level * (1 + 0.01 * r.nextGaussian()));
                    mine.add(level * slower * (1 + 0.01 * r.nextGaussian()));
                }
                out.add(PerfPoint.ofTrials(library, source, 1, Collective.ALL_REDUCE, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE, TimingMode.LAUNCH,
                        1000, mine).inCell(cell, run));
                if (pairedWith != null) {
                    out.add(PerfPoint.ofTrials(pairedWith, source, 1, Collective.ALL_REDUCE, bytes, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                            TimingMode.LAUNCH, 1000, theirs).inCell(cell, run).asPairedBaseline());
                }
            }
        }
        return out;
    }

    /** Three rounds: the baseline's processes at 4.2 µs, the candidate's at the slow level 6.1 µs in two of three. */
    private static List<PerfPoint> pairedRuns(double slower, boolean paired) {
        Random r = new Random(7);
        double[] candidateLevels = {6.1, 6.1, 4.2};
        List<PerfPoint> points = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            points.addAll(process(A, "NCCL 2.28.3", run, 4.2, 1.0, null, r));
            points.addAll(process(B, "NCCL 2.28.3", run, candidateLevels[run - 1], slower, paired ? "NCCL 2.28.3" : null, r));
        }
        return points;
    }

    @Test
    void aa_onAHostWhoseLevelChangesFromProcessToProcess_failsAcrossProcesses_andPassesPaired(@TempDir Path dir) throws Exception {
        List<PerfPoint> measured = pairedRuns(1.0, true);
        Artifacts across = Artifacts.of(measured, List.of(), POLICY.withRuns(3));
        assertEquals(14, across.regressions().size(), "14 sizes, Java confirmed by C: " + across.regressionReport());

        Artifacts paired = Artifacts.of(measured, List.of(), PAIRED.withRuns(3));
        assertEquals(List.of(), paired.regressions(), paired.regressionReport());
        assertEquals(List.of(), paired.uncompared());
        assertTrue(paired.regressionReport().contains("Pairing: in process."), paired.regressionReport());
        assertTrue(paired.regressionReport().contains("## perf-2.28.9-b (NCCL 2.28.3): no regression in 14 measurement(s) "
                + "compared pair by pair"), paired.regressionReport());
        assertTrue(paired.points().stream().noneMatch(PerfPoint::pairedBaseline), "tables and charts show each cell's own points");
        assertTrue(paired.points().stream().noneMatch(p -> p.cell().equals(B) && p.timeUs() < 5), "B's own median runs are slow");
        paired.write(dir);
        assertEquals(measured.size(), Files.readAllLines(dir.resolve("points.jsonl")).size(), "every point is kept, paired ones too");
        assertTrue(Files.readString(dir.resolve("points.jsonl")).contains("\"pairedBaseline\":true"));
    }

    @Test
    void aTwentyPercentSlowerCandidate_isFlaggedPaired_atEverySize_confirmedByItsCLoop_withEachRunsValues() {
        Artifacts a = Artifacts.of(pairedRuns(1.2, true), List.of(), PAIRED.withRuns(3));
        assertEquals(14, a.regressions().size(), a.regressionReport());
        Regression first = a.regressions().getFirst();
        assertEquals(A, first.baselineCell());
        assertEquals(B, first.candidateCell());
        assertTrue(a.regressionReport().contains("; runs: perf-2.28.3-a in perf-2.28.9-b's processes "), a.regressionReport());
        assertTrue(a.regressionReport().contains("; C: +"), a.regressionReport());
    }

    @Test
    void aCandidateTimedWithoutTheBaselineBesideIt_comparesNothing_andTheCheckFails() {
        Artifacts a = Artifacts.of(pairedRuns(1.0, false), List.of(), PAIRED.withRuns(3));
        assertEquals(List.of("perf-2.28.9-b (NCCL 2.28.3): nothing was compared with the baseline: its processes timed no "
                + "measurement of the baseline's library beside their own"), a.uncompared());
        assertTrue(a.regressionReport().contains("14 measurement(s) not timed beside the baseline"), a.regressionReport());
    }
}
