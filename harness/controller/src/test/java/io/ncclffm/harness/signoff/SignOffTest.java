package io.ncclffm.harness.signoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.perf.judge.Points;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.report.HostFacts;
import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.report.RunManifest;
import io.ncclffm.harness.verdict.Gate;

/**
 * The sign-off's rules on records made here: which changes stop it and which it only lists, waivers, perf judged by
 * the perf gate's statistics, and comparing two cells of one run. The end-to-end runs, with real run folders, real
 * libraries and flakiness from a reports folder's history, are in {@code SignOffIT}.
 */
class SignOffTest {

    private static final HostFacts HOST = new HostFacts("h", "Linux", 2, "25", List.of("NVIDIA H100, 580.1, 81559 MiB"), "580.1", "13.0");

    private static RunManifest.Check check(String id, CheckStatus s, Cause cause, String waiver, String stale) {
        return new RunManifest.Check(id, id, s, cause, id + " " + s, waiver, stale);
    }

    private static RunManifest.Check pass(String id) {
        return check(id, CheckStatus.PASSED, null, null, null);
    }

    private static RunManifest.Check fail(String id) {
        return check(id, CheckStatus.FAILED, Cause.WRONG_VALUES, null, null);
    }

    private static RunManifest.CellRun cellRun(String cell, RunManifest.Check... checks) {
        return new RunManifest.CellRun(cell, "NCCL 2.28.3", 1, 0, Provenance.NONE, Map.of(), List.of(checks));
    }

    private static RunManifest run(String id, boolean finished, List<PerfPoint> perf, RunManifest.CellRun... cells) {
        return new RunManifest(RunManifest.SCHEMA, new RunManifest.Run(id, "m.yaml", "abc", "c1", "2026-12-07T00:00:00Z", "ctl", null),
                new RunManifest.Outcome(finished, Gate.Result.PASS, "PASS"), HOST, List.of(cells), perf);
    }

    private static Side side(RunManifest m, String cell) {
        return new Side(Path.of("/nonexistent/ncclffm-signoff").resolve(m.run().runId()), m, cell);
    }

    private static SignOff compare(RunManifest a, RunManifest b) {
        return SignOff.compare(side(a, null), side(b, null), 5, null);
    }

    private static List<CheckChange.Kind> kinds(SignOff s) {
        return s.checks().stream().map(CheckChange::kind).toList();
    }

