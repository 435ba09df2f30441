package io.ncclffm.harness.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;

/** The gate's rules on constructed verdicts: it is never green on nothing. */
class GateTest {

    private static Verdict host(String group, CheckStatus s, Cause cause) {
        return new Verdict(group, group, Map.of(), s, group + " " + s, List.of(), Map.of(), cause, false, null, null);
    }

    private static Verdict device(String id, CheckStatus s, Cause cause) {
        return new Verdict(id, "allreduce float32", Map.of(), s, id + " " + s, List.of(), Map.of(), cause, true, null, null);
    }

    private static Gate.CellRunVerdicts cell(boolean gpu, Verdict... vs) {
        return new Gate.CellRunVerdicts("c", 1, gpu, List.of(vs));
    }

    private static List<Verdict> noGpu(int n) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(device("allreduce/" + i, CheckStatus.SKIPPED, Cause.NO_GPU));
        return out;
    }

    @Test
    void cpuOnlyRun_passesAndSaysItIsCpuScopeWithHowManyGpuChecksDidNotRun() {
        List<Verdict> vs = new ArrayList<>(List.of(host("load", CheckStatus.PASSED, null), host("version", CheckStatus.PASSED, null),
                host("unique-id", CheckStatus.PASSED, null)));
        vs.addAll(noGpu(3210));
        Gate g = Gate.judge(List.of(new Gate.CellRunVerdicts("c", 1, false, vs)), List.of(), false);
        assertTrue(g.passed());
        assertEquals("PASS (CPU scope: load, version, unique-id; 3210 GPU check(s) not run: no GPU)", g.headline());
        assertEquals(new Gate.Counts(3, 0, 0, 0, 0, 3210), g.counts());
        assertEquals(Map.of("no GPU", 3210), g.notRunWhy());
    }

    @Test
    void nothingChecked_fails() {
        Gate g = Gate.judge(List.of(cell(false, noGpu(5).toArray(Verdict[]::new))), List.of(), false);
        assertFalse(g.passed());
        assertTrue(g.headline().startsWith("FAIL (nothing was checked"), g.headline());
        Gate empty = Gate.judge(List.of(), List.of(), false);
        assertFalse(empty.passed(), "a matrix with no cell runs is not green");
    }

    @Test
    void matrixThatAssignsGpusButRanNoGpuCheck_fails() {
        Gate g = Gate.judge(List.of(cell(true, host("load", CheckStatus.PASSED, null), host("version", CheckStatus.PASSED, null),
                device("allreduce/a", CheckStatus.SKIPPED, Cause.BLOCKED))), List.of(), false);
        assertFalse(g.passed());
        assertTrue(g.reasons().contains("the matrix assigns GPUs but no GPU check passed"), g.reasons().toString());
    }

    @Test
    void gpuRunWithDeviceChecks_passesInGpuScope() {
        Gate g = Gate.judge(List.of(cell(true, host("load", CheckStatus.PASSED, null), device("allreduce/a", CheckStatus.PASSED, null),
                device("allreduce/b", CheckStatus.SKIPPED, Cause.RELEASE_GAP))), List.of(), false);
        assertTrue(g.passed());
        assertEquals("PASS (GPU scope: 1 GPU check(s) passed)", g.headline());
        assertEquals(1, g.counts().releaseGap());
    }

    @Test
    void anyFailureOrBrokenCheck_fails_andEachCategoryIsCountedOnce() {
        Verdict waived = new Verdict("graph/x", "graph-capture", Map.of(), CheckStatus.SKIPPED, "WAIVED ...", List.of(), Map.of(),
                Cause.WRONG_VALUES, true, new Verdict.WaiverNote(Waiver.Kind.KNOWN_GAP, "r", "https://x"), null);
        Gate g = Gate.judge(List.of(cell(true, device("a", CheckStatus.PASSED, null), device("b", CheckStatus.FAILED, Cause.WRONG_VALUES),
                host("ranks-finished", CheckStatus.BROKEN, Cause.INFRASTRUCTURE), waived,
                device("c", CheckStatus.SKIPPED, Cause.DEVICE_GAP))), List.of(), false);
        assertFalse(g.passed());
        assertEquals(new Gate.Counts(1, 1, 1, 1, 0, 1), g.counts());
        assertEquals(5, g.counts().total());
        assertEquals(List.of("1 check(s) failed", "1 check(s) broken"), g.reasons());
        assertEquals(Map.of("the device lacks it", 1), g.notRunWhy());
    }

    @Test
    void cellsThatNeverStarted_countAsNotRunOnlyWhenAllowed_andTheGateNamesTheOption() {
        Verdict notStarted = host("cell-start", CheckStatus.SKIPPED, Cause.NOT_STARTED);
        Gate g = Gate.judge(List.of(cell(false, host("load", CheckStatus.PASSED, null)), cell(false, notStarted)), List.of(), true);
        assertTrue(g.passed());
        assertTrue(g.headline().contains("1 cell run(s) never started and were allowed to by ncclffm.allow.not.started"), g.headline());
        Gate broken = Gate.judge(List.of(cell(false, host("load", CheckStatus.PASSED, null)),
                cell(false, host("cell-start", CheckStatus.BROKEN, Cause.INFRASTRUCTURE))), List.of(), false);
        assertFalse(broken.passed());
        assertNull(broken.allowance());
    }

    @Test
    void perfReportVerdicts_countForTheGate() {
        Gate g = Gate.judge(List.of(cell(false, host("load", CheckStatus.PASSED, null))),
                List.of(Verdict.of("perf/regression", "perf", Map.of(), CheckStatus.FAILED, Cause.OTHER_FAILURE, "2 regressions")), false);
        assertFalse(g.passed());
    }

    @Test
    void gateText_leadsWithTheHeadlineThenCountsThenWhatWasNotRun() {
        List<Verdict> vs = new ArrayList<>(List.of(host("load", CheckStatus.PASSED, null)));
        vs.addAll(noGpu(2));
        vs.add(device("x", CheckStatus.SKIPPED, Cause.BLOCKED));
        String text = Gate.judge(List.of(new Gate.CellRunVerdicts("c", 1, false, vs)), List.of(), false).toText("matrix m.yaml");
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("PASS (CPU scope: load"), text);
        assertEquals("matrix m.yaml", lines.get(1));
        assertEquals("1 passed, 0 failed, 0 broken, 0 waived, 0 skipped for a release gap, 3 not run", lines.get(2));
        assertEquals(List.of("not run: 2 (no GPU)", "not run: 1 (an earlier step failed)"), lines.subList(3, 5));
    }

    @Test
    void aRunThatDidNotFinish_isNeverPass_andNamesWhatNeverFinished() {
        Gate.CellRunVerdicts passed = cell(false, host("load", CheckStatus.PASSED, null), host("version", CheckStatus.PASSED, null));
        Gate g = Gate.judge(List.of(passed), List.of(), false, new Gate.Progress(List.of("b w2"), true));
        assertEquals(Gate.Result.INCOMPLETE, g.result());
        assertFalse(g.passed());
        assertEquals("INCOMPLETE (the run did not finish: 1 of 2 cell run(s) never finished: b w2; CPU scope: load, version)", g.headline());
        assertEquals(List.of("b w2"), g.unfinished());
        assertTrue(g.toText("ctx").contains("never finished: b w2\n"), g.toText("ctx"));

        Gate stopped = Gate.judge(List.of(passed), List.of(), false, new Gate.Progress(List.of(), false));
        assertEquals(Gate.Result.INCOMPLETE, stopped.result(), "every cell run ended, but the run never reached its end");

        Gate failed = Gate.judge(List.of(cell(false, host("load", CheckStatus.PASSED, null), host("version", CheckStatus.FAILED, Cause.WRONG_VALUES))),
                List.of(), false, new Gate.Progress(List.of("b w2"), true));
        assertEquals(Gate.Result.FAIL, failed.result(), "what was recorded already fails the run");
        assertTrue(failed.headline().startsWith("FAIL (1 check(s) failed; the run did not finish: 1 of 2 cell run(s) never finished: b w2"),
                failed.headline());

        Gate nothingYet = Gate.judge(List.of(), List.of(), false, new Gate.Progress(List.of("a w1"), true));
        assertEquals(Gate.Result.INCOMPLETE, nothingYet.result(), "a run killed before its first cell run ended failed nothing yet");
    }
    @Test
    void aRunThatPlannedNoCellRun_failsSayingWhy_asItsCallerNamesIt() {
        String why = "the world sizes selected (--worlds, ncclffm.worlds: [3]) match no cell run; the cells run world sizes [1, 2]";
        Gate g = Gate.judge(List.of(), List.of(), false, new Gate.Progress(List.of(), true, why));
        assertEquals(Gate.Result.FAIL, g.result());
        assertEquals("FAIL (nothing was checked: " + why + "; CPU scope: nothing)", g.headline());
        assertEquals(List.of("nothing was checked: " + why), g.reasons());
    }
}
