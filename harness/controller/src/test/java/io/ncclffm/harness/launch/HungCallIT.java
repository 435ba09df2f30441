package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * A library that never returns from a call ends its cell within the call's bound plus {@link #SLACK}, naming the
 * call: real process cells of world 2 over the stub library, made to block forever in init (on rank 1),
 * {@code ncclCommAbort} or {@code ncclCommDestroy} (on every rank). The cell timeout is far longer, so a cell
 * that ended only at the worker's deadline (the cell timeout less 15 s) or by the supervisor's hung-rank grace
 * would fail here; each hung rank must exit by itself with its results, and its events must add up.
 *
 * <p>A collective cannot run without a GPU, so {@code ncclAllReduce} that never returns is shown in the worker's
 * own test (WorkerHungCallTest) and the supervisor's (RankSupervisorTest).
 */
class HungCallIT {

    /** What the bound of a hung call may be overrun by before its cell has ended: the requirement. */
    static final Duration SLACK = Duration.ofSeconds(30);
    static final Duration CELL_TIMEOUT = Duration.ofSeconds(150);
    static final String CHECK = "init-without-gpu";

    private final ProcessLauncher launcher = new ProcessLauncher(WorkerBundle.locate());

    @AfterEach
    void nothingLeft() {
        Leftovers.assertNoRankProcesses();
    }

    /** A run of a world of two and when each rank entered {@link #CHECK}, where each case's call hangs. */
    private record Run(CellRun cell, Map<Integer, Long> enteredCheck, Map<Integer, Long> saidHung, long endedNanos) {

        Duration sinceEntered(int rank) {
            return Duration.ofNanos(endedNanos - enteredCheck.get(rank));
        }

        Duration sinceSaidHung(int rank) {
            return Duration.ofNanos(endedNanos - saidHung.get(rank));
        }

        Map<String, Verdict> verdicts() {
            return CellVerdicts.of(cell, TestCells.matrixOf(cell.cell())).stream()
                    .collect(Collectors.toMap(Verdict::checkId, v -> v, (a, b) -> a));
        }

        WorkerEvent.Hung hung(int rank) {
            WorkerEvent.Hung h = cell.ranks().get(rank).hungCall();
            assertNotNull(h, "rank " + rank + " said which call hung: " + cell.ranks().get(rank).events());
            return h;
        }
    }

    private Run run(String name, Map<String, String> env) throws Exception {
        Cell base = TestCells.stub(name, CELL_TIMEOUT);
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put(WorkerConfig.INIT_TIMEOUT, "5");
        all.put(WorkerConfig.COLLECTIVE_TIMEOUT, "3");
        Cell cell = TestCells.with(base, name, base.soPath(), base.version(), CELL_TIMEOUT, all);
        Map<Integer, Long> entered = new ConcurrentHashMap<>();
        Map<Integer, Long> saidHung = new ConcurrentHashMap<>();
        CellRun run = launcher.run(cell, 2, (rank, event) -> {
            if (event instanceof WorkerEvent.Progress p && p.phase().equals(CHECK)) entered.putIfAbsent(rank.rank(), System.nanoTime());
            if (event instanceof WorkerEvent.Hung) saidHung.putIfAbsent(rank.rank(), System.nanoTime());
        });
        long ended = System.nanoTime();
        assertEquals(2, entered.size(), "both ranks reached " + CHECK + ": " + run.ranks().stream().map(RankOutput::ending).toList());
        return new Run(run, entered, saidHung, ended);
    }

