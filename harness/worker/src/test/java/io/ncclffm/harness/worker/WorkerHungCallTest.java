package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ncclffm.DataType;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.ReduceOp;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * A call into the library that never returns ends the rank at once: the worker reports the check it hung in
 * (failed, timed out, naming the call), the rest of its plan as not run, and done, and exits; it re-creates no
 * communicator after it. The stub library blocks in the call until the test lets it go; the steps run on a thread of
 * their own, as the worker's main thread runs them, watched by the worker's {@link CallGuard}.
 */
@Timeout(120)
class WorkerHungCallTest {

    /** Short bounds, so that each case takes seconds: the collective timeout, and the init timeout above it. */
    static final WorkerConfig CONFIG = WorkerSessions.config(WorkerConfig.COLLECTIVE_TIMEOUT, "1", WorkerConfig.INIT_TIMEOUT, "2");
    /** How long a test waits for the rank to end; far above every bound here. */
    static final long ENDS_WITHIN_SECONDS = 60;

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<WorkerExit> exit = new CompletableFuture<>();
    private final RankWorker worker = new RankWorker(CONFIG, new PrintStream(out, true, StandardCharsets.UTF_8), exit::complete);
    private RankSession session;
    private Thread checks;
    private CallGuard guard;

    @AfterEach
    void letTheCallsGo() throws Exception {
        stub.releaseHangs();
        if (checks != null) assertTrue(checks.join(Duration.ofSeconds(30)), "the check thread returned once the stub let go");
        if (guard != null) guard.close();
        if (session != null) session.close();
        stub.load(22203);
    }

    /** Runs {@code plan} as the worker does after announcing it (then {@code after}), on a watched thread of its own. */
    private void start(List<RankWorker.Step> plan, Runnable after) {
        checks = Thread.ofPlatform().name("checks").start(() -> {
            worker.announce(plan);
            worker.runSteps(session, plan);
            after.run();
        });
        guard = worker.guard(checks);
    }

    private WorkerExit awaitExit() throws Exception {
        return exit.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
    }

