package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.SupervisionGraces;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * Faults injected into real runs, with both launchers: a rank that crashes (SIGKILL) or hangs (SIGSTOP) while the
 * ranks exchange the unique ID and start their communicator, a container that disappears, a peer that never
 * arrives. For each: the cause is reported within the cell timeout, what was measured before is kept, a healthy
 * cell run next is unaffected, and no container, network or process is left. (On a machine without a GPU the
 * ranks cannot reach a collective; the same faults during collectives are the GPU fault drill's, {@code faults},
 * whose runs are in docs/validation.md.)
 *
 * <p>Process cells load the binding's stub library (no NCCL on this host); container cells load Debian's NCCL.
 */
class FaultInjectionIT {

    /** Short enough for CI, long enough for a JVM to start: the rendezvous then times out after 10 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(40);

    private CellLauncher launcher;

    /**
     * The hung-rank grace of these drills: below the default, so that a stopped rank is named sooner, and above the
     * rendezvous timeout, so that rank 0 waiting there for the stopped rank is not itself taken for hung.
     */
    static final Duration HUNG_GRACE = Duration.ofSeconds(15);

    private Cell cell(String kind, String name) throws Exception {
        Cell cell;
        if (kind.equals("process")) {
            launcher = new ProcessLauncher(WorkerBundle.locate());
            cell = TestCells.stub(name, TIMEOUT);
        } else {
            DockerRequirement.check();
            launcher = ContainerLauncher.create(WorkerBundle.locate());
            Cell base = TestCells.debian("nccl-2.22.3-trixie");
            cell = TestCells.with(base, name, base.soPath(), base.version(), TIMEOUT, Map.of());
        }
        Map<String, String> env = new HashMap<>(cell.env());
        env.put(SupervisionGraces.HUNG, Long.toString(HUNG_GRACE.toSeconds()));
        return cell.toBuilder().env(env).build();
    }

    @AfterEach
    void nothingLeft() {
        Leftovers.assertNoRankProcesses();
        if (launcher instanceof ContainerLauncher) Leftovers.assertNoContainersOrNetworks();
    }

    /** Runs a world of two and applies {@code fault} to rank 1 once it reports {@code checkId} (or says hello). */
    private CellRun runWithFault(Cell cell, String trigger, BiConsumer<RankHandle, WorkerEvent> fault) {
        AtomicBoolean fired = new AtomicBoolean();
        CellRun run = launcher.run(cell, 2, (rank, event) -> {
            boolean hit = rank.rank() == 1 && (trigger.equals("hello") ? event instanceof WorkerEvent.Hello
                    : event instanceof WorkerEvent.Check c && c.result().id().equals(trigger));
            if (hit && fired.compareAndSet(false, true)) fault.accept(rank, event);
        });
        assertTrue(fired.get(), "the fault was injected");
        assertTrue(run.wall().compareTo(TIMEOUT.plusSeconds(20)) < 0, "reported within the cell timeout: took " + run.wall());
        return run;
    }

    /**
     * Runs a world of two and kills rank 1 once it reports {@code version}, while it waits in the unique-ID exchange:
     * rank 0 is held (SIGSTOP) from its hello until then, so that it cannot hand out the ID first, and let go
     * (SIGCONT) once rank 1 is dead. A signal to a container takes the Docker daemon's round trip, in which rank 1
     * could otherwise fetch the ID and pass the exchange. Where rank 1 reports {@code version} before rank 0 says
     * hello, rank 0 has not begun to serve the ID either, and is not held.
     */
    private CellRun runKillingRank1InTheExchange(Cell cell) {
        Object lock = new Object();
        RankHandle[] held = new RankHandle[1];
        boolean[] killed = new boolean[1];
        CellRun run = launcher.run(cell, 2, (rank, event) -> {
            synchronized (lock) {
                if (rank.rank() == 0 && event instanceof WorkerEvent.Hello && !killed[0] && held[0] == null) {
                    rank.signal("STOP");
                    held[0] = rank;
                } else if (rank.rank() == 1 && event instanceof WorkerEvent.Check c && c.result().id().equals("version") && !killed[0]) {
                    rank.signal("KILL");
                    killed[0] = true;
                    if (held[0] != null) held[0].signal("CONT");
                }
            }
        });
        assertTrue(killed[0], "rank 1 was killed");
        assertTrue(run.wall().compareTo(TIMEOUT.plusSeconds(20)) < 0, "reported within the cell timeout: took " + run.wall());
        return run;
    }

    private static Map<String, Verdict> verdicts(CellRun run) {
        return CellVerdicts.of(run, TestCells.matrixOf(run.cell())).stream()
                .collect(Collectors.toMap(Verdict::checkId, v -> v, (a, b) -> a));
    }

