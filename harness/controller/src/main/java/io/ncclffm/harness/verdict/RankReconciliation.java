package io.ncclffm.harness.verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * Holds one rank's events against each other and against how the rank ended, so that no result counts unless the
 * whole stream adds up. The worker reports {@code load} first (with the file it loaded), then its plan (in check
 * mode), then each planned check once, then {@code done} with its counts, and exits with the status its results
 * call for ({@link WorkerExit#forResults}). Each departure from that is a problem, in words; a rank with any problem
 * is broken, whatever it reported. Where the launcher said what the rank's configuration calls for
 * ({@link RankOutput#expected()}), its plan must be exactly that.
 */
final class RankReconciliation {

    static final String LOAD = CheckCatalog.LOAD_ID;

    private RankReconciliation() {
    }

    /**
     * What does not add up in {@code rank}'s events, the pipe's own problems ({@link RankOutput#streamProblems()})
     * first; empty when everything does.
     *
     * @param expectsPlan whether the rank sends a plan after a passing load (check mode does, perf mode does not)
     */
    static List<String> problems(RankOutput rank, boolean expectsPlan) {
        List<String> problems = new ArrayList<>(rank.streamProblems());
        Map<String, WorkerEvent.Check> reported = new LinkedHashMap<>();
        Set<String> twice = new LinkedHashSet<>();
        List<WorkerEvent.Plan> plans = new ArrayList<>();
        List<WorkerEvent.Loaded> loaded = new ArrayList<>();
        WorkerEvent.Done done = null;
        Set<String> beforePlan = new LinkedHashSet<>();
        for (WorkerEvent e : rank.events()) {
            switch (e) {
                case WorkerEvent.Check c -> {
                    String id = c.result().id();
                    if (reported.putIfAbsent(id, c) != null) twice.add(id);
                    if (expectsPlan && plans.isEmpty() && !id.equals(LOAD)) beforePlan.add(id);
                }
                case WorkerEvent.Plan p -> plans.add(p);
                case WorkerEvent.Loaded l -> loaded.add(l);
                case WorkerEvent.Done d -> {
                    if (done == null) done = d;
                }
                default -> {
                }
            }
        }
        if (!twice.isEmpty()) problems.add("reported more than once: " + first(twice));
        if (plans.size() > 1) problems.add("sent " + plans.size() + " plans");
        if (loaded.size() > 1) problems.add("said " + loaded.size() + " times which library it loaded");
        if (!beforePlan.isEmpty()) problems.add("reported checks before its plan: " + first(beforePlan));
        WorkerEvent.Check load = reported.get(LOAD);
        boolean loadPassed = load != null && load.result().status() == CheckStatus.PASSED;
        if (loadPassed && loaded.isEmpty()) problems.add("load passed without saying which file it loaded");
        if (!plans.isEmpty() && (load == null || !loadPassed)) problems.add("sent a plan without a passing load");
        if (!plans.isEmpty() && rank.expected() instanceof CheckCatalog.Expected.Planned due) {
            String differs = planDifference(plans.getFirst().checks(), due.checks());
            if (differs != null) problems.add("its plan is not the one its configuration calls for: " + differs);
        }
        Set<String> planned = new LinkedHashSet<>();
        planned.add(LOAD);
        plans.forEach(p -> p.checks().forEach(pc -> planned.add(pc.id())));
        if (expectsPlan || !plans.isEmpty()) {
            Set<String> unplanned = new LinkedHashSet<>(reported.keySet());
            unplanned.removeAll(planned);
            if (!unplanned.isEmpty()) problems.add("reported checks it never planned: " + first(unplanned));
        }
        if (done != null) reconcileDone(rank, done, expectsPlan, load, loadPassed, plans, planned, reported, problems);
        return List.copyOf(problems);
    }

    /** A rank that said it was done: it reported everything it planned, its counts and its exit agree with that. */
    private static void reconcileDone(RankOutput rank, WorkerEvent.Done done, boolean expectsPlan, WorkerEvent.Check load,
                                      boolean loadPassed, List<WorkerEvent.Plan> plans, Set<String> planned,
                                      Map<String, WorkerEvent.Check> reported, List<String> problems) {
        if (load == null) problems.add("said it was done without reporting load");
        if (expectsPlan && loadPassed && plans.isEmpty()) problems.add("said it was done without a plan after a passing load");
        Set<String> missing = new LinkedHashSet<>(planned);
        missing.removeAll(reported.keySet());
        if (!missing.isEmpty() && loadPassed) {
            problems.add("said it was done with " + missing.size() + " planned check(s) unreported: " + first(missing));
        }
        int passed = 0, failed = 0, skipped = 0, broken = 0;
        boolean timedOut = false;
        for (WorkerEvent.Check c : reported.values()) {
            switch (c.result().status()) {
                case PASSED -> passed++;
                case FAILED -> failed++;
                case SKIPPED -> skipped++;
                case BROKEN -> broken++;
            }
            timedOut |= c.result().cause() == Cause.TIMEOUT;
        }
        if (done.passed() != passed || done.failed() != failed || done.skipped() != skipped || done.broken() != broken) {
            problems.add("done counts " + counts(done.passed(), done.failed(), done.skipped(), done.broken())
                    + ", but its results count " + counts(passed, failed, skipped, broken));
        }
        RankEnding ending = rank.ending();
        if (ending.kind() == RankEnding.Kind.EXITED) {
            WorkerExit due = WorkerExit.forResults(timedOut, failed, broken);
            if (ending.workerExit() != due) {
                problems.add("exited with " + ending.exitCode() + " (" + ending.workerExit() + "), but its results call for "
                        + due.code() + " (" + due + ")");
            }
        }
    }

    /** How a plan differs from the one due, in words; {@code null} when it is the same, check for check. */
    static String planDifference(List<WorkerEvent.PlannedCheck> sent, List<WorkerEvent.PlannedCheck> due) {
        if (sent.equals(due)) return null;
        Map<String, WorkerEvent.PlannedCheck> dueById = new LinkedHashMap<>();
        due.forEach(pc -> dueById.put(pc.id(), pc));
        Map<String, WorkerEvent.PlannedCheck> sentById = new LinkedHashMap<>();
        sent.forEach(pc -> sentById.putIfAbsent(pc.id(), pc));
        Set<String> missing = new LinkedHashSet<>(dueById.keySet());
        missing.removeAll(sentById.keySet());
        Set<String> extra = new LinkedHashSet<>(sentById.keySet());
        extra.removeAll(dueById.keySet());
        Set<String> changed = new LinkedHashSet<>();
        sentById.forEach((id, pc) -> {
            if (dueById.containsKey(id) && !dueById.get(id).equals(pc)) changed.add(id);
        });
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) parts.add(missing.size() + " missing (" + first(missing) + ")");
        if (!extra.isEmpty()) parts.add(extra.size() + " not due (" + first(extra) + ")");
        if (!changed.isEmpty()) parts.add(changed.size() + " with other groups, parameters or needs (" + first(changed) + ")");
        if (sent.size() != sentById.size()) parts.add((sent.size() - sentById.size()) + " listed twice");
        if (parts.isEmpty()) parts.add("the same checks in another order");
        return String.join(", ", parts);
    }

    private static String counts(int passed, int failed, int skipped, int broken) {
        return passed + " passed, " + failed + " failed, " + skipped + " skipped, " + broken + " broken";
    }

    private static String first(Set<String> ids) {
        List<String> list = new ArrayList<>(ids);
        int shown = Math.min(5, list.size());
        return String.join(", ", list.subList(0, shown)) + (list.size() > shown ? " and " + (list.size() - shown) + " more" : "");
    }
}
