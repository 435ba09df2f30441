package io.ncclffm.harness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The checks of one cell run that were not run for one reason (no GPU, an earlier step failed, the device lacks it),
 * as one test instead of one placeholder test each: a CPU run of the matrix has thousands of GPU checks that could
 * not run, and a test for each made the report a list of placeholders around a few checks that ran. Each such check
 * is still a verdict: the gate, the grid, the journal and the run's record count it. A release gap and a waived
 * failure stay tests of their own: each says something of the release.
 *
 * @param reason  why, in the gate's words ({@link Gate#notRunReason})
 * @param cause   the cause the checks share
 * @param checks  the checks, in the order they were planned
 */
public record NotRunSummary(String reason, Cause cause, List<Verdict> checks) {

    /** The fewest checks of one reason that make a summary; one alone stays its own test. */
    public static final int AT_LEAST = 2;

    /** Whether a verdict is a check that was not run (not a pass, failure, release gap or waiver). */
    public static boolean notRun(Verdict v) {
        return v.status() == CheckStatus.SKIPPED && v.waived() == null && v.cause() != Cause.RELEASE_GAP;
    }

    /** The summaries of {@code verdicts}' not-run checks, by reason, for reasons with at least {@link #AT_LEAST}. */
    public static List<NotRunSummary> of(List<Verdict> verdicts) {
        Map<String, List<Verdict>> byReason = new LinkedHashMap<>();
        for (Verdict v : verdicts) if (notRun(v)) byReason.computeIfAbsent(Gate.notRunReason(v.cause()), r -> new ArrayList<>()).add(v);
        List<NotRunSummary> out = new ArrayList<>();
        byReason.forEach((reason, vs) -> {
            if (vs.size() >= AT_LEAST) out.add(new NotRunSummary(reason, vs.getFirst().cause(), List.copyOf(vs)));
        });
        return out;
    }

    /** The test's check id: {@code not run: no GPU}. */
    public String checkId() {
        return checkId(reason);
    }

    /** The summary test's check id for {@code reason}. */
    public static String checkId(String reason) {
        return "not run: " + reason;
    }

    /** The verdict the summary's test reports: skipped, with the reason, the count and the first check's words. */
    public Verdict verdict() {
        Verdict first = checks.getFirst();
        return Verdict.of(checkId(), "not run", Map.of(), CheckStatus.SKIPPED, cause, checks.size() + " check(s) not run (" + reason
                + "), e.g. " + first.checkId() + ": " + first.message());
    }

    /** Every check it stands for, one a line with its words: the attachment a reviewer reads. */
    public String list() {
        StringBuilder sb = new StringBuilder();
        for (Verdict v : checks) sb.append(v.checkId()).append(": ").append(v.message()).append('\n');
        return sb.toString();
    }
}