    /** The rank ended by itself, its events add up (counts and exit status), and the cell's verdicts name the call. */
    private static void assertEndedItself(Run run, int rank, String call) {
        RankOutput out = run.cell().ranks().get(rank);
        assertEquals(RankEnding.Kind.EXITED, out.ending().kind(), out.ending().toString());
        assertEquals(WorkerExit.TIMED_OUT, out.ending().workerExit(), out.ending().toString());
        assertTrue(out.sawDone(), "reported done with its counts");
        Map<String, Verdict> v = run.verdicts();
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
        Verdict.RankResult hungCheck = v.get(CHECK).perRank().get(rank);
        assertEquals(CheckStatus.FAILED, hungCheck.status(), hungCheck.message());
        assertEquals(Cause.TIMEOUT, hungCheck.cause(), hungCheck.message());
        assertTrue(hungCheck.message().startsWith(call + " did not return within "), hungCheck.message());
        Verdict finished = v.get(CellVerdicts.RANKS_FINISHED);
        assertEquals(CheckStatus.BROKEN, finished.status());
        assertTrue(finished.message().contains("rank " + rank + " exited with 3 after " + call + " did not return"), finished.message());
    }

    private static void report(String what, Run run, int rank, Duration bound) {
        System.out.printf("[hung-call] %s: rank %d in %s for %.1f s until the cell ended (bound %d s + %d s), %.1f s after it"
                        + " said which call hung; cell %.1f s%n", what, rank, CHECK, run.sinceEntered(rank).toMillis() / 1000.0,
                bound.toSeconds(), SLACK.toSeconds(), run.sinceSaidHung(rank).toMillis() / 1000.0, run.cell().wall().toMillis() / 1000.0);
    }

    @Test
    void initThatNeverReturnsOnOneRank_endsTheCellWithinTheInitTimeoutPlusSlack_namingTheCall() throws Exception {
        // Rank 0's init fails at once, as NCCL's does without a GPU; rank 1's never returns.
        Run run = run("hung-init", Map.of("STUB_NCCL_INIT", "fail", "STUB_NCCL_HANG", "init", "STUB_NCCL_HANG_RANK", "1"));
        Duration bound = Duration.ofSeconds(5);
        report("ncclCommInitRankConfig on rank 1", run, 1, bound);
        assertEquals(new WorkerEvent.Hung(1, "ncclCommInitRankConfig", CHECK, bound.toMillis()), run.hung(1));
        assertEndedItself(run, 1, "ncclCommInitRankConfig");
        assertTrue(run.sinceEntered(1).compareTo(bound.plus(SLACK)) <= 0, "took " + run.sinceEntered(1));
        assertEquals(CheckStatus.PASSED, run.verdicts().get(CHECK).perRank().get(0).status(), "rank 0 was not held up");
    }

    @Test
    void abortThatNeverReturns_endsTheCellWithinTheCollectiveTimeoutPlusSlack_namingTheCall() throws Exception {
        // Init stays in progress, so the binding's wait runs out after the init timeout (5 s) and aborts; the abort
        // never returns, and is bounded by the collective timeout (3 s).
        Run run = run("hung-abort", Map.of("STUB_NCCL_INIT", "hang", "STUB_NCCL_HANG", "abort"));
        Duration bound = Duration.ofSeconds(5 + 3);
        for (int rank = 0; rank < 2; rank++) {
            report("ncclCommAbort after the init wait ran out", run, rank, bound);
            assertEquals(new WorkerEvent.Hung(rank, "ncclCommAbort", CHECK, 3000), run.hung(rank));
            assertEndedItself(run, rank, "ncclCommAbort");
            assertTrue(run.sinceEntered(rank).compareTo(bound.plus(SLACK)) <= 0, "took " + run.sinceEntered(rank));
        }
    }

    @Test
    void destroyThatNeverReturns_endsTheCellWithinTheCollectiveTimeoutPlusSlack_namingTheCall() throws Exception {
        // Init succeeds (the stub forms a communicator), the check closes it, and ncclCommDestroy never returns.
        Run run = run("hung-destroy", Map.of("STUB_NCCL_HANG", "destroy"));
        Duration bound = Duration.ofSeconds(3);
        for (int rank = 0; rank < 2; rank++) {
            report("ncclCommDestroy", run, rank, bound);
            assertEquals(new WorkerEvent.Hung(rank, "ncclCommDestroy", CHECK, 3000), run.hung(rank));
            assertEndedItself(run, rank, "ncclCommDestroy");
            assertTrue(run.sinceEntered(rank).compareTo(bound.plus(SLACK)) <= 0, "took " + run.sinceEntered(rank));
        }
    }
}
