package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.verdict.Verdict;

/** Allure's history of a run, made from the records of the runs before it in the same reports folder. */
class AllureHistoryTest {

    @TempDir
    Path reports;

    private static Cell cell() {
        return Cell.builder("a", Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.HostLibrary("/x.so"), "/x.so")
                .worlds(List.of(1)).timeout(Duration.ofMinutes(1)).line(1).build();
    }

    /** One finished run of cell a whose version check has {@code status}; returns its folder. */
    private Path run(String id, CheckStatus status) {
        RunFolder folder = RunFolder.create(reports, id, Path.of("m.yaml"), "controller pid 7 on h");
        MatrixReport report = new MatrixReport();
        report.begin(new RunInfo(Path.of("m.yaml"), folder.dir(), folder.allureResults(), folder.started(), "abc", false, id),
                new Matrix(Path.of("m.yaml"), List.of(cell()), List.of()), null, folder.journal(),
                new RunJournal.Plan(List.of(new RunJournal.PlannedRun("a", 1, 0)), null), "controller pid 7 on h");
        report.record(cell(), 1, "process", Duration.ofSeconds(1), List.of(Verdict.of("version", "version", Map.of(), status,
                status == CheckStatus.PASSED ? null : Cause.WRONG_VERSION, "v")), null);
        report.finish();
        return folder.dir();
    }

    @Test
    void aRun_carriesTheOutcomesOfTheRunsBeforeIt_newestFirst_forEveryCheckAndTheGate() throws IOException {
        run("r1", CheckStatus.PASSED);
        run("r2", CheckStatus.FAILED);
        Path third = run("r3", CheckStatus.PASSED);
        Path history = third.resolve(RunFolder.ALLURE_RESULTS).resolve("history");
        JsonNode trend = EventCodec.mapper().readTree(history.resolve("history-trend.json").toFile());
        assertEquals(2, trend.size());
        assertEquals("r2 · FAIL", trend.get(0).path("reportName").asText());
        assertEquals(1, trend.get(0).path("data").path("failed").asInt());
        assertEquals("r1 · PASS", trend.get(1).path("reportName").asText());
        JsonNode checks = EventCodec.mapper().readTree(history.resolve("history.json").toFile());
        JsonNode version = checks.path(AllureHistory.historyId("a", 1, 0, "version"));
        assertEquals(List.of("failed", "passed"), version.path("items").findValuesAsText("status"));
        assertEquals(1, version.path("statistic").path("passed").asInt());
        assertEquals(List.of("failed", "passed"), checks.path(AllureHistory.GATE).path("items").findValuesAsText("status"));
        JsonNode first = EventCodec.mapper().readTree(reports.resolve("r1").resolve(RunFolder.ALLURE_RESULTS).resolve("history")
                .resolve("history-trend.json").toFile());
        assertTrue(first.isEmpty(), "the first run has no history");
    }

    @Test
    void theGrid_marksWhatChangedSinceThePreviousRun_andSaysWhenThereIsNone() throws IOException {
        Path first = run("r1", CheckStatus.PASSED);
        assertTrue(Files.readString(first.resolve("grid.md")).contains("No earlier run in this reports folder"));
        Path second = run("r2", CheckStatus.FAILED);
        String md = Files.readString(second.resolve("grid.md"));
        assertTrue(md.contains("- Δ: 1 entry changed since the previous run, r1 (PASS)"), md);
        assertTrue(md.contains("| version | ✗ 1/1 failed Δ |"), md);
        assertTrue(Files.readString(second.resolve("grid.html")).contains("changed since run r1, which had 1 passed"));
        Path third = run("r3", CheckStatus.FAILED);
        assertTrue(Files.readString(third.resolve("grid.md")).contains("- Δ: 0 entries changed since the previous run, r2 (FAIL)"));
    }
}
