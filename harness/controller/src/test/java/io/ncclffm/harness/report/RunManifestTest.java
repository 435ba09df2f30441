package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The run's record: written whole when the run ends or is stopped, made from the same records as the journal, so that
 * the record of a killed run, made from its journal, says what the journal says and never more.
 */
class RunManifestTest {

    @TempDir
    Path reports;

    private static Cell cell(String name) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.HostLibrary("/x.so"), "/x.so")
                .worlds(List.of(1)).env(Map.of("NCCL_PROTO", "Simple", "OTHER", "x")).timeout(Duration.ofMinutes(1)).line(1).build();
    }

    private static Verdict verdict(String id, CheckStatus status) {
        return Verdict.of(id, id, Map.of(), status, status == CheckStatus.PASSED ? null : io.ncclffm.harness.protocol.Cause.WRONG_VALUES,
                id + " " + status);
    }

    private MatrixReport begun(RunFolder folder, Path matrixFile, String... cells) {
        MatrixReport report = new MatrixReport();
        RunInfo info = new RunInfo(matrixFile, folder.dir(), folder.allureResults(), folder.started(), "abc", false, folder.runId());
        List<Cell> listed = java.util.Arrays.stream(cells).map(RunManifestTest::cell).toList();
        report.begin(info, new Matrix(matrixFile, listed, List.of()), null, folder.journal(), new RunJournal.Plan(
                listed.stream().map(c -> new RunJournal.PlannedRun(c.name(), 1, 0)).toList(), null), "controller pid 7 on h");
        return report;
    }

    @Test
    void aFinishedRun_recordsItsMatrixHash_hostSettingsAndEveryCheck_andAgreesWithItsJournal() throws IOException {
        Path matrix = Files.writeString(reports.resolve("m.yaml"), "cells: []\n");
        RunFolder folder = RunFolder.create(reports, null, matrix, "controller pid 7 on h");
        MatrixReport report = begun(folder, matrix, "a");
        report.record(cell("a"), 1, "process", Duration.ofSeconds(1), List.of(verdict("load", CheckStatus.PASSED),
                verdict("version", CheckStatus.FAILED)), null);
        report.finish();
        RunManifest m = RunManifest.read(folder.dir());
        assertTrue(Files.isRegularFile(folder.dir().resolve(RunManifest.FILE)));
        assertEquals(RunManifest.sha256(matrix), m.run().matrixSha256());
        assertEquals(64, m.run().matrixSha256().length());
        assertEquals(Gate.Result.FAIL, m.outcome().result());
        assertTrue(m.outcome().finished());
        assertFalse(m.host().name().isBlank());
        RunManifest.CellRun a = m.cellRuns().getFirst();
        assertEquals(Map.of("NCCL_PROTO", "Simple"), a.settings(), "only the library's own settings");
        assertEquals(List.of("load", "version"), a.checks().stream().map(RunManifest.Check::id).toList());
        assertEquals(CheckStatus.FAILED, a.checks().get(1).status());
        Files.delete(folder.dir().resolve(RunManifest.FILE));
        assertEquals(m, RunManifest.read(folder.dir()), "the record made from the journal is the one the run wrote");
    }

    @Test
    void aKilledRun_hasNoRecordUntilRebuilt_thenOneThatSaysItDidNotFinish() throws IOException {
        Path matrix = Files.writeString(reports.resolve("m.yaml"), "cells: []\n");
        RunFolder folder = RunFolder.create(reports, null, matrix, "controller pid 7 on h");
        MatrixReport report = begun(folder, matrix, "a", "b");
        report.record(cell("a"), 1, "process", Duration.ofSeconds(1), List.of(verdict("load", CheckStatus.PASSED)), null);
        assertFalse(Files.exists(folder.dir().resolve(RunManifest.FILE)));
        RunManifest fromJournal = RunManifest.read(folder.dir());
        assertFalse(fromJournal.outcome().finished());
        assertEquals(Gate.Result.INCOMPLETE, fromJournal.outcome().result());
        RunRebuild.rebuild(folder.dir());
        RunManifest written = RunManifest.read(folder.dir());
        assertEquals(fromJournal, written);
        assertEquals(List.of("a w1"), written.cellRuns().stream().map(RunManifest.CellRun::column).toList());
    }

    @Test
    void aFolderOfNoRun_isRefused_namingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunManifest.read(reports));
        assertTrue(e.getMessage().contains("is no run's folder"), e.getMessage());
    }
}
