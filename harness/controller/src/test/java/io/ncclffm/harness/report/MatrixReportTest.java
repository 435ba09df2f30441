package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.DataType;
import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.perf.judge.PerfFindings;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.Verdict;

/** What the report takes from a cell run's events: rank 0 speaks for the cell. */
class MatrixReportTest {

    @TempDir
    static Path RUN_DIR;

    private static Cell cell(WorkerConfig.Mode mode) {
        return Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 3)).source(new Cell.HostLibrary("/x.so"), "/x.so")
                .worlds(List.of(2)).timeout(Duration.ofMinutes(1)).mode(mode).line(1).build();
    }

    private static RankOutput rank(int r, WorkerEvent... events) {
        RankOutput out = new RankOutput(r);
        for (WorkerEvent e : events) out.acceptStdout(EventCodec.encode(e));
        out.ended(RankEnding.exited(0, false, "x"));
        return out;
    }

    private static MatrixReport report(Cell cell) {
        MatrixReport report = new MatrixReport();
        report.begin(new RunInfo(Path.of("m.yaml"), RUN_DIR, RUN_DIR.resolve("allure-results"), Instant.EPOCH, "abc", false, "run-1"),
                new Matrix(Path.of("m.yaml"), List.of(cell), List.of()), null);
        return report;
    }

    @Test
    void rank0sInitMeasurement_isTheCellsInitTime_andAPerfCellsInitPoint() {
        Cell cell = cell(WorkerConfig.Mode.PERF);
        MatrixReport report = report(cell);
        CellRun run = new CellRun(cell, 2, "process", List.of(
                rank(0, new WorkerEvent.Init(0, 2, 812, 300L << 20, "NVIDIA H200", "0000:19:00.0", 90, "CUDA 13.0")),
                rank(1, new WorkerEvent.Init(1, 2, 5000, 1L << 30, "NVIDIA H200", "0000:19:00.0", 90, "CUDA 13.0"))),
                Duration.ofSeconds(3), null);
        report.record(cell, 2, "process", run.wall(), List.of(), run);
        assertEquals(812, report.cells().getFirst().initMillis());
        assertEquals(List.of(new InitPoint("NCCL 2.28.3", Source.JAVA, 2, 812, 300L << 20)), report.perfReport().findings().inits());
    }

    @Test
    void aCellWhoseRank0MadeNoCommunicator_hasNoInitTime_andACheckCellNoInitPoint() {
        Cell check = cell(WorkerConfig.Mode.CHECK);
        MatrixReport report = report(check);
        CellRun none = new CellRun(check, 2, "process", List.of(rank(0), rank(1, new WorkerEvent.Init(1, 2, 9, 1, "d", "p", 90, "x"))),
                Duration.ofSeconds(1), null);
        report.record(check, 2, "process", none.wall(), List.of(), none);
        assertEquals(-1, report.cells().getFirst().initMillis(), "rank 1's measurement does not speak for the cell");
        CellRun made = new CellRun(check, 2, "process", List.of(rank(0, new WorkerEvent.Init(0, 2, 7, 1, "d", "p", 90, "x"))),
                Duration.ofSeconds(1), null);
        report.record(check, 2, "process", made.wall(), List.of(), made);
        assertEquals(7, report.cells().get(1).initMillis());
        assertEquals(List.of(), report.perfReport().findings().inits(), "init points are tabled for perf cells only");
    }

    @Test
    void cellRunsAreListedInTheMatrixsOrder_thenByWorld_whateverOrderTheyEndedIn() {
        Cell a = cell(WorkerConfig.Mode.CHECK);
        Cell b = Cell.builder("b", Flavor.NCCL, NcclVersion.of(2, 29, 7)).source(new Cell.HostLibrary("/y.so"), "/y.so")
                .worlds(List.of(1, 2)).timeout(Duration.ofMinutes(1)).line(2).build();
        MatrixReport report = new MatrixReport();
        report.begin(new RunInfo(Path.of("m.yaml"), RUN_DIR, RUN_DIR.resolve("allure-results"), Instant.EPOCH, "abc", false, "run-1"),
                new Matrix(Path.of("m.yaml"), List.of(a, b), List.of()), null);
        report.record(b, 2, "process", Duration.ZERO, List.of(), null);
        report.record(b, 1, "process", Duration.ZERO, List.of(), null);
        report.record(a, 2, "process", Duration.ZERO, List.of(), null);
        assertEquals(List.of("c w2", "b w1", "b w2"), report.cells().stream().map(CellSummary::column).toList());
    }

    @Test
    void aPerfCellsRuns_areColumnsOfTheirOwn_inRunOrder_andTheirPointsCarryTheirRun() {
        Cell cell = cell(WorkerConfig.Mode.PERF);
        MatrixReport report = report(cell);
        for (int r : new int[] {2, 1}) {
            PerfPoint p = PerfPoint.ofTrials("NCCL 2.28.3", Source.JAVA, 2, Collective.ALL_REDUCE, 8, DataType.FLOAT32,
                    Placement.OUT_OF_PLACE, TimingMode.LAUNCH, 10, List.of(5.0 + r));
            CellRun run = new CellRun(cell, 2, "process", List.of(rank(0, new WorkerEvent.Perf(0, p, Map.of()))), Duration.ofSeconds(1), null);
            report.record(cell, 2, r, "process", run.wall(), List.of(), run);
        }
        assertEquals(List.of("c w2 run 1", "c w2 run 2"), report.cells().stream().map(CellSummary::column).toList());
        PerfFindings a = report.perfReport().findings();
        assertEquals(List.of(2, 1), a.measured().stream().map(PerfPoint::run).toList());
        assertEquals(List.of("c"), a.measured().stream().map(PerfPoint::cell).distinct().toList());
        // two runs: the median run is the faster of the two
        assertEquals(List.of(6.0), a.points().stream().map(PerfPoint::timeUs).toList());
        String grid = new CompatibilityGrid(report.cells(), report.gate(), null).toMarkdown();
        assertEquals(true, grid.contains("world 2 · run 2") && grid.contains("| 2 (run 1) |"), grid);
    }

    @Test
    void theGridShowsTheFileEachRankRan_withItsHashBuildLineAndPin() {
        Cell pinned = cell(WorkerConfig.Mode.CHECK).withPinnedSha256(io.ncclffm.harness.launch.WorkerStreams.LIBRARY.sha256());
        MatrixReport report = report(pinned);
        CellRun run = new CellRun(pinned, 2, "process", List.of(io.ncclffm.harness.launch.WorkerStreams.finished(0),
                io.ncclffm.harness.launch.WorkerStreams.finished(1)), Duration.ofSeconds(1), null);
        report.record(pinned, 2, "process", run.wall(), List.of(), run);
        CompatibilityGrid grid = new CompatibilityGrid(report.cells(), report.gate(), null);
        String sha = io.ncclffm.harness.launch.WorkerStreams.LIBRARY.sha256();
        assertTrue(grid.toMarkdown().contains("| c w2 | 0, 1 | `/x.so` | 4096 | `" + sha + "` | NCCL version 2.28.9+cuda12.9 | ✓ pinned |"),
                grid.toMarkdown());
        assertTrue(grid.toHtml().contains("<th>library as run</th><td class=\"passed\""), grid.toHtml());
        assertTrue(grid.toHtml().contains(sha.substring(0, 12) + " · ✓ pinned"), grid.toHtml());
    }

    @Test
    void theCBaselineTheRunBeganWith_isInThePerfReport_withoutAnySystemProperty(@TempDir Path dir) throws IOException {
        Path c = Files.writeString(dir.resolve("rank0.jsonl"), """
                {"library":"NCCL 2.28.3","source":"c","world":2,"collective":"allReduce","bytes":8,"dtype":"float32",\
                "placement":"out-of-place","mode":"launch","iterations":10,"timeUs":5.000,"algBwGBs":0.0016,"busBwGBs":0.0016}
                """);
        Cell cell = cell(WorkerConfig.Mode.PERF);
        MatrixReport report = new MatrixReport();
        report.begin(new RunInfo(Path.of("m.yaml"), dir, dir.resolve("allure-results"), Instant.EPOCH, "abc", false, "run-1"),
                new Matrix(Path.of("m.yaml"), List.of(cell), List.of()), c.toString());
        PerfPoint java = PerfPoint.of("NCCL 2.28.3", Source.JAVA, 2, 8, DataType.FLOAT32, Placement.OUT_OF_PLACE,
                TimingMode.LAUNCH, 10, 5.1);
        CellRun run = new CellRun(cell, 2, "process", List.of(rank(0, new WorkerEvent.Perf(0, java, Map.of()))), Duration.ofSeconds(1), null);
        report.record(cell, 2, "process", run.wall(), List.of(), run);

        assertEquals(null, System.getProperty("ncclffm.perf.c"), "nothing but begin() names the C baseline here");
        PerfFindings f = report.perfReport().findings();
        assertEquals(List.of(Source.JAVA, Source.C), f.points().stream().map(PerfPoint::source).toList());
        assertEquals("c", f.points().get(1).cell(), "the C point is paired with the cell of its library");
        assertEquals(1.02, f.overhead().rows().getFirst().smallMessageRatio().getAsDouble(), 1e-12);
        String table = report.perfReport().files().get("table.md");
        assertTrue(table.contains("| 8 B | 5.10 / 5.00 |"), table);
        Verdict overhead = report.perfReport().verdicts().get(1);
        assertFalse(overhead.message().contains("no C baseline points were given"), overhead.message());
    }
    /** Each kind of verdict that did not pass, by the message and status its test gets. */
    private static Map<Verdict, String> filed() {
        Verdict.WaiverNote note = new Verdict.WaiverNote(io.ncclffm.harness.matrix.Waiver.Kind.KNOWN_GAP, "no fp8", "https://x.y/1");
        Verdict waived = new Verdict("allreduce/a", "allreduce", Map.of(), io.ncclffm.harness.protocol.CheckStatus.SKIPPED,
                "WAIVED known-gap: no fp8 (https://x.y/1); it failed with: 1 of 3 differ", List.of(), Map.of(),
                io.ncclffm.harness.protocol.Cause.WRONG_VALUES, true, note, null);
        Verdict gap = Verdict.of("allreduce/b", "allreduce", Map.of(), io.ncclffm.harness.protocol.CheckStatus.SKIPPED,
                io.ncclffm.harness.protocol.Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10");
        Verdict notRun = Verdict.of("allreduce/c", "allreduce", Map.of(), io.ncclffm.harness.protocol.CheckStatus.SKIPPED,
                io.ncclffm.harness.protocol.Cause.NO_GPU, "the cell assigns no GPU\nsecond line");
        Verdict failed = Verdict.of("allreduce/d", "allreduce", Map.of(), io.ncclffm.harness.protocol.CheckStatus.FAILED,
                io.ncclffm.harness.protocol.Cause.WRONG_VALUES, "1 of 3 differ");
        Verdict broken = Verdict.of("allreduce/e", "allreduce", Map.of(), io.ncclffm.harness.protocol.CheckStatus.BROKEN,
                io.ncclffm.harness.protocol.Cause.INFRASTRUCTURE, "rank 1 died");
        Map<Verdict, String> out = new java.util.LinkedHashMap<>();
        out.put(waived, "Waived known gaps");
        out.put(gap, "Release gaps (skipped with the release that adds it)");
        out.put(notRun, "Not run");
        out.put(failed, "Product defects");
        out.put(broken, "Broken infrastructure");
        return out;
    }

    @Test
    void allureCategories_fileEveryVerdictThatDidNotPass_underExactlyItsOneCategory() throws IOException {
        var categories = EventCodec.mapper().readTree(MatrixReport.categories());
        filed().forEach((v, expected) -> {
            String message = v.status() == io.ncclffm.harness.protocol.CheckStatus.SKIPPED
                    ? io.ncclffm.harness.verdict.ReportCategory.skipMessage(v) : v.message();
            List<String> matched = new java.util.ArrayList<>();
            for (var c : categories) {
                boolean status = c.get("matchedStatuses").toString().contains("\"" + v.status().name().toLowerCase() + "\"");
                boolean text = !c.has("messageRegex") || java.util.regex.Pattern.matches(c.get("messageRegex").asText(), message);
                if (status && text) matched.add(c.get("name").asText());
            }
            assertEquals(List.of(expected), matched, message);
        });
    }

    @Test
    void everyRanksLog_isKeptInTheRunsFolder_passingCellRunsToo() throws IOException {
        Cell check = cell(WorkerConfig.Mode.CHECK);
        MatrixReport report = report(check);
        RankOutput r0 = io.ncclffm.harness.launch.WorkerStreams.finished(0);
        r0.acceptStderr("host:1:1 [0] NCCL INFO NCCL version 2.28.3+cuda12.9");
        CellRun run = new CellRun(check, 1, "process", List.of(r0), Duration.ofSeconds(1), null);
        report.record(check, 1, "process", run.wall(), List.of(), run);
        Path log = RUN_DIR.resolve(MatrixReport.LOGS).resolve("c-w1").resolve("rank0.log");
        assertTrue(Files.readString(log).contains("NCCL INFO NCCL version 2.28.3+cuda12.9"), log.toString());
    }
}