    private void assertHealthyRunStillPasses(Cell faulty) {
        Cell healthy = TestCells.with(faulty, faulty.name() + "-after", faulty.soPath(), faulty.version(), TIMEOUT, faulty.env());
        CellRun run = launcher.run(healthy, 2, RankObserver.NONE);
        Map<String, Verdict> v = verdicts(run);
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANKS_FINISHED).status(), v.get(CellVerdicts.RANKS_FINISHED).message());
        assertEquals(CheckStatus.PASSED, v.get("init-without-gpu").status(), v.get("init-without-gpu").message());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"process", "container"})
    void rankKilledDuringTheIdExchange_isReportedAndEarlierResultsAreKept(String kind) throws Exception {
        Cell cell = cell(kind, "fault-kill-" + kind);
        CellRun run = runKillingRank1InTheExchange(cell);
        Map<String, Verdict> v = verdicts(run);
        RankEnding killed = run.ranks().get(1).ending();
        assertEquals(RankEnding.Kind.SIGNALLED, killed.kind(), killed.toString());
        assertEquals(9, killed.signal(), killed.toString());
        assertTrue(killed.toString().startsWith("died of SIGKILL"), killed.toString());
        assertEquals(CheckStatus.PASSED, v.get("version").status(), "rank 1 reported version before it died: " + v.get("version"));
        assertEquals(CheckStatus.PASSED, v.get("version").perRank().get(1).status(), v.get("version").perRank().toString());
        assertEquals(CheckStatus.BROKEN, v.get("unique-id").status());
        assertTrue(v.get("unique-id").perRank().get(1).message().contains("never reported: the rank died of SIGKILL"), v.get("unique-id").perRank().toString());
        assertTrue(v.get("unique-id").perRank().get(0).message().contains("1"), "rank 0 names the missing rank: " + v.get("unique-id").perRank());
        Verdict finished = v.get(CellVerdicts.RANKS_FINISHED);
        assertEquals(CheckStatus.BROKEN, finished.status());
        assertTrue(finished.message().contains("rank 1 died of SIGKILL"), finished.message());
        assertHealthyRunStillPasses(cell);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"process", "container"})
    void rankHungDuringTheIdExchange_isKilledAsHungOrAtTheCellTimeout(String kind) throws Exception {
        Cell cell = cell(kind, "fault-stop-" + kind);
        CellRun run = runWithFault(cell, "version", (rank, e) -> rank.signal("STOP"));
        Map<String, Verdict> v = verdicts(run);
        RankEnding ending = run.ranks().get(1).ending();
        // Stopped right after reporting its version: it was in error-strings or unique-id, depending on how far the
        // signal let it get. Rank 0 goes on when its rendezvous times out (10 s); the supervisor kills the stopped
        // rank as hung a grace later (15 s here), or the cell timeout (40 s) does where rank 0 never went on: either
        // ends it, named.
        assertEquals(RankEnding.Kind.KILLED, ending.kind(), ending.toString());
        assertTrue(ending.killReason() == RankEnding.KillReason.HUNG || ending.killReason() == RankEnding.KillReason.CELL_TIMEOUT,
                ending.toString());
        assertTrue(ending.toString().startsWith("killed: hung in ")
                || ending.toString().startsWith("killed after the cell timeout of 40 s; it was in "), ending.toString());
        assertEquals(CheckStatus.PASSED, v.get("version").perRank().get(1).status(), "measured before the hang, kept: " + v.get("version"));
        // The signal is sent when the harness reads the version event; in a container that read can come late enough
        // for the rank to have its ID already. The first check it did not report is broken, whichever it was; when
        // that is the ID exchange or a check before it, rank 0's rendezvous timed out and it finished on its own.
        List<Verdict> ordered = CellVerdicts.of(run, TestCells.matrixOf(run.cell()));
        Verdict firstUnreported = ordered.stream().filter(x -> x.perRank().containsKey(1)
                        && x.perRank().get(1).message().startsWith("never reported")).findFirst()
                .orElseThrow(() -> new AssertionError("rank 1 left no check unreported: " + ordered));
        assertEquals(CheckStatus.BROKEN, firstUnreported.status(), firstUnreported.toString());
        if (v.get("unique-id").perRank().get(1).status() != CheckStatus.PASSED) {
            assertEquals(CheckStatus.BROKEN, v.get("unique-id").status());
            assertTrue(run.ranks().get(0).sawDone(), "rank 0 finished on its own: its rendezvous timed out");
        }
        assertEquals(CheckStatus.BROKEN, v.get(CellVerdicts.RANKS_FINISHED).status());
        assertHealthyRunStillPasses(cell);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"process", "container"})
    void peerThatNeverArrives_isNamedByRankZero(String kind) throws Exception {
        Cell cell = cell(kind, "fault-absent-" + kind);
        CellRun run = runWithFault(cell, "hello", (rank, e) -> rank.signal("KILL"));
        Map<String, Verdict> v = verdicts(run);
        Verdict.RankResult rank0 = v.get("unique-id").perRank().get(0);
        assertTrue(rank0.status() == CheckStatus.BROKEN && rank0.message().contains("[1]"), "rank 0 says which rank never came: " + rank0);
        assertEquals(CheckStatus.PASSED, v.get("load").perRank().get(0).status(), "rank 0 loaded the library: " + v.get("load").perRank());
        assertEquals(CheckStatus.SKIPPED, v.get("init-without-gpu").status(), "not run without an ID: " + v.get("init-without-gpu"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"container"})
    void containerThatDisappears_isReportedAsSuch(String kind) throws Exception {
        Cell cell = cell(kind, "fault-vanish");
        var docker = DockerClientFactory.instance().client();
        CellRun run = runWithFault(cell, "version",
                (rank, e) -> docker.removeContainerCmd(rank.id()).withForce(true).withRemoveVolumes(true).exec());
        RankEnding ending = run.ranks().get(1).ending();
        assertTrue(ending.kind() == RankEnding.Kind.VANISHED || ending.kind() == RankEnding.Kind.SIGNALLED && ending.signal() == 9,
                ending.toString());
        assertTrue(ending.toString().startsWith("container vanished") || ending.toString().startsWith("died of SIGKILL"), ending.toString());
        assertNull(run.infraFailure(), "removing an already-removed container is not an infrastructure failure");
        assertEquals(CheckStatus.BROKEN, verdicts(run).get(CellVerdicts.RANKS_FINISHED).status());
        assertHealthyRunStillPasses(cell);
    }
}
