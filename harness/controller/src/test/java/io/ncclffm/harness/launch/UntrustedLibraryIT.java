package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.NcclVersion;
import io.ncclffm.harness.library.LibraryCache;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The library under test shares the rank's process, so it is treated as hostile: what it prints, and what it writes
 * where the worker's events go, must never turn a verdict green. Each case runs the real worker as a process over
 * the binding's stub library, which writes to standard output on request ({@code STUB_NCCL_FORGE}): forged results
 * from its constructor and from its destructor (which runs after the worker's {@code Runtime.halt}), a line without
 * its newline, a line of 40 MiB, NCCL's own debug log. Written to standard output, all of it lands in the rank's
 * log and the verdicts are those of a quiet library; written to the worker's event pipe itself, it makes the rank
 * broken.
 */
class UntrustedLibraryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String FORGED = "forged by the library";

    private final CellLauncher launcher = new ProcessLauncher(WorkerBundle.locate());

    @AfterEach
    void nothingLeft() {
        Leftovers.assertNoRankProcesses();
    }

    /** A world-1 process cell over the stub that expects NCCL 2.22.3, with {@code env} for the stub. */
    private static Cell cell(String name, Map<String, String> env) throws Exception {
        Cell stub = TestCells.stub(name, TIMEOUT);
        Map<String, String> all = new LinkedHashMap<>(stub.env());
        all.putAll(env);
        return TestCells.with(stub, name, stub.soPath(), NcclVersion.of(2, 22, 3), TIMEOUT, all);
    }

    private CellRun run(Cell cell) {
        return launcher.run(cell, 1, RankObserver.NONE);
    }

    private static Map<String, Verdict> verdicts(CellRun run) {
        return CellVerdicts.of(run, TestCells.matrixOf(run.cell())).stream()
                .collect(Collectors.toMap(Verdict::checkId, v -> v, (a, b) -> a));
    }

    private static Map<String, CheckStatus> statuses(CellRun run) {
        Map<String, CheckStatus> s = new HashMap<>();
        verdicts(run).forEach((id, v) -> s.put(id, v.status()));
        return s;
    }

    /** The same checks with the same statuses; a difference is named check by check. */
    private static void assertSameVerdicts(Map<String, CheckStatus> expected, Map<String, CheckStatus> actual) {
        Map<String, String> diff = new TreeMap<>();
        expected.forEach((id, st) -> {
            if (actual.get(id) != st) diff.put(id, st + " -> " + actual.get(id));
        });
        actual.forEach((id, st) -> {
            if (!expected.containsKey(id)) diff.put(id, "(none) -> " + st);
        });
        assertEquals(Map.of(), diff, "verdicts that differ");
        assertFalse(expected.isEmpty());
    }

    @Test
    void forgedResults_fromTheLibrarysConstructorAndDestructor_landInTheLogAndTheWrongVersionStillFails() throws Exception {
        CellRun run = run(cell("forged-stdout", Map.of("STUB_NCCL_VERSION", "22202", "STUB_NCCL_FORGE", "constructor,destructor")));
        Map<String, Verdict> v = verdicts(run);
        assertEquals(CheckStatus.FAILED, v.get("version").status(), v.get("version").message());
        assertEquals(Cause.WRONG_VERSION, v.get("version").cause());
        assertTrue(v.get("version").message().contains("2.22.2"), v.get("version").message());
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
        String log = run.ranks().getFirst().log();
        assertEquals(4, count(log, FORGED + "\",\"millis\":0}}"),
                "the two forged checks of the constructor and the two of the destructor reached the log: " + log);
        assertTrue(run.ranks().getFirst().events().stream().noneMatch(e -> e instanceof WorkerEvent.Check c
                && c.result().message().contains(FORGED)), "no forged line was taken as an event");
    }

    @Test
    void aPartialLine_fromTheLibrary_doesNotSwallowTheLoadCheck() throws Exception {
        CellRun run = run(cell("partial-stdout", Map.of("STUB_NCCL_FORGE", "partial")));
        Map<String, Verdict> v = verdicts(run);
        assertNotNull(v.get("load"), "the load row is there");
        assertEquals(CheckStatus.PASSED, v.get("load").status(), v.get("load").message());
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
        assertTrue(run.ranks().getFirst().log().contains("stub: a partial line"), run.ranks().getFirst().log());
    }

    @Test
    void aHugeLine_fromTheLibrary_isCutInTheLog_andChangesNoVerdict() throws Exception {
        Map<String, CheckStatus> quiet = statuses(run(cell("quiet", Map.of())));
        CellRun run = run(cell("huge-stdout", Map.of("STUB_NCCL_FORGE", "huge")));
        assertSameVerdicts(quiet, statuses(run));
        String log = run.ranks().getFirst().log();
        assertTrue(log.contains("line cut"), "the log says the line was cut");
        assertTrue(log.length() < 8 << 20, "the log stays bounded: " + log.length() + " characters");
    }

    @Test
    void ncclDebugInfo_onStandardOutput_givesTheSameVerdictsAsWithout() throws Exception {
        Map<String, CheckStatus> quiet = statuses(run(cell("debug-off", Map.of())));
        CellRun run = run(cell("debug-info", Map.of("NCCL_DEBUG", "INFO")));
        assertSameVerdicts(quiet, statuses(run));
        assertTrue(run.ranks().getFirst().log().contains("NCCL INFO ncclGetVersion called"),
                "NCCL's log went to the rank log: " + run.ranks().getFirst().log());
        assertEquals(CheckStatus.PASSED, quiet.get("load"));
        assertEquals(CheckStatus.PASSED, quiet.get(CellVerdicts.RANK_EVENTS));
    }

    @Test
    void forgedResults_writtenIntoTheEventPipe_makeTheRankBroken() throws Exception {
        CellRun run = run(cell("forged-pipe", Map.of("STUB_NCCL_VERSION", "22202", "STUB_NCCL_FORGE", "constructor,destructor",
                "STUB_NCCL_FORGE_TO", "pipe")));
        Map<String, Verdict> v = verdicts(run);
        Verdict events = v.get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("an event after done"), events.message());
        assertTrue(events.message().matches("(?s).*reported more than once: [^;]*version.*"), events.message());
        assertEquals(CheckStatus.BROKEN, v.get("version").status(), "the forged pass of version counts for nothing: "
                + v.get("version").message());
        assertFalse(v.values().stream().anyMatch(x -> x.status() == CheckStatus.PASSED && !x.perRank().isEmpty()),
                "no check of the rank passes");
    }

    @Test
    void aPartialLine_writtenIntoTheEventPipe_makesTheRankBroken() throws Exception {
        CellRun run = run(cell("partial-pipe", Map.of("STUB_NCCL_FORGE", "partial", "STUB_NCCL_FORGE_TO", "pipe")));
        Map<String, Verdict> v = verdicts(run);
        Verdict events = v.get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("not an event: 'stub: a partial line {\"event\""), events.message());
        assertNotNull(v.get("load"), "the load row is there, broken");
        assertEquals(CheckStatus.BROKEN, v.get("load").status(), v.get("load").message());
    }

    @Test
    void aHugeLine_writtenIntoTheEventPipe_isCutAndMakesTheRankBroken() throws Exception {
        CellRun run = run(cell("huge-pipe", Map.of("STUB_NCCL_FORGE", "huge", "STUB_NCCL_FORGE_TO", "pipe")));
        Verdict events = verdicts(run).get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("was cut"), events.message());
        assertTrue(run.ranks().getFirst().sawDone(), "the rank's events after the cut line were still read");
    }

    @Test
    void theLoadedLibrary_isReportedAsTheFileTheProcessRuns_withItsHashAndBuildLine() throws Exception {
        Cell cell = cell("provenance", Map.of());
        CellRun run = run(cell);
        WorkerEvent.Loaded loaded = run.ranks().getFirst().events().stream().filter(e -> e instanceof WorkerEvent.Loaded)
                .map(e -> (WorkerEvent.Loaded) e).findFirst().orElseThrow();
        Path lib = Path.of(cell.soPath());
        assertEquals(lib.toRealPath().toString(), loaded.library().path());
        assertEquals(Files.size(lib), loaded.library().size());
        assertEquals(LibraryCache.sha256(lib), loaded.library().sha256());
        assertEquals("NCCL version 2.22.3+cuda12.9", loaded.library().buildLine());
    }

    @Test
    void aRankThatLoadedAnotherFileThanThePinnedOne_isBroken_namingBothHashes() throws Exception {
        Cell cell = cell("pinned-wrong", Map.of());
        String real = LibraryCache.sha256(Path.of(cell.soPath()));
        String pin = "0".repeat(64);
        Map<String, Verdict> v = verdicts(run(cell.withPinnedSha256(pin)));
        assertEquals(CheckStatus.BROKEN, v.get("load").status(), v.get("load").message());
        assertTrue(v.get("load").message().contains("with sha256 " + real + ", but the matrix pins sha256 " + pin), v.get("load").message());
        assertEquals(CheckStatus.BROKEN, v.get("version").status(), "nothing the rank reported counts: " + v.get("version").message());
        Map<String, Verdict> ok = verdicts(run(cell("pinned-right", Map.of()).withPinnedSha256(real)));
        assertEquals(CheckStatus.PASSED, ok.get("load").status(), ok.get("load").message());
        assertEquals(CheckStatus.PASSED, ok.get("version").status(), ok.get("version").message());
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
        return n;
    }
}
