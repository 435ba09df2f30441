package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/** The whole worker on a cell without a GPU, against the stub library: every planned check gets a typed result. */
class WorkerWithoutGpuTest {

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    private static Map<String, CheckResult> runWorker() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stub.reset(22203, true);
        System.setProperty("ncclffm.so.path", stub.path.toString());
        try {
            new RankWorker(WorkerSessions.config(), new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        } finally {
            System.clearProperty("ncclffm.so.path");
            stub.reset(22203, false);
        }
        Map<String, CheckResult> results = new LinkedHashMap<>();
        out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).filter(Objects::nonNull)
                .forEach(e -> { if (e instanceof WorkerEvent.Check c) results.put(c.result().id(), c.result()); });
        return results;
    }

    @Test
    void userFeatureChecks_withoutAGpu_areSkippedForTheGpuOrTheReleaseTheyNeed() {
        Map<String, CheckResult> results = runWorker();
        for (String id : List.of("self-test", "split/parity", "premulsum/float32", "premulsum/bfloat16",
                "registered-buffers", "allgatherv/grouped-broadcasts", "reducescatterv/grouped-reduces",
                "sendrecv/all-peers", "abort/with-live-graph")) {
            assertEquals(Cause.NO_GPU, results.get(id).cause(), id + ": the 2.22 stub has what it needs but no GPU");
        }
        CheckResult window = results.get("symmetric-window");
        assertEquals(Cause.RELEASE_GAP, window.cause());
        assertTrue(window.message().contains("ncclCommWindowRegister") && window.message().contains("2.27"), window.message());
        CheckResult gather = results.get("gather");
        assertEquals(Cause.RELEASE_GAP, gather.cause());
        assertTrue(gather.message().contains("ncclGather") && gather.message().contains("2.28"), gather.message());
    }

    @Test
    void everyPlannedCheck_isReportedWithTheCauseThatFits() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stub.reset(22203, true);
        System.setProperty("ncclffm.so.path", stub.path.toString());
        WorkerExit code;
        try {
            code = new RankWorker(WorkerSessions.config(), new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        } finally {
            System.clearProperty("ncclffm.so.path");
            stub.reset(22203, false);
        }
        List<WorkerEvent> events = out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).filter(Objects::nonNull).toList();
        WorkerEvent.Plan plan = events.stream().filter(e -> e instanceof WorkerEvent.Plan).map(e -> (WorkerEvent.Plan) e)
                .findFirst().orElseThrow();
        Map<String, CheckResult> results = new LinkedHashMap<>();
        for (WorkerEvent e : events) if (e instanceof WorkerEvent.Check c) results.put(c.result().id(), c.result());
        for (WorkerEvent.PlannedCheck pc : plan.checks()) assertNotNull(results.get(pc.id()), "reported: " + pc.id());
        for (CheckResult r : results.values()) {
            if (r.status() == CheckStatus.PASSED) {
                assertNull(r.cause(), r.id());
            } else {
                assertNotNull(r.cause(), r.id() + " states a cause");
                assertEquals(r.status(), r.cause().status(), r.id());
            }
        }
        assertEquals(Cause.NOT_CONFIGURED, results.get("version").cause(), "the cell gives no expected version");
        assertEquals(CheckStatus.PASSED, results.get("init-without-gpu").status());
        assertEquals(Cause.RELEASE_GAP, results.get("allreduce/float8e4m3/sum/1/out-of-place").cause());
        assertEquals(Cause.NO_GPU, results.get("allreduce/bfloat16/sum/1/out-of-place").cause());
        assertEquals(Cause.RELEASE_GAP, results.get("alltoall/int8").cause());
        assertEquals(Cause.NO_GPU, results.get("abort-hung-init").cause());
        assertTrue(results.values().stream().noneMatch(r -> r.cause() == Cause.BLOCKED), "nothing blocked");
        assertEquals(WorkerExit.ALL_PASSED, code);
        Map<String, WorkerEvent.PlannedCheck> planned = new LinkedHashMap<>();
        for (WorkerEvent.PlannedCheck pc : plan.checks()) planned.put(pc.id(), pc);
        assertTrue(planned.get("allreduce/bfloat16/sum/1/out-of-place").requirements().contains(new Requirement.Type(DataType.BFLOAT16)),
                "the plan says what each check needs: " + planned.get("allreduce/bfloat16/sum/1/out-of-place"));
        assertTrue(planned.get("alltoall/int8").requirements().contains(new Requirement.Function(Feature.ALL_TO_ALL, null)),
                planned.get("alltoall/int8").toString());
        assertEquals(List.of(new Requirement.Function(Feature.INIT_RANK_CONFIG, "aborting a hung init")),
                planned.get("abort-hung-init").requirements());
        CheckCatalog.Expected.Planned expected = (CheckCatalog.Expected.Planned) CheckCatalog.expected(WorkerSessions.config());
        assertEquals(expected.checks(), plan.checks(), "the plan the controller computes from the rank's configuration");
        assertEquals(expected.load().id(), events.stream().filter(e -> e instanceof WorkerEvent.Check)
                .map(e -> ((WorkerEvent.Check) e).result().id()).findFirst().orElseThrow(), "load is reported first");
    }
}
