package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The binding against Debian's real NCCL 2.22.3 and 2.29.7 and RCCL 5.4.3 and 7.2.4, each in real containers on a machine
 * without a GPU, loaded through NCCLFFM_SO_PATH: the decoded version equals the package's (RCCL: the NCCL API
 * level 2.13.4), a unique ID is created and reaches the second rank, error strings are read, and init without a
 * GPU fails as a clean NcclException carrying NCCL's own words. Bad inputs get clear errors.
 */
class DebianLibrariesIT {

    static ContainerLauncher launcher;

    @BeforeAll
    static void docker() {
        DockerRequirement.check();
        launcher = ContainerLauncher.create(WorkerBundle.locate());
    }

    @AfterAll
    static void nothingLeft() {
        if (launcher != null) Leftovers.assertNoContainersOrNetworks();
    }

    private static Map<String, Verdict> verdicts(CellRun run) {
        return CellVerdicts.of(run, TestCells.matrixOf(run.cell())).stream()
                .collect(Collectors.toMap(Verdict::checkId, v -> v, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    /** The verdict of {@code check}, or a failure that says why the run has none (the cell could not start, ...). */
    private static Verdict verdict(CellRun run, String check) {
        Verdict v = verdicts(run).get(check);
        if (v == null) {
            throw new AssertionError("no verdict for " + check + (run.infraFailure() != null ? "; the cell run failed: "
                    + run.infraFailure() : "") + "; verdicts: " + verdicts(run).keySet());
        }
        return v;
    }

    private static CheckResult result(CellRun run, int rank, String id) {
        if (run.ranks().size() <= rank) throw new AssertionError("no rank " + rank + "; the cell run failed: " + run.infraFailure());
        return run.ranks().get(rank).events().stream().filter(e -> e instanceof WorkerEvent.Check c && c.result().id().equals(id))
                .map(e -> ((WorkerEvent.Check) e).result()).findFirst().orElseThrow(() -> new AssertionError(
                        "rank " + rank + " did not report " + id + "; log:\n" + run.ranks().get(rank).log()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nccl-2.22.3-trixie", "nccl-2.29.7-sid", "rccl-5.4.3-trixie"})
    void realLibrary_loadsDecodesSharesTheIdAndFailsInitCleanly(String name) {
        Cell cell = TestCells.debian(name);
        CellRun run = launcher.run(cell, 2, io.ncclffm.harness.launch.RankObserver.NONE);
        assertNull(run.infraFailure());
        for (String check : List.of("load", "version", "error-strings", "unique-id", "init-without-gpu",
                CellVerdicts.UNIQUE_ID_AGREEMENT, CellVerdicts.RANKS_FINISHED)) {
            assertEquals(CheckStatus.PASSED, verdict(run, check).status(), check + ": " + verdict(run, check).message());
        }
        CheckResult version = result(run, 1, "version");
        assertEquals(cell.version().toString(), version.data().get("version"));
        assertEquals(cell.flavor().name(), version.data().get("flavor"));
        assertEquals(Integer.toString(cell.version().code()), version.data().get("code"), "raw ncclGetVersion code");
        assertEquals(result(run, 0, "unique-id").fingerprint(), result(run, 1, "unique-id").fingerprint());
        CheckResult init = result(run, 1, "init-without-gpu");
        assertEquals("ncclUnhandledCudaError", init.data().get("result"), init.message());
        assertTrue(init.data().get("errorString").contains("unhandled cuda error"), init.data().toString());
        assertTrue(init.message().contains("failed: ncclUnhandledCudaError (1)"), init.message());
    }

    /**
     * RCCL of ROCm 7.2.4 (NCCL API 2.27.7) cannot even make a unique ID without an AMD GPU: rank 0's
     * ncclGetUniqueId fails cleanly with HIP's words, rank 0 tells rank 1 at once that there is no ID, and nothing
     * hangs or crashes.
     */
    @Test
    void rccl7_withoutAGpu_loadsDecodesAndFailsToMakeAnIdCleanly_tellingThePeerAtOnce() {
        Cell cell = TestCells.debian("rccl-7.2.4-experimental");
        // The image first (a cold cache builds it in about a minute): the bound below is on the ranks, not on apt.
        new ImageResolver(DockerConnection.client(), ImageResolver.defaultImagesDir(), null).resolve(cell.source());
        CellRun run = launcher.run(cell, 2, RankObserver.NONE);
        assertNull(run.infraFailure());
        for (String check : List.of("load", "version", "error-strings", CellVerdicts.RANKS_FINISHED)) {
            assertEquals(CheckStatus.PASSED, verdict(run, check).status(), check + ": " + verdict(run, check).message());
        }
        assertEquals("2.27.7", result(run, 0, "version").data().get("version"));
        assertEquals("RCCL", result(run, 0, "version").data().get("flavor"));
        CheckResult id0 = result(run, 0, "unique-id");
        assertEquals(CheckStatus.SKIPPED, id0.status(), id0.message());
        assertEquals(io.ncclffm.harness.protocol.Cause.DEVICE_GAP, id0.cause());
        assertTrue(id0.message().contains("ncclGetUniqueId failed cleanly: ncclGetUniqueId failed: ncclUnhandledCudaError (1)"), id0.message());
        CheckResult id1 = result(run, 1, "unique-id");
        assertEquals(io.ncclffm.harness.protocol.Cause.BLOCKED, id1.cause(), id1.message());
        assertTrue(id1.millis() < 30_000, "rank 1 was told at once, not after its rendezvous timeout: " + id1.millis() + " ms");
        assertTrue(run.wall().toSeconds() < 60, "the cell ended promptly: " + run.wall());
    }

    @Test
    void wrongSoPath_failsLoadNamingThePathAndTheVariable() {
        Cell base = TestCells.debian("nccl-2.22.3-trixie");
        Cell cell = TestCells.with(base, "bad-path", "/usr/lib/x86_64-linux-gnu/libnccl.so.9", base.version(), Duration.ofMinutes(2), Map.of());
        CellRun run = launcher.run(cell, 1, RankObserver.NONE);
        Verdict load = verdict(run, "load");
        assertEquals(CheckStatus.FAILED, load.status());
        assertTrue(load.message().contains("environment variable NCCLFFM_SO_PATH '/usr/lib/x86_64-linux-gnu/libnccl.so.9': no such file"),
                load.message());
    }

    @Test
    void libraryThatIsNotNccl_failsLoadSayingSo() {
        Cell base = TestCells.debian("nccl-2.22.3-trixie");
        Cell cell = TestCells.with(base, "not-nccl", "/usr/lib/x86_64-linux-gnu/libz.so.1", base.version(), Duration.ofMinutes(2), Map.of());
        Verdict load = verdict(launcher.run(cell, 1, RankObserver.NONE), "load");
        assertEquals(CheckStatus.FAILED, load.status());
        assertTrue(load.message().contains("loads, but is not NCCL or RCCL: it does not export ncclGetVersion"), load.message());
    }

    @Test
    void wrongExpectedVersion_failsTheVersionCheckWithBothVersions() {
        Cell base = TestCells.debian("nccl-2.22.3-trixie");
        Cell cell = TestCells.with(base, "wrong-version", base.soPath(), NcclVersion.of(2, 22, 4), Duration.ofMinutes(2), Map.of());
        Verdict version = verdict(launcher.run(cell, 1, RankObserver.NONE), "version");
        assertEquals(CheckStatus.FAILED, version.status());
        assertTrue(version.message().contains("decoded NCCL 2.22.3 (code 22203), but the cell expects version 2.22.4"), version.message());
    }
}
