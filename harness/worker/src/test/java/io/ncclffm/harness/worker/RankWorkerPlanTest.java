package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * The plan a rank announces is the catalog's, which the controller computes from the same configuration; and it
 * is still the plan the worker made before the catalog existed (the golden file).
 */
class RankWorkerPlanTest {

    static List<GoldenPlans.Case> cases() {
        return GoldenPlans.read().plans();
    }

    private static WorkerEvent.Plan planEvent(WorkerConfig config) {
        RankWorker worker = new RankWorker(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try (RankSession s = new RankSession(config)) {
            return worker.planEvent(worker.plan(s));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void planEvent_listsTheGoldenChecks_inTheirOrder(GoldenPlans.Case golden) {
        WorkerEvent.Plan plan = planEvent(golden.config());
        assertEquals(golden.config().rank(), plan.rank());
        assertEquals(golden.checks(), plan.checks());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void planEvent_isWhatTheCatalogExpects_ofTheSameConfiguration(GoldenPlans.Case golden) {
        CheckCatalog.Expected expected = CheckCatalog.expected(golden.config());
        assertEquals(assertInstanceOf(CheckCatalog.Expected.Planned.class, expected).checks(), planEvent(golden.config()).checks());
    }

    /** Perf mode's checks up to the communicator, each as the catalog names it; and no plan. */
    @Test
    void aPerfModeRank_reportsTheCatalogsChecksUpToTheCommunicator_andSendsNoPlan() throws Exception {
        StubNcclLibrary stub = StubNcclLibrary.get();
        WorkerConfig config = WorkerSessions.config(WorkerConfig.MODE, "perf", WorkerConfig.GPU, "cuda");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // comm-init cannot pass here, with a GPU (the stub's init fails) or without one; perf mode stops after it.
        stub.reset(22203, true);
        System.setProperty("ncclffm.so.path", stub.path.toString());
        try {
            new PerfRunner(config, new Reporter(0, new PrintStream(out, true, StandardCharsets.UTF_8))).run();
        } finally {
            System.clearProperty("ncclffm.so.path");
            stub.reset(22203, false);
        }
        List<WorkerEvent> events = out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).filter(Objects::nonNull).toList();
        List<List<Object>> reported = events.stream().filter(e -> e instanceof WorkerEvent.Check).map(e -> ((WorkerEvent.Check) e).result())
                .map(r -> List.<Object>of(r.id(), r.group(), r.params())).toList();
        List<List<Object>> catalog = List.of(CheckKey.Library.LOAD, CheckKey.Lifecycle.UNIQUE_ID, CheckKey.Lifecycle.INIT).stream()
                .map(k -> CheckCatalog.entry(k, config).planned()).map(p -> List.<Object>of(p.id(), p.group(), p.params())).toList();
        assertEquals(catalog, reported);
        assertTrue(events.stream().noneMatch(e -> e instanceof WorkerEvent.Plan), "perf mode sends no plan");
        assertInstanceOf(CheckCatalog.Expected.Unplanned.class, CheckCatalog.expected(config));
    }
}
