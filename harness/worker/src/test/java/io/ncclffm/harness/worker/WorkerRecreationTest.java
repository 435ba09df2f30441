package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.Communicator;
import io.ncclffm.NcclException;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * After a collective times out or leaves the communicator broken, the worker re-creates the communicator and
 * goes on, up to NCCLFFM_MAX_RECREATES times; past that the rest are blocked. Runs the worker's step loop on the
 * stub library with check bodies that fail the way NCCL and the device do.
 */
class WorkerRecreationTest {

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RankWorker worker(WorkerConfig config) {
        return new RankWorker(config, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private List<WorkerEvent> events() {
        return out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).toList();
    }

    private Map<String, CheckResult> results() {
        Map<String, CheckResult> m = new LinkedHashMap<>();
        for (WorkerEvent e : events()) if (e instanceof WorkerEvent.Check c) m.put(c.result().id(), c.result());
        return m;
    }

    private List<String> progress() {
        List<String> p = new ArrayList<>();
        for (WorkerEvent e : events()) if (e instanceof WorkerEvent.Progress pr && !pr.phase().matches("c\\d|comm-destroy")) p.add(pr.phase());
        return p;
    }

    private static RankWorker.Step collective(String id, CheckBody body) {
        return RankWorker.Step.collective(CheckSpec.of(id, "g", Map.of(), body), RankWorker.Needs.COMMUNICATOR);
    }

    /** What the binding does when a non-blocking wait runs out: abort, then throw. */
    private static CheckBody ncclTimeout(RankSession s) {
        return () -> {
            s.comm.abort();
            throw new NcclTimeoutException("ncclAllReduce", Duration.ofSeconds(60), null);
        };
    }

    /** A kernel that never finished: the stream sync runs out, the communicator is still open. */
    private static CheckBody streamTimeout() {
        return () -> {
            throw new DeviceTimeoutException("stream 0x1", Duration.ofSeconds(60));
        };
    }

    private static CheckBody passes(RankSession s, List<Communicator> seen) {
        return () -> {
            seen.add(s.comm);
            return s.comm.isOpen() ? Outcome.passed("generation " + s.generation) : Outcome.failed(Cause.OTHER_FAILURE, "closed");
        };
    }

    @Test
    void afterATimeout_theCommunicatorIsRecreated_andLaterChecksRun_untilTheLimitBlocksTheRest() {
        WorkerConfig config = WorkerSessions.config(WorkerConfig.MAX_RECREATES, "2");
        RankWorker worker = worker(config);
        List<Communicator> seen = new ArrayList<>();
        try (RankSession s = WorkerSessions.withCommunicator(stub, config)) {
            Communicator first = s.comm;
            worker.runSteps(s, List.of(
                    collective("c1", ncclTimeout(s)),
                    collective("c2", passes(s, seen)),
                    collective("c3", streamTimeout()),
                    collective("c4", passes(s, seen)),
                    collective("c5", streamTimeout()),
                    collective("c6", passes(s, seen)),
                    new RankWorker.Step(CheckSpec.of("comm-destroy", "comm-destroy", Map.of(), () -> Outcome.passed("x")),
                            RankWorker.Needs.COMMUNICATOR, null)));
            assertEquals(2, s.generation, "re-created after each of the first two timeouts");
            assertFalse(first.isOpen(), "the timed-out communicator was aborted");
            assertEquals(2, seen.size());
            assertTrue(seen.get(0) != first && seen.get(1) != seen.get(0), "each re-creation made a new communicator");
        } finally {
            stub.load(22203);
        }
        Map<String, CheckResult> r = results();
        assertEquals(Cause.TIMEOUT, r.get("c1").cause());
        assertEquals(CheckStatus.PASSED, r.get("c2").status());
        assertEquals("generation 1", r.get("c2").message());
        assertEquals(Cause.TIMEOUT, r.get("c3").cause());
        assertEquals("generation 2", r.get("c4").message());
        assertEquals(Cause.TIMEOUT, r.get("c5").cause());
        String blocked = "not run: the communicator is unusable after c5 timed out, and the limit of 2 re-creation(s)"
                + " (NCCLFFM_MAX_RECREATES) is reached; the last was after c3";
        assertEquals(Cause.BLOCKED, r.get("c6").cause());
        assertEquals(blocked, r.get("c6").message());
        assertEquals(Cause.BLOCKED, r.get("comm-destroy").cause());
        assertEquals(List.of(
                "re-creating the communicator (1 of at most 2 after timeouts) after c1 timed out",
                "communicator re-created after c1: generation 1",
                "re-creating the communicator (2 of at most 2 after timeouts) after c3 timed out",
                "communicator re-created after c3: generation 2",
                "not re-creating the communicator after c5 timed out: limit of 2 re-creation(s) reached"), progress());
        assertEquals(WorkerExit.TIMED_OUT, worker.exitCode(), "a timeout decides the exit code though later checks passed");
    }

    @Test
    void withNoRecreatesAllowed_theFirstTimeoutBlocksTheRest() {
        WorkerConfig config = WorkerSessions.config(WorkerConfig.MAX_RECREATES, "0");
        RankWorker worker = worker(config);
        List<Communicator> seen = new ArrayList<>();
        try (RankSession s = WorkerSessions.withCommunicator(stub, config)) {
            worker.runSteps(s, List.of(collective("c1", ncclTimeout(s)), collective("c2", passes(s, seen))));
            assertEquals(0, s.generation);
        }
        assertTrue(seen.isEmpty());
        assertEquals("not run: the communicator is unusable after c1 timed out, and the limit of 0 re-creation(s)"
                + " (NCCLFFM_MAX_RECREATES) is reached", results().get("c2").message());
        assertEquals(WorkerExit.TIMED_OUT, worker.exitCode());
    }

    @Test
    void wrongValuesOnAHealthyCommunicator_keepTheCommunicator() {
        WorkerConfig config = WorkerSessions.config();
        RankWorker worker = worker(config);
        List<Communicator> seen = new ArrayList<>();
        try (RankSession s = WorkerSessions.withCommunicator(stub, config)) {
            Communicator first = s.comm;
            worker.runSteps(s, List.of(
                    collective("c1", () -> Outcome.failed(Cause.WRONG_VALUES, "1 of 1 elements differ")),
                    collective("c2", passes(s, seen))));
            assertEquals(0, s.generation);
            assertEquals(List.of(first), seen);
        }
        assertTrue(progress().isEmpty(), progress().toString());
        assertEquals(WorkerExit.CHECKS_FAILED, worker.exitCode());
    }
}
