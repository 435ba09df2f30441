package io.ncclffm.harness.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.launch.WorkerStreams;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.UniqueIdFingerprint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/** Merging what ranks reported, on constructed rank outputs that go through the real JSON line codec. */
class CellVerdictsTest {

    private static final Cell CELL = Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 9))
            .source(new Cell.HostLibrary("/x.so"), "/x.so").worlds(List.of(2)).timeout(Duration.ofMinutes(1)).line(3)
            .build();

    /** A rank that finished (its done and exit agree with what it reported) or died of SIGKILL in allreduce/x. */
    private static RankOutput rank(int r, boolean done, WorkerEvent... events) {
        return done ? WorkerStreams.finished(r, events) : WorkerStreams.ended(r, RankEnding.exited(137, false, "allreduce/x"), events);
    }

    private static WorkerEvent check(int rank, String id, CheckStatus s, String msg, Map<String, String> data) {
        Cause cause = switch (s) {
            case PASSED -> null;
            case FAILED -> Cause.WRONG_VALUES;
            case SKIPPED -> Cause.RELEASE_GAP;
            case BROKEN -> Cause.INFRASTRUCTURE;
        };
        return check(rank, id, s, cause, msg, data);
    }

    private static WorkerEvent check(int rank, String id, CheckStatus s, Cause cause, String msg, Map<String, String> data) {
        return new WorkerEvent.Check(rank, new CheckResult(rank, id, id.split("/")[0], Map.of("dtype", "float32"), s, msg, 1,
                s == CheckStatus.FAILED ? List.of(new Mismatch(5, "2.0", "3.0")) : List.of(), data, cause));
    }

    /** A passed unique-ID exchange: the rank will use the ID of {@code fingerprint}. */
    private static WorkerEvent exchanged(int rank, String msg, String fingerprint) {
        return new WorkerEvent.Check(rank, new CheckResult(rank, "unique-id", "unique-id", Map.of(), CheckStatus.PASSED, msg, 1,
                List.of(), Map.of(), null, null, UniqueIdFingerprint.of(fingerprint)));
    }

    private static WorkerEvent plan(int rank, String... ids) {
        return new WorkerEvent.Plan(rank, java.util.Arrays.stream(ids)
                .map(id -> new WorkerEvent.PlannedCheck(id, id.split("/")[0], Map.of(), List.of())).toList());
    }

    private static Map<String, Verdict> merge(Matrix m, RankOutput... ranks) {
        return CellVerdicts.of(new CellRun(CELL, ranks.length, "process", List.of(ranks), Duration.ofSeconds(1), null), m)
                .stream().collect(Collectors.toMap(Verdict::checkId, v -> v));
    }

    private static final Matrix NO_WAIVERS = new Matrix(Path.of("m.yaml"), List.of(CELL), List.of());

    @Test
    void agreeingRanks_pass_andFingerprintsAreCompared() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "unique-id", "allreduce/a"), exchanged(0, "created", "aa"),
                        check(0, "allreduce/a", CheckStatus.PASSED, "ok", Map.of())),
                rank(1, true, plan(1, "unique-id", "allreduce/a"), exchanged(1, "fetched", "aa"),
                        check(1, "allreduce/a", CheckStatus.PASSED, "ok", Map.of())));
        assertEquals(CheckStatus.PASSED, v.get("allreduce/a").status());
        assertEquals("ok (all 2 ranks)", v.get("allreduce/a").message());
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.UNIQUE_ID_AGREEMENT).status());
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANKS_FINISHED).status());
    }

    @Test
    void differentFingerprints_fail() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "unique-id"), exchanged(0, "created", "aa")),
                rank(1, true, plan(1, "unique-id"), exchanged(1, "fetched", "bb")));
        assertEquals(CheckStatus.FAILED, v.get(CellVerdicts.UNIQUE_ID_AGREEMENT).status());
        assertTrue(v.get(CellVerdicts.UNIQUE_ID_AGREEMENT).message().contains("{0=aa, 1=bb}"));
    }

    @Test
    void oneFailingRank_failsTheCheck_andKeepsItsMismatches() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "allreduce/a"), check(0, "allreduce/a", CheckStatus.PASSED, "ok", Map.of())),
                rank(1, true, plan(1, "allreduce/a"), check(1, "allreduce/a", CheckStatus.FAILED, "1 of 3 differ", Map.of())));
        Verdict a = v.get("allreduce/a");
        assertEquals(CheckStatus.FAILED, a.status());
        assertEquals("rank 1: 1 of 3 differ", a.message());
        assertEquals(List.of(new Mismatch(5, "2.0", "3.0")), a.mismatches());
    }

    @Test
    void plannedButNeverReported_isBrokenWithHowTheRankEnded() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "allreduce/a", "allreduce/b"), check(0, "allreduce/a", CheckStatus.PASSED, "ok", Map.of()),
                        check(0, "allreduce/b", CheckStatus.FAILED, Cause.TIMEOUT, "timed out: ncclAllReduce did not complete", Map.of())),
                rank(1, false, plan(1, "allreduce/a", "allreduce/b"), check(1, "allreduce/a", CheckStatus.PASSED, "ok", Map.of())));
        assertEquals(CheckStatus.PASSED, v.get("allreduce/a").status(), "measured before the death: kept");
        Verdict b = v.get("allreduce/b");
        assertEquals(CheckStatus.BROKEN, b.status());
        assertTrue(b.perRank().get(1).message().contains("never reported: the rank died of SIGKILL"), b.perRank().toString());
        assertEquals(CheckStatus.BROKEN, b.perRank().get(1).status());
        assertEquals(Cause.INFRASTRUCTURE, b.perRank().get(0).cause(), "the peer's timeout is the death's doing");
        assertTrue(b.perRank().get(0).message().contains("caused by rank 1 died of SIGKILL"), "the peer's timeout is the death's doing: " + b.perRank());
        assertEquals(CheckStatus.BROKEN, v.get(CellVerdicts.RANKS_FINISHED).status());
    }

    @Test
    void aCallThatNeverReturned_failsItsCheckAsATimeoutNamingTheCall_notAsThePeersDeath() {
        String hung = "ncclAllReduce did not return within 60 s (the collective timeout); a call NCCL never returns from"
                + " cannot be recovered in this process, so the rank ends here";
        // Rank 1 said so and ended itself; rank 0, whose own wait timed out, was killed 5 s later by the supervisor.
        RankOutput rank1 = rank(1, true, plan(1, "allreduce/a", "allreduce/b"),
                new WorkerEvent.Hung(1, "ncclAllReduce", "allreduce/a", 60_000),
                check(1, "allreduce/a", CheckStatus.FAILED, Cause.TIMEOUT, hung, Map.of("hungCall", "ncclAllReduce")),
                check(1, "allreduce/b", CheckStatus.SKIPPED, Cause.BLOCKED, "not run: ncclAllReduce did not return", Map.of()));
        RankOutput rank0 = WorkerStreams.ended(0, RankEnding.killed(RankEnding.KillReason.PEER_HUNG,
                        "killed 5 s after a peer hung (rank 1 hung in ncclAllReduce during allreduce/a: it did not return within 60 s)",
                        "re-creating the communicator"),
                plan(0, "allreduce/a", "allreduce/b"),
                check(0, "allreduce/a", CheckStatus.FAILED, Cause.TIMEOUT, "timed out: stream sync", Map.of()));
        Map<String, Verdict> v = merge(NO_WAIVERS, rank0, rank1);
        Verdict a = v.get("allreduce/a");
        assertEquals(CheckStatus.FAILED, a.status(), "a product's hang, not the peer's death: " + a.perRank());
        assertEquals(Cause.TIMEOUT, a.cause());
        assertEquals("rank 0: timed out: stream sync; rank 1: " + hung, a.message());
        assertTrue(v.get("allreduce/b").perRank().get(0).message().contains("after a peer hung (rank 1 hung in ncclAllReduce"),
                v.get("allreduce/b").perRank().toString());
        Verdict finished = v.get(CellVerdicts.RANKS_FINISHED);
        assertEquals(CheckStatus.BROKEN, finished.status());
        assertTrue(finished.message().contains("rank 1 exited with 3 after ncclAllReduce did not return within 60 s during allreduce/a"),
                finished.message());
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
    }

    @Test
    void wrongValuesOnARankWhosePeerDied_stayAFailure() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "allreduce/b"), check(0, "allreduce/b", CheckStatus.FAILED, Cause.WRONG_VALUES,
                        "1 of 3 differ", Map.of())),
                rank(1, false, plan(1, "allreduce/b")));
        assertEquals(CheckStatus.BROKEN, v.get("allreduce/b").status(), "the dead rank's part is broken");
        assertEquals(new Verdict.RankResult(CheckStatus.FAILED, Cause.WRONG_VALUES, "1 of 3 differ"), v.get("allreduce/b").perRank().get(0),
                "only a timeout is blamed on the dead peer: " + v.get("allreduce/b").perRank());
    }

    @Test
    void deviceChecks_areToldFromHostChecks() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "version", "allreduce/a"), check(0, "version", CheckStatus.PASSED, "ok", Map.of()),
                        check(0, "allreduce/a", CheckStatus.SKIPPED, Cause.NO_GPU, "needs a GPU", Map.of())));
        assertTrue(!v.get("version").device());
        assertTrue(v.get("allreduce/a").device());
        assertEquals(Cause.NO_GPU, v.get("allreduce/a").cause());
    }

    @Test
    void waivedFailure_isSkippedWithReasonAndLink_andAPassingWaivedCheckIsStale() {
        Matrix waived = new Matrix(Path.of("m.yaml"), List.of(CELL), List.of(
                new Waiver("c", "graph/*", List.of(), "cuMem under capture", "https://github.com/NVIDIA/nccl/issues/1234", Waiver.Kind.KNOWN_GAP, 9)));
        Map<String, Verdict> v = merge(waived,
                rank(0, true, plan(0, "graph/x", "graph/y"), check(0, "graph/x", CheckStatus.FAILED, "out of memory", Map.of()),
                        check(0, "graph/y", CheckStatus.PASSED, "ok", Map.of())));
        Verdict x = v.get("graph/x");
        assertEquals(CheckStatus.SKIPPED, x.status());
        assertTrue(x.message().startsWith("WAIVED known-gap: cuMem under capture (https://github.com/NVIDIA/nccl/issues/1234); it failed with: "),
                x.message());
        assertEquals(new Verdict.WaiverNote(Waiver.Kind.KNOWN_GAP, "cuMem under capture", "https://github.com/NVIDIA/nccl/issues/1234"), x.waived());
        assertEquals(CheckStatus.PASSED, v.get("graph/y").status());
        assertNotNull(v.get("graph/y").stale(), "a waiver on a passing check is reported stale");
    }

    @Test
    void infrastructureFailureBeforeAnyOutput_isOneBrokenCellStart() {
        RankOutput r0 = new RankOutput(0);
        r0.ended(RankEnding.notStarted("never started: image build failed"));
        List<Verdict> v = CellVerdicts.of(new CellRun(CELL, 1, "container", List.of(r0), Duration.ZERO, "image build failed"), NO_WAIVERS);
        assertEquals(1, v.size());
        assertEquals(CellVerdicts.CELL_START, v.getFirst().checkId());
        assertEquals(CheckStatus.BROKEN, v.getFirst().status());
    }

    @Test
    void whenNoRankCouldMakeAUniqueId_theAgreementIsNotRunWithTheReason_notBroken() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "unique-id"), check(0, "unique-id", CheckStatus.SKIPPED, Cause.DEVICE_GAP, "needs a GPU on this release", Map.of())),
                rank(1, true, plan(1, "unique-id"), check(1, "unique-id", CheckStatus.SKIPPED, Cause.BLOCKED, "rank 0 could not create the unique ID",
                        Map.of())));
        Verdict agreement = v.get(CellVerdicts.UNIQUE_ID_AGREEMENT);
        assertEquals(CheckStatus.SKIPPED, agreement.status(), agreement.message());
        assertEquals(Cause.DEVICE_GAP, agreement.cause());
        assertTrue(agreement.message().startsWith("no rank has a unique ID to compare: needs a GPU on this release"), agreement.message());
    }

    @Test
    void wellFormedRanks_reconcile() {
        Map<String, Verdict> v = merge(NO_WAIVERS,
                rank(0, true, plan(0, "allreduce/a"), check(0, "allreduce/a", CheckStatus.FAILED, "1 of 3 differ", Map.of())),
                rank(1, true, plan(1, "allreduce/a"), check(1, "allreduce/a", CheckStatus.PASSED, "ok", Map.of())));
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
        assertEquals(CheckStatus.PASSED, v.get("load").status());
        assertEquals(CheckStatus.FAILED, v.get("allreduce/a").status());
    }

    /** Rank 1's events as a forger would leave them; rank 0 is well formed. */
    private static Map<String, Verdict> withForgedRank1(WorkerEvent... rank1) {
        RankOutput r1 = new RankOutput(1);
        for (WorkerEvent e : rank1) r1.acceptStdout(EventCodec.encode(e));
        r1.ended(RankEnding.exited(0, true, "done"));
        return merge(NO_WAIVERS, rank(0, true, plan(0, "version"), check(0, "version", CheckStatus.PASSED, "ok", Map.of())), r1);
    }

    private static WorkerEvent hello(int r) {
        return new WorkerEvent.Hello(r, 2, 7, "h", "25", Map.of());
    }

    private static WorkerEvent loaded(int r) {
        return new WorkerEvent.Loaded(r, WorkerStreams.LIBRARY);
    }

    private static void assertRank1Broken(Map<String, Verdict> v, String because) {
        Verdict events = v.get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("rank 1: ") && events.message().contains(because), events.message());
        assertTrue(!events.message().contains("rank 0: "), "rank 0 adds up: " + events.message());
        assertEquals(CheckStatus.BROKEN, v.get("version").perRank().get(1).status(), "rank 1's results count for nothing");
        assertEquals(CheckStatus.PASSED, v.get("version").perRank().get(0).status());
    }

    @Test
    void aCheckReportedTwice_breaksTheRank_andTheFirstReportIsNotOverwritten() {
        Map<String, Verdict> v = withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "version"),
                check(1, "version", CheckStatus.FAILED, Cause.WRONG_VERSION, "decoded 2.22.2", Map.of()),
                WorkerStreams.passed(1, "version"), new WorkerEvent.Done(1, 2, 0, 0, 0, 1));
        assertRank1Broken(v, "reported more than once: version");
        assertTrue(v.get("version").perRank().get(1).message().contains("it reported failed: decoded 2.22.2"),
                "the first report is the one shown: " + v.get("version").perRank().get(1));
    }

    @Test
    void doneCountsThatDifferFromTheResults_breakTheRank() {
        Map<String, Verdict> v = withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "version"),
                WorkerStreams.passed(1, "version"), new WorkerEvent.Done(1, 7, 0, 0, 0, 1));
        assertRank1Broken(v, "done counts 7 passed, 0 failed, 0 skipped, 0 broken, but its results count 2 passed");
    }

    @Test
    void anExitStatusTheResultsContradict_breaksTheRank() {
        RankOutput r1 = new RankOutput(1);
        for (WorkerEvent e : List.of(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "version"),
                check(1, "version", CheckStatus.FAILED, Cause.WRONG_VERSION, "decoded 2.22.2", Map.of()),
                new WorkerEvent.Done(1, 1, 1, 0, 0, 1))) {
            r1.acceptStdout(EventCodec.encode(e));
        }
        r1.ended(RankEnding.exited(0, true, "done"));
        Map<String, Verdict> v = merge(NO_WAIVERS, rank(0, true, plan(0, "version"), check(0, "version", CheckStatus.PASSED, "ok", Map.of())), r1);
        assertRank1Broken(v, "exited with 0 (ALL_PASSED), but its results call for 1 (CHECKS_FAILED)");
    }

    @Test
    void anEventAfterDone_breaksTheRank() {
        Map<String, Verdict> v = withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "version"),
                WorkerStreams.passed(1, "version"), new WorkerEvent.Done(1, 2, 0, 0, 0, 1), new WorkerEvent.Progress(1, "x"));
        assertRank1Broken(v, "an event after done");
    }

    @Test
    void aPlannedCheckNeverReported_byARankThatSaidItWasDone_breaksTheRank() {
        Map<String, Verdict> v = withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "version", "allreduce/a"),
                WorkerStreams.passed(1, "version"), new WorkerEvent.Done(1, 2, 0, 0, 0, 1));
        assertRank1Broken(v, "said it was done with 1 planned check(s) unreported: allreduce/a");
    }

    @Test
    void aCheckNeverPlanned_orAMissingPlan_breaksTheRank() {
        assertRank1Broken(withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), plan(1, "allreduce/a"),
                WorkerStreams.passed(1, "allreduce/a"), WorkerStreams.passed(1, "version"), new WorkerEvent.Done(1, 3, 0, 0, 0, 1)),
                "reported checks it never planned: version");
        assertRank1Broken(withForgedRank1(hello(1), loaded(1), WorkerStreams.passed(1, "load"), WorkerStreams.passed(1, "version"),
                new WorkerEvent.Done(1, 2, 0, 0, 0, 1)), "without a plan after a passing load");
    }

    @Test
    void aRankThatNeverReportsLoad_hasABrokenLoadRow() {
        Map<String, Verdict> v = withForgedRank1(hello(1), plan(1, "version"), WorkerStreams.passed(1, "version"),
                new WorkerEvent.Done(1, 1, 0, 0, 0, 1));
        assertRank1Broken(v, "without reporting load");
        assertEquals(CheckStatus.BROKEN, v.get("load").status(), "load is expected of every rank: " + v.get("load").message());
        assertEquals(CheckStatus.PASSED, v.get("load").perRank().get(0).status());
    }

    @Test
    void aPassingLoadThatNamesNoFile_breaksTheRank() {
        assertRank1Broken(withForgedRank1(hello(1), WorkerStreams.passed(1, "load"), plan(1, "version"), WorkerStreams.passed(1, "version"),
                new WorkerEvent.Done(1, 2, 0, 0, 0, 1)), "load passed without saying which file it loaded");
    }

    @Test
    void linesOnTheEventPipeThatAreNoEvents_breakTheRank() {
        RankOutput r1 = WorkerStreams.finished(1, plan(1, "version"), WorkerStreams.passed(1, "version"));
        RankOutput noisy = new RankOutput(1);
        for (WorkerEvent e : r1.events()) {
            noisy.acceptStdout(EventCodec.encode(e));
            if (e instanceof WorkerEvent.Plan) noisy.acceptStdout("host:1:1 [0] NCCL INFO Bootstrap : Using eth0");
        }
        noisy.ended(r1.ending());
        Map<String, Verdict> v = merge(NO_WAIVERS, rank(0, true, plan(0, "version"), check(0, "version", CheckStatus.PASSED, "ok", Map.of())),
                noisy);
        assertRank1Broken(v, "a line on the event pipe that is not an event: 'host:1:1 [0] NCCL INFO Bootstrap");
    }

    @Test
    void theJvmsLinesBeforeHello_areLogged_notProblems() {
        RankOutput r1 = WorkerStreams.finished(1, plan(1, "version"), WorkerStreams.passed(1, "version"));
        RankOutput early = new RankOutput(1);
        early.acceptStdout("OpenJDK 64-Bit Server VM warning: something the JVM says");
        for (WorkerEvent e : r1.events()) early.acceptStdout(EventCodec.encode(e));
        early.ended(r1.ending());
        assertEquals(List.of(), early.streamProblems());
        assertTrue(early.log().contains("[stdout] OpenJDK 64-Bit Server VM warning"), early.log());
    }

    /** A rank of {@link #CELL} that knows what its configuration calls for, and sends {@code plan} instead. */
    private static RankOutput rankExpecting(int r, List<WorkerEvent.PlannedCheck> plan) {
        Map<String, String> env = io.ncclffm.harness.launch.WorkerEnvironment.forRank(SMALL, 1, r, "127.0.0.1", 29500, "127.0.0.1",
                io.ncclffm.harness.protocol.RendezvousToken.random(), 0, null, null);
        List<WorkerEvent> events = new java.util.ArrayList<>();
        events.add(new WorkerEvent.Plan(r, plan));
        for (WorkerEvent.PlannedCheck pc : plan) events.add(WorkerStreams.passed(r, pc.id()));
        RankOutput probe = WorkerStreams.finished(r, events.toArray(WorkerEvent[]::new));
        RankOutput out = new RankOutput(r);
        out.expectFrom(env);
        for (WorkerEvent e : probe.events()) out.acceptStdout(EventCodec.encode(e));
        out.ended(probe.ending());
        return out;
    }

    private static final Cell SMALL = Cell.builder("small", Flavor.NCCL, NcclVersion.of(2, 28, 9))
            .source(new Cell.HostLibrary("/x.so"), "/x.so").timeout(Duration.ofMinutes(1)).counts(List.of(1))
            .checks(List.of("version")).line(3).build();

    private static List<WorkerEvent.PlannedCheck> duePlan() {
        Map<String, String> env = io.ncclffm.harness.launch.WorkerEnvironment.forRank(SMALL, 1, 0, "127.0.0.1", 29500, "127.0.0.1",
                io.ncclffm.harness.protocol.RendezvousToken.random(), 0, null, null);
        return CheckCatalog.plan(WorkerConfig.fromEnvironment(env)).stream().map(CheckCatalog.Entry::planned).toList();
    }

    private static Map<String, Verdict> mergeSmall(RankOutput rank) {
        return CellVerdicts.of(new CellRun(SMALL, 1, "process", List.of(rank), Duration.ofSeconds(1), null),
                new Matrix(Path.of("m.yaml"), List.of(SMALL), List.of())).stream().collect(Collectors.toMap(Verdict::checkId, v -> v));
    }

    @Test
    void thePlanItsConfigurationCallsFor_reconciles() {
        List<WorkerEvent.PlannedCheck> due = duePlan();
        assertTrue(due.size() >= 3, "version, the unique ID and init at least: " + due);
        Map<String, Verdict> v = mergeSmall(rankExpecting(0, due));
        assertEquals(CheckStatus.PASSED, v.get(CellVerdicts.RANK_EVENTS).status(), v.get(CellVerdicts.RANK_EVENTS).message());
        for (WorkerEvent.PlannedCheck pc : due) assertEquals(CheckStatus.PASSED, v.get(pc.id()).status(), pc.id());
    }

    @Test
    void aPlanThatLeavesOutACheckItsConfigurationCallsFor_breaksTheRank_andTheCheckStillHasARow() {
        List<WorkerEvent.PlannedCheck> due = duePlan();
        WorkerEvent.PlannedCheck dropped = due.stream().filter(pc -> pc.id().equals("version")).findFirst().orElseThrow();
        List<WorkerEvent.PlannedCheck> sent = due.stream().filter(pc -> pc != dropped).toList();
        Map<String, Verdict> v = mergeSmall(rankExpecting(0, sent));
        Verdict events = v.get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("its plan is not the one its configuration calls for: 1 missing (version)"), events.message());
        assertNotNull(v.get("version"), "the left-out check has its row");
        assertEquals(CheckStatus.BROKEN, v.get("version").status(), v.get("version").message());
    }

    @Test
    void aPlanWithAnotherParameter_breaksTheRank() {
        List<WorkerEvent.PlannedCheck> due = new java.util.ArrayList<>(duePlan());
        WorkerEvent.PlannedCheck last = due.removeLast();
        due.add(new WorkerEvent.PlannedCheck(last.id(), last.group(), Map.of("world", "9"), last.requirements()));
        Verdict events = mergeSmall(rankExpecting(0, due)).get(CellVerdicts.RANK_EVENTS);
        assertEquals(CheckStatus.BROKEN, events.status(), events.message());
        assertTrue(events.message().contains("1 with other groups, parameters or needs (" + last.id() + ")"), events.message());
    }

    @Test
    void aRankThatRanAnotherFileThanThePinnedOne_isBrokenInEveryCheck_namingBothHashes() {
        String pin = "cd".repeat(32);
        Cell pinned = CELL.withPinnedSha256(pin);
        RankOutput r0 = rank(0, true, plan(0, "version"), check(0, "version", CheckStatus.PASSED, "ok", Map.of()));
        Map<String, Verdict> v = CellVerdicts.of(new CellRun(pinned, 1, "process", List.of(r0), Duration.ofSeconds(1), null),
                new Matrix(Path.of("m.yaml"), List.of(pinned), List.of())).stream().collect(Collectors.toMap(Verdict::checkId, x -> x));
        for (String id : List.of("load", "version")) {
            assertEquals(CheckStatus.BROKEN, v.get(id).status(), id);
            assertTrue(v.get(id).message().contains("with sha256 " + WorkerStreams.LIBRARY.sha256() + ", but the matrix pins sha256 " + pin),
                    v.get(id).message());
        }
    }

    @Test
    void aRankThatRanThePinnedFile_passes() {
        Cell pinned = CELL.withPinnedSha256(WorkerStreams.LIBRARY.sha256());
        RankOutput r0 = rank(0, true, plan(0, "version"), check(0, "version", CheckStatus.PASSED, "ok", Map.of()));
        Map<String, Verdict> v = CellVerdicts.of(new CellRun(pinned, 1, "process", List.of(r0), Duration.ofSeconds(1), null),
                new Matrix(Path.of("m.yaml"), List.of(pinned), List.of())).stream().collect(Collectors.toMap(Verdict::checkId, x -> x));
        assertEquals(CheckStatus.PASSED, v.get("load").status(), v.get("load").message());
        assertEquals(CheckStatus.PASSED, v.get("version").status());
    }
}
