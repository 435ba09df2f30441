package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/** The plan a rank announces, for every configuration of the golden file. */
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
}
