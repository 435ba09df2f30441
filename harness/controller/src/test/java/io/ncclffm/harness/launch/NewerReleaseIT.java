package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.Nccl;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.report.CellSummary;
import io.ncclffm.harness.report.CompatibilityGrid;
import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * A library that reports a release newer than the binding knows (the stub says 2.32.6, which no build here is) runs
 * as any other: its cell's verdicts are those of a known release, and the console's provenance lines, the grid and
 * the rank's loaded event say "NCCL 2.32.6, newer than this binding knows (2.30.7)". A release the binding knows
 * says nothing of the kind.
 */
class NewerReleaseIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NOTE = "NCCL 2.32.6, newer than this binding knows (" + Nccl.NEWEST_KNOWN + ")";

    private final CellLauncher launcher = new ProcessLauncher(WorkerBundle.locate());

    @AfterEach
    void nothingLeft() {
        Leftovers.assertNoRankProcesses();
    }

    private static Cell cell(String name, String code, NcclVersion expected) throws Exception {
        Cell stub = TestCells.stub(name, TIMEOUT);
        Map<String, String> env = new LinkedHashMap<>(stub.env());
        env.put("STUB_NCCL_VERSION", code);
        return TestCells.with(stub, name, stub.soPath(), expected, TIMEOUT, env);
    }

    @Test
    void aReleaseNewerThanTheBindingKnows_runsAsAnyOther_andEveryReportSaysSo() throws Exception {
        for (int world : List.of(1, 2)) {
            Cell newer = cell("nccl-2.32.6", "23206", NcclVersion.of(2, 32, 6));
            CellRun run = launcher.run(newer, world, RankObserver.NONE);
            List<Verdict> verdicts = CellVerdicts.of(run, TestCells.matrixOf(newer));
            Verdict version = verdicts.stream().filter(v -> v.checkId().equals("version")).findFirst().orElseThrow();
            assertEquals(CheckStatus.PASSED, version.status(), version.message());
            assertTrue(verdicts.stream().noneMatch(v -> v.status() == CheckStatus.FAILED || v.status() == CheckStatus.BROKEN),
                    "world " + world + ": " + verdicts);
            Provenance provenance = Provenance.of(run);
            assertEquals(NOTE, provenance.files().getFirst().file().newerThanBinding());
            assertTrue(provenance.lines().getFirst().contains(NOTE), provenance.lines().toString());
            CellSummary summary = CellSummary.of(newer, world, 0, "process", run.wall(), verdicts, -1, provenance);
            Gate gate = Gate.judge(List.of(new Gate.CellRunVerdicts(newer.name(), world, false, verdicts)), List.of(), false);
            CompatibilityGrid grid = new CompatibilityGrid(List.of(summary), gate, null);
            assertTrue(grid.toMarkdown().contains(NOTE), grid.toMarkdown());
            assertTrue(grid.toHtml().contains(NOTE), grid.toHtml());
        }
    }

    @Test
    void aReleaseTheBindingKnows_carriesNoNote() throws Exception {
        Cell known = cell("nccl-2.30.7", "23007", NcclVersion.of(2, 30, 7));
        CellRun run = launcher.run(known, 1, RankObserver.NONE);
        Provenance provenance = Provenance.of(run);
        assertEquals(null, provenance.files().getFirst().file().newerThanBinding());
        assertFalse(provenance.lines().getFirst().contains("newer than this binding"), provenance.lines().toString());
    }
}