    private List<WorkerEvent> events() {
        return out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).toList();
    }

    private Map<String, CheckResult> results() {
        Map<String, CheckResult> m = new LinkedHashMap<>();
        for (WorkerEvent e : events()) if (e instanceof WorkerEvent.Check c) m.put(c.result().id(), c.result());
        return m;
    }

    private WorkerEvent.Hung hung() {
        return events().stream().filter(e -> e instanceof WorkerEvent.Hung).map(e -> (WorkerEvent.Hung) e).findFirst()
                .orElseThrow(() -> new AssertionError("no hung event: " + events()));
    }

    private static RankWorker.Step collective(String id, CheckBody body) {
        return RankWorker.Step.collective(CheckSpec.of(id, "g", Map.of(), body), RankWorker.Needs.COMMUNICATOR);
    }

    private static RankWorker.Step passing(String id) {
        return collective(id, () -> Outcome.passed("fine"));
    }

    /** Done is the last event, and its counts are those of the results, as the controller holds it. */
    private void assertDoneAddsUp() {
        List<WorkerEvent> events = events();
        WorkerEvent.Done done = assertInstanceOf(WorkerEvent.Done.class, events.getLast(), "done comes last: " + events);
        Map<CheckStatus, Integer> counts = new LinkedHashMap<>();
        for (CheckResult r : results().values()) counts.merge(r.status(), 1, Integer::sum);
        assertEquals(counts.getOrDefault(CheckStatus.PASSED, 0), done.passed());
        assertEquals(counts.getOrDefault(CheckStatus.FAILED, 0), done.failed());
        assertEquals(counts.getOrDefault(CheckStatus.SKIPPED, 0), done.skipped());
        assertEquals(counts.getOrDefault(CheckStatus.BROKEN, 0), done.broken());
    }

    /** Once the stub lets the call go, the late return is not reported: the rank had ended. */
    private void assertNothingReportedAfterTheEnd() throws Exception {
        int before = events().size();
        stub.releaseHangs();
        assertTrue(checks.join(Duration.ofSeconds(30)), "the check thread returned once the stub let go");
        assertEquals(before, events().size(), "nothing after the end: " + events().subList(before - 1, events().size()));
    }

    @Test
    void anAllReduceThatNeverReturns_failsItsCheckNamingTheCall_andEndsTheRankAfterTheCollectiveTimeout() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_ALLREDUCE);
        RankSession s = session;
        start(List.of(passing("c1"),
                collective("allreduce/float32/sum/1/in-place", () -> {
                    s.comm.allReduce(0x1000, 0x2000, 1, DataType.FLOAT32, ReduceOp.SUM, 0);
                    return Outcome.passed("returned");
                }),
                passing("c3")), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals(new WorkerEvent.Hung(0, "ncclAllReduce", "allreduce/float32/sum/1/in-place", 1000), hung());
        Map<String, CheckResult> r = results();
        assertEquals(CheckStatus.PASSED, r.get("c1").status());
        CheckResult hungCheck = r.get("allreduce/float32/sum/1/in-place");
        assertEquals(Cause.TIMEOUT, hungCheck.cause());
        assertTrue(hungCheck.message().startsWith("ncclAllReduce did not return within 1 s (the collective timeout); a call"
                + " NCCL never returns from cannot be recovered in this process, so the rank ends here"), hungCheck.message());
        assertEquals("ncclAllReduce", hungCheck.data().get(Reporter.HUNG_CALL));
        assertTrue(hungCheck.millis() >= 1000, "reported only once the call had overrun its bound: " + hungCheck.millis() + " ms");
        assertEquals(Cause.BLOCKED, r.get("c3").cause());
        assertEquals("not run: ncclAllReduce did not return within 1 s (the collective timeout) in"
                + " allreduce/float32/sum/1/in-place, and the rank ended", r.get("c3").message());
        assertDoneAddsUp();
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void anAbortThatNeverReturns_whileReCreatingTheCommunicator_endsTheRank_withoutReCreatingIt() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_ABORT);
        start(List.of(
                collective("c1", () -> {
                    throw new DeviceTimeoutException("stream 0x1", Duration.ofSeconds(1));
                }),
                passing("c2")), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        WorkerEvent.Hung hung = hung();
        assertEquals("ncclCommAbort", hung.call());
        assertEquals("re-creating the communicator (1 of at most 3 after timeouts) after c1 timed out", hung.phase());
        Map<String, CheckResult> r = results();
        assertEquals(Cause.TIMEOUT, r.get("c1").cause(), "reported before the re-creation began");
        assertEquals("not run: ncclCommAbort did not return within 1 s (the collective timeout) in re-creating the"
                + " communicator (1 of at most 3 after timeouts) after c1 timed out, and the rank ended", r.get("c2").message());
        assertTrue(stub.calls().endsWith(",ncclCommAbort,"), "no new communicator after the abort that hung: " + stub.calls());
        assertTrue(events().stream().noneMatch(e -> e instanceof WorkerEvent.Progress p && p.phase().startsWith("communicator re-created")));
        assertDoneAddsUp();
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void anAbortThatNeverReturns_afterANonBlockingWaitRanOut_isNamed_notTheWait() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.setAsyncError(7, "");   // ncclInProgress for ever: the binding's wait runs out and aborts
        stub.hang(StubNcclLibrary.HANG_ABORT);
        RankSession s = session;
        start(List.of(collective("c1", () -> {
            s.comm.awaitReady();
            return Outcome.passed("ready");
        }), passing("c2")), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals(new WorkerEvent.Hung(0, "ncclCommAbort", "c1", 1000), hung());
        assertTrue(results().get("c1").message().startsWith("ncclCommAbort did not return within 1 s (the collective timeout)"),
                results().get("c1").message());
        assertTrue(results().get("c1").millis() >= 2000 + 1000, "the wait (the init bound, 2 s) ran out, then the abort its"
                + " own bound: " + results().get("c1").millis() + " ms");
        assertEquals(Cause.BLOCKED, results().get("c2").cause());
        assertDoneAddsUp();
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void aDestroyThatNeverReturns_failsCommDestroy_namingIt() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_DESTROY);
        start(List.of(passing("c1"), new RankWorker.Step(CheckSpec.of("comm-destroy", "comm-destroy", Map.of(),
                CommunicatorChecks.body(session, CheckKey.Lifecycle.DESTROY)), RankWorker.Needs.COMMUNICATOR, null)), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals(new WorkerEvent.Hung(0, "ncclCommDestroy", "comm-destroy", 1000), hung());
        CheckResult destroy = results().get("comm-destroy");
        assertEquals(Cause.TIMEOUT, destroy.cause());
        assertTrue(destroy.message().startsWith("ncclCommDestroy did not return within 1 s (the collective timeout)"), destroy.message());
        assertDoneAddsUp();
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void anInitThatNeverReturns_endsTheRankAfterTheInitTimeout_notTheCollectiveOne() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_INIT);
        start(List.of(new RankWorker.Step(CheckSpec.of("init-without-gpu", "init-without-gpu", Map.of(),
                CommunicatorChecks.body(session, CheckKey.Lifecycle.INIT_WITHOUT_GPU)), RankWorker.Needs.UNIQUE_ID, null),
                passing("c2")), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals(new WorkerEvent.Hung(0, "ncclCommInitRankConfig", "init-without-gpu", 2000), hung());
        CheckResult init = results().get("init-without-gpu");
        assertTrue(init.message().startsWith("ncclCommInitRankConfig did not return within 2 s (the init timeout)"), init.message());
        assertTrue(init.millis() >= 2000, "not before the init timeout: " + init.millis() + " ms");
        assertEquals(Cause.BLOCKED, results().get("c2").cause());
        assertDoneAddsUp();
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void aCheckThatSawACallNotReturnOnAThreadOfItsOwn_endsTheRank_withoutReCreatingTheCommunicator() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        CallGuard.HungCall abort = new CallGuard.HungCall("ncclCommAbort", Duration.ofSeconds(25), "the bound of the check");
        start(List.of(collective("abort/with-live-graph", () -> Outcome.callHung(abort, "ncclCommAbort did not return")),
                passing("c2")), () -> { });

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals(new WorkerEvent.Hung(0, "ncclCommAbort", "abort/with-live-graph", 25_000), hung());
        assertEquals("ncclCommAbort did not return", results().get("abort/with-live-graph").message());
        assertEquals(Cause.BLOCKED, results().get("c2").cause());
        assertEquals(0, session.generation, "no communicator was re-created");
        assertTrue(events().stream().noneMatch(e -> e instanceof WorkerEvent.Progress p && p.phase().startsWith("re-creating")));
        assertDoneAddsUp();
    }

    @Test
    void aCallThatHangsAfterTheLastCheck_isFatal_sinceNoResultCanCarryIt() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_ABORT);
        RankSession s = session;
        start(List.of(passing("c1")), () -> s.comm.abort());   // as the session's close aborts a communicator left open

        assertEquals(WorkerExit.TIMED_OUT, awaitExit());
        assertEquals("ncclCommAbort", hung().call());
        List<WorkerEvent> events = events();
        WorkerEvent.Fatal fatal = assertInstanceOf(WorkerEvent.Fatal.class, events.getLast(), events.toString());
        assertEquals("ncclCommAbort did not return within 1 s (the collective timeout) in c1, after its last check; the"
                + " rank ends here", fatal.message());
        assertTrue(events.stream().noneMatch(e -> e instanceof WorkerEvent.Done), "no done: the rank did not finish");
        assertEquals(CheckStatus.PASSED, results().get("c1").status());
        assertNothingReportedAfterTheEnd();
    }

    @Test
    void aWaitThatPollsLongerThanTheBound_isNoHungCall() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.setAsyncError(7, "");   // ncclInProgress for ever: the binding polls until its wait (2 s) runs out
        RankSession s = session;
        start(List.of(collective("c1", () -> {
            try {
                s.comm.awaitReady();
                return Outcome.failed(Cause.OTHER_FAILURE, "ready, though the stub said in progress");
            } catch (NcclTimeoutException e) {
                return Outcome.passed("the wait ran out after many calls, each of which returned");
            }
        })), () -> { });
        assertTrue(checks.join(Duration.ofSeconds(ENDS_WITHIN_SECONDS)), "the steps finished");
        assertFalse(exit.isDone(), "the rank was not ended");
        CheckResult c1 = results().get("c1");
        assertEquals(CheckStatus.PASSED, c1.status(), c1.message());
        assertTrue(c1.millis() >= 2000, "the polls went on for longer than the collective timeout: " + c1.millis() + " ms");
        assertTrue(events().stream().noneMatch(e -> e instanceof WorkerEvent.Hung), events().toString());
    }

    @Test
    void aCallThatReturnsWhileTheRankIsBeingEnded_isNotReportedAsHung() throws Exception {
        session = WorkerSessions.withCommunicator(stub, CONFIG);
        stub.hang(StubNcclLibrary.HANG_ALLREDUCE);
        RankSession s = session;
        Thread caller = Thread.ofPlatform().start(() -> s.comm.allReduce(0x1000, 0x2000, 1, DataType.FLOAT32, ReduceOp.SUM, 0));
        CompletableFuture<Boolean> stillInCall = new CompletableFuture<>();
        try (CallGuard g = CallGuard.start(caller, CONFIG, (call, still) -> {
            stub.releaseHangs();
            try {
                assertTrue(caller.join(Duration.ofSeconds(30)), "the call returned once the stub let go");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stillInCall.complete(still.getAsBoolean());
            return false;
        })) {
            assertFalse(stillInCall.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS), "the guard asks again before ending the rank");
        }
    }

    @Test
    void theBoundOfACall_isTheInitBoundForNonBlockingInit_theCollectiveTimeoutForTheRest_andNoneForBlockingInit() {
        assertEquals(new CallGuard.HungCall("ncclCommInitRankConfig", Duration.ofSeconds(2), "the init timeout"),
                CallGuard.boundOf("ncclCommInitRankConfig", CONFIG));
        WorkerConfig longCollectives = WorkerSessions.config(WorkerConfig.COLLECTIVE_TIMEOUT, "300", WorkerConfig.INIT_TIMEOUT, "2");
        assertEquals(Duration.ofSeconds(300), CallGuard.boundOf("ncclCommInitRankConfig", longCollectives).bound());
        for (String call : List.of("ncclAllReduce", "ncclCommAbort", "ncclCommDestroy", "ncclCommFinalize", "ncclGroupEnd")) {
            assertEquals(new CallGuard.HungCall(call, Duration.ofSeconds(1), "the collective timeout"), CallGuard.boundOf(call, CONFIG));
        }
        assertNull(CallGuard.boundOf("ncclCommInitRank", CONFIG), "the driver may compile PTX inside a blocking init for minutes");
    }

    @Test
    void aThreadIsInACall_onlyWhenItsTopFrameOutsideTheJdkIsTheRawLayer() {
        StackTraceElement raw = new StackTraceElement("io.ncclffm.internal.NcclCoreApi", "ncclCommAbort", "NcclCoreApi.java", 1);
        StackTraceElement jdk = new StackTraceElement("java.lang.invoke.LambdaForm$MH", "invoke", null, -1);
        StackTraceElement facade = new StackTraceElement("io.ncclffm.Communicator", "abort", "Communicator.java", 1);
        StackTraceElement park = new StackTraceElement("jdk.internal.misc.Unsafe", "park", null, -2);
        StackTraceElement downcall = new StackTraceElement("io.ncclffm.internal.Downcall", "handle", "Downcall.java", 1);
        assertEquals("ncclCommAbort", CallGuard.callIn(new StackTraceElement[] {raw, facade}));
        assertEquals("ncclCommAbort", CallGuard.callIn(new StackTraceElement[] {jdk, raw, facade}));
        assertNull(CallGuard.callIn(new StackTraceElement[] {park, facade}), "waiting in Java between calls");
        assertNull(CallGuard.callIn(new StackTraceElement[] {downcall, raw, facade}), "binding the call, not in it");
        assertNull(CallGuard.callIn(new StackTraceElement[0]), "a thread that has ended");
    }
}
