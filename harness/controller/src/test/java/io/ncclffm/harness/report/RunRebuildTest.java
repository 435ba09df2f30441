package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The report of a run that did not finish: the journal a run appends to is read back into the same grid and gate, which
 * is never PASS for a run that did not finish and names the cell runs that never did.
 */
class RunRebuildTest {

    @TempDir
    Path reports;

    private static Cell cell(String name) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.HostLibrary("/x.so"), "/x.so")
                .worlds(List.of(1, 2)).timeout(Duration.ofMinutes(1)).line(1).build();
    }

    private static Verdict verdict(String id, CheckStatus status) {
        return new Verdict(id, id, Map.of("world", "1"), status, id + " " + status, status == CheckStatus.FAILED
                ? List.of(new Mismatch(3, "1", "2")) : List.of(), Map.of(0, new Verdict.RankResult(status, null, "rank 0 said so")),
                status == CheckStatus.FAILED ? Cause.WRONG_VALUES : null, false, null, null);
    }

    /** A run of cells a and b at worlds 1 and 2 that recorded a at world 1 only, as a run killed then has. */
    private MatrixReport killedAfterOneCellRun(RunFolder folder, CheckStatus status) {
        Cell a = cell("a"), b = cell("b");
        MatrixReport report = new MatrixReport();
        RunInfo info = new RunInfo(Path.of("m.yaml"), folder.dir(), folder.allureResults(), folder.started(), "abc", false, folder.runId());
        report.begin(info, new Matrix(Path.of("m.yaml"), List.of(a, b), List.of()), null, folder.journal(), new RunJournal.Plan(List.of(
                new RunJournal.PlannedRun("a", 1, 0), new RunJournal.PlannedRun("a", 2, 0), new RunJournal.PlannedRun("b", 1, 0),
                new RunJournal.PlannedRun("b", 2, 0)), null), "controller pid 7 on h");
        report.record(a, 1, "process", Duration.ofSeconds(2), List.of(verdict("load", CheckStatus.PASSED), verdict("version", status)), null);
        return report;
    }

    private RunFolder folder() {
        return RunFolder.create(reports, null, Path.of("m.yaml"), "controller pid 7 on h");
    }

    @Test
    void aKilledRun_isRebuiltIncomplete_namingEveryCellRunThatNeverFinished() throws IOException {
        RunFolder folder = folder();
        killedAfterOneCellRun(folder, CheckStatus.PASSED);
        RunRebuild.Result r = RunRebuild.rebuild(folder.dir());
        assertEquals(Gate.Result.INCOMPLETE, r.gate().result(), r.gate().headline());
        assertEquals(List.of("a w2", "b w1", "b w2"), r.gate().unfinished());
        assertTrue(r.gate().headline().startsWith("INCOMPLETE (the run did not finish: 3 of 4 cell run(s) never finished: a w2, b w1, b w2"),
                r.gate().headline());
        String gate = Files.readString(folder.dir().resolve(RunFolder.GATE));
        assertTrue(gate.startsWith("INCOMPLETE (the run did not finish"), gate);
        assertTrue(gate.contains("never finished: b w2\n"), gate);
        assertTrue(gate.contains("the controller never reached the run's end"), gate);
        String grid = Files.readString(folder.dir().resolve("grid.md"));
        assertTrue(grid.contains("- Never finished: a w2, b w1, b w2"), grid);
        assertTrue(grid.contains("| version | ✓ 1 |"), "the cell run that finished is in the grid: " + grid);
    }

    @Test
    void aKilledRunThatAlreadyFailed_isRebuiltFail_andStillNamesWhatNeverFinished() throws IOException {
        RunFolder folder = folder();
        killedAfterOneCellRun(folder, CheckStatus.FAILED);
        Gate g = RunRebuild.rebuild(folder.dir()).gate();
        assertEquals(Gate.Result.FAIL, g.result());
        assertTrue(g.headline().startsWith("FAIL (1 check(s) failed; the run did not finish: 3 of 4 cell run(s) never finished"), g.headline());
    }

    @Test
    void aRunThatFinished_isRebuiltToTheGateItWrote() throws IOException {
        RunFolder folder = folder();
        MatrixReport report = killedAfterOneCellRun(folder, CheckStatus.PASSED);
        for (String[] run : new String[][] {{"a", "2"}, {"b", "1"}, {"b", "2"}}) {
            report.record(cell(run[0]), Integer.parseInt(run[1]), "process", Duration.ZERO, List.of(verdict("load", CheckStatus.PASSED)), null);
        }
        report.finish();
        String written = Files.readString(folder.dir().resolve(RunFolder.GATE));
        assertTrue(written.startsWith("PASS (CPU scope: load, version)"), written);
        Gate rebuilt = RunRebuild.rebuild(folder.dir()).gate();
        assertEquals(Gate.Result.PASS, rebuilt.result());
        assertEquals(written.lines().findFirst().orElseThrow(), rebuilt.headline());
    }

    @Test
    void aRunWhoseEveryCellRunEndedButNotTheRun_isNeverPass_andALineCutShortIsLeftOut() throws IOException {
        RunFolder folder = folder();
        MatrixReport report = killedAfterOneCellRun(folder, CheckStatus.PASSED);
        for (String[] run : new String[][] {{"a", "2"}, {"b", "1"}, {"b", "2"}}) {
            report.record(cell(run[0]), Integer.parseInt(run[1]), "process", Duration.ZERO, List.of(verdict("load", CheckStatus.PASSED)), null);
        }
        Files.writeString(folder.dir().resolve(RunJournal.FILE), "{\"record\":\"cell-run\",\"cell\":\"b\",\"wor",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        RunRebuild.Result r = RunRebuild.rebuild(folder.dir());
        assertEquals(Gate.Result.INCOMPLETE, r.gate().result(), r.gate().headline());
        assertTrue(r.gate().headline().contains("the run did not finish: it stopped after its last cell run, before its report"),
                r.gate().headline());
        assertEquals(1, r.unreadableLines());
        assertEquals(4, r.cellRuns());
    }

    @Test
    void aStoppedRun_writesItsPartialReportAtOnce_andRecordsNothingAfter() throws IOException {
        RunFolder folder = folder();
        MatrixReport report = killedAfterOneCellRun(folder, CheckStatus.PASSED);
        Gate stopped = report.stop("SIGTERM");
        assertEquals(Gate.Result.INCOMPLETE, stopped.result());
        report.record(cell("a"), 2, "process", Duration.ZERO, List.of(verdict("load", CheckStatus.BROKEN)), null);
        report.finish();
        String gate = Files.readString(folder.dir().resolve(RunFolder.GATE));
        assertTrue(gate.startsWith("INCOMPLETE (the run did not finish: 3 of 4 cell run(s) never finished: a w2, b w1, b w2"), gate);
        assertTrue(gate.contains("stopped: SIGTERM"), gate);
        assertTrue(Files.exists(folder.dir().resolve("grid.html")));
        RunRebuild.Result r = RunRebuild.rebuild(folder.dir());
        assertEquals(List.of("a w2", "b w1", "b w2"), r.gate().unfinished(), "what ended after the stop is not the run's");
        assertTrue(Files.readString(folder.dir().resolve(RunFolder.GATE)).contains("the controller was stopped"));
    }

    @Test
    void theJournal_keepsVerdictsWhole() throws IOException {
        RunFolder folder = folder();
        killedAfterOneCellRun(folder, CheckStatus.FAILED);
        RunJournal.Contents c = RunJournal.read(folder.dir().resolve(RunJournal.FILE));
        assertEquals(4, c.start().planned().size());
        assertEquals("controller pid 7 on h", c.start().controller());
        Verdict v = c.cellRuns().getFirst().verdicts().get(1);
        assertEquals(verdict("version", CheckStatus.FAILED), v);
        assertEquals(Instant.parse(c.start().started()), folder.started());
    }
    @Test
    void aRunThatPlannedNothing_isRebuiltWithWhy() throws IOException {
        RunFolder folder = folder();
        MatrixReport report = new MatrixReport();
        RunInfo info = new RunInfo(Path.of("m.yaml"), folder.dir(), folder.allureResults(), folder.started(), "abc", false, folder.runId());
        String why = "the world sizes selected (--worlds, ncclffm.worlds: [3]) match no cell run; the cells run world sizes [1, 2]";
        report.begin(info, new Matrix(Path.of("m.yaml"), List.of(cell("a")), List.of()), null, folder.journal(),
                new RunJournal.Plan(List.of(), why), "controller pid 7 on h");
        report.finish();
        String written = Files.readString(folder.dir().resolve(RunFolder.GATE));
        assertTrue(written.startsWith("FAIL (nothing was checked: " + why + ";"), written);
        assertEquals(written.lines().findFirst().orElseThrow(), RunRebuild.rebuild(folder.dir()).gate().headline());
    }
}