    @Test
    void aCheckThatNowFails_isNoGo_namingItAndItsCellRun() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", pass("load"), pass("version"))),
                run("b", true, List.of(), cellRun("x", pass("load"), fail("version"))));
        assertEquals(List.of(CheckChange.Kind.REGRESSION), kinds(s));
        assertFalse(s.go());
        assertEquals("NO-GO: 1 check(s) now fail: version [x w1]", s.verdictLine());
        assertEquals(2, s.compared());
    }

    @Test
    void aFix_newlyRunChecks_andChecksOnlyTheCandidatePasses_areListed_andGo() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", fail("a"), check("b", CheckStatus.SKIPPED, Cause.NO_GPU, null, null))),
                run("b", true, List.of(), cellRun("x", pass("a"), pass("b"), pass("c"))));
        assertEquals(List.of(CheckChange.Kind.FIX, CheckChange.Kind.NEWLY_RUN, CheckChange.Kind.ONLY_IN_CANDIDATE), kinds(s));
        assertTrue(s.go(), s.verdictLine());
        assertEquals("GO", s.verdictLine());
    }

    @Test
    void coverageLost_isNoGo_aCheckTheBasePassedThatIsNotRunOrGone() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", pass("a"), pass("b"), fail("c"))),
                run("b", true, List.of(), cellRun("x", check("a", CheckStatus.SKIPPED, Cause.NO_GPU, null, null),
                        check("c", CheckStatus.SKIPPED, Cause.BLOCKED, null, null))));
        assertEquals(List.of(CheckChange.Kind.NEWLY_NOT_RUN, CheckChange.Kind.ONLY_IN_BASE, CheckChange.Kind.NEWLY_NOT_RUN), kinds(s));
        List<String> reasons = s.reasons();
        assertEquals(List.of("1 check(s) now skipped or not run: a [x w1]", "1 check(s) only in the base: b [x w1]"), reasons,
                "a failure that is no longer run stops nothing; a pass that is no longer run or gone does");
    }

    @Test
    void aWaiverThatNowHidesAFailure_isNoGo_andOneNoLongerNeeded_isListed() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", pass("a"), fail("b"))),
                run("b", true, List.of(), cellRun("x", check("a", CheckStatus.SKIPPED, Cause.WRONG_VALUES, "KNOWN_GAP: nccl#1 (u)", null),
                        check("b", CheckStatus.PASSED, null, null, "KNOWN_GAP: fixed in 2.30 (u)"))));
        assertEquals(List.of(CheckChange.Kind.HIDDEN_BY_WAIVER, CheckChange.Kind.FIX), kinds(s));
        assertEquals(List.of("x w1 b: KNOWN_GAP: fixed in 2.30 (u)"), s.staleWaivers());
        assertEquals("NO-GO: 1 check(s) passed → failed, hidden by a waiver: a [x w1]", s.verdictLine());
        String md = new SignOffPage(s).toMarkdown();
        assertTrue(md.contains("- no longer needed (the check passed): x w1 b: KNOWN\\_GAP: fixed in 2.30 (u)"), md);
    }

    @Test
    void aCheckFailingOnBothSides_andARunThatDidNotFinish_areNoGo() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", fail("a"))), run("b", false, List.of(), cellRun("x", fail("a"))));
        assertEquals(List.of("the candidate run did not finish (PASS)", "1 check(s) failed on both: a [x w1]"), s.reasons());
    }

    @Test
    void twoCellsOfOneRun_areComparedWorldByWorld_andACellOnOneSideOnly_isRefused() {
        RunManifest m = run("a", true, List.of(), cellRun("prod", pass("load"), pass("version")), cellRun("cand", pass("load"), fail("version")));
        SignOff s = SignOff.compare(side(m, "prod"), side(m, "cand"), 5, null);
        assertEquals(1, s.checks().size());
        assertEquals("prod → cand w1", s.checks().getFirst().slot());
        assertFalse(s.go());
        assertThrows(IllegalArgumentException.class, () -> SignOff.compare(side(m, "prod"), side(m, null), 5, null));
    }

    private static List<PerfPoint> sweep(String cell, double factor) {
        List<PerfPoint> out = new ArrayList<>();
        for (long bytes : new long[] {8, 64, 512, 4096}) out.add(Points.java(Points.NCCL_28, bytes, 10.0 * factor).inCell(cell, 0));
        return out;
    }

    @Test
    void perf_aSustainedSignificantSlowdown_isNoGo_byThePerfGatesRules_aSpeedUpIsGo() {
        RunManifest base = run("a", true, sweep("p", 1.0), cellRun("p", pass("load")));
        SignOff slower = compare(base, run("b", true, sweep("p", 1.3), cellRun("p", pass("load"))));
        assertEquals(1, slower.perf().size());
        assertEquals(4, slower.perf().getFirst().comparison().regressions().size());
        assertTrue(slower.verdictLine().startsWith("NO-GO: 4 perf regression(s) beyond 10% in p, e.g. java world 2 allReduce float32"),
                slower.verdictLine());
        SignOff faster = compare(base, run("b", true, sweep("p", 0.7), cellRun("p", pass("load"))));
        assertTrue(faster.go(), faster.verdictLine());
        SignOff within = SignOff.compare(side(base, null), side(run("b", true, sweep("p", 1.3), cellRun("p", pass("load"))), null), 5, 0.5);
        assertTrue(within.go(), "a threshold of 50% tolerates 30%: " + within.verdictLine());
    }

    @Test
    void perf_aMeasurementTheCandidateLacks_isNoGo() {
        RunManifest base = run("a", true, sweep("p", 1.0), cellRun("p", pass("load")));
        SignOff s = compare(base, run("b", true, sweep("p", 1.0).subList(0, 3), cellRun("p", pass("load"))));
        assertEquals(List.of("1 perf measurement(s) of the base missing from the candidate in p"), s.reasons());
    }

    @Test
    void theHtmlPage_escapesWhatARunSays_andEndsInTheVerdict() {
        SignOff s = compare(run("a", true, List.of(), cellRun("x", pass("<b>"))), run("b", true, List.of(), cellRun("x", fail("<b>"))));
        String html = new SignOffPage(s).toHtml();
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("&lt;b&gt;"), html);
        assertTrue(html.strip().endsWith("NO-GO: 1 check(s) now fail: &lt;b&gt; [x w1]</p>\n</body></html>".strip()), html);
        String md = new SignOffPage(s).toMarkdown();
        assertTrue(md.strip().endsWith("NO-GO: 1 check(s) now fail: &lt;b&gt; \\[x w1\\]"), md);
    }
}
