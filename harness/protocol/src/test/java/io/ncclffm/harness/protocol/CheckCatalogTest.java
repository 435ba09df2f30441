package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/** The catalog against the plans the worker made before the catalog existed, and what it promises a controller. */
class CheckCatalogTest {

    static List<GoldenPlans.Case> golden() {
        return GoldenPlans.read().plans();
    }

    private static List<PlannedCheck> planned(WorkerConfig config) {
        return CheckCatalog.plan(config).stream().map(CheckCatalog.Entry::planned).toList();
    }

    private static WorkerConfig config(String... env) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(WorkerConfig.RANK, "0", WorkerConfig.WORLD, "1"));
        for (int i = 0; i < env.length; i += 2) m.put(env[i], env[i + 1]);
        return WorkerConfig.fromEnvironment(m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void plan_reproducesTheGoldenPlan_idsGroupsParamsAndRequirementsInOrder(GoldenPlans.Case golden) {
        assertEquals(golden.checks(), planned(golden.config()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void expected_inCheckMode_isTheLoadCheckThenThePlan(GoldenPlans.Case golden) {
        CheckCatalog.Expected expected = CheckCatalog.expected(golden.config());
        CheckCatalog.Expected.Planned planned = assertInstanceOf(CheckCatalog.Expected.Planned.class, expected);
        assertEquals(GoldenPlans.read().load(), planned.load());
        assertEquals(golden.checks(), planned.checks());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void everyCheckOfAPlan_hasItsOwnId_andNoneIsTheLoadCheck(GoldenPlans.Case golden) {
        Set<String> ids = new HashSet<>();
        for (PlannedCheck c : planned(golden.config())) assertTrue(ids.add(c.id()), "planned twice: " + c.id());
        assertFalse(ids.contains(CheckCatalog.LOAD_ID));
    }

    @Test
    void loadId_isTheIdOfTheCapturedLoadCheck() {
        assertEquals(GoldenPlans.read().load().id(), CheckCatalog.LOAD_ID);
        assertEquals(GoldenPlans.read().load(), CheckCatalog.entry(CheckKey.Library.LOAD, config()).planned());
    }

    @Test
    void expected_inPerfMode_isUnplanned_withTheReason_andTheLoadCheck() {
        WorkerConfig perf = config(WorkerConfig.MODE, "perf", WorkerConfig.GPU, "cuda");
        CheckCatalog.Expected.Unplanned unplanned =
                assertInstanceOf(CheckCatalog.Expected.Unplanned.class, CheckCatalog.expected(perf));
        assertEquals(GoldenPlans.read().load(), unplanned.load());
        assertTrue(unplanned.reason().startsWith("perf mode sends no plan"), unplanned.reason());
    }

    @Test
    void plan_ofAPerfModeRank_isRefused_ratherThanEmpty() {
        WorkerConfig perf = config(WorkerConfig.MODE, "perf");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckCatalog.plan(perf));
        assertTrue(e.getMessage().contains(CheckCatalog.PERF_UNPLANNED), e.getMessage());
    }

    @Test
    void selectingEveryNameOneByOne_plansWhatAllPlans() {
        String each = String.join(",", CheckSelection.NAMES.stream().filter(n -> !n.equals(CheckSelection.ALL)).toList());
        assertEquals(planned(config(WorkerConfig.GPU, "cuda")), planned(config(WorkerConfig.GPU, "cuda", WorkerConfig.CHECKS, each)));
    }
}
