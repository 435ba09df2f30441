package io.ncclffm.harness.verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ncclffm.harness.protocol.Cause;

/**
 * The release gate: what a matrix run verified, and whether that is enough to sign off. It passes only when the run
 * finished, something was checked, nothing failed or broke, and a matrix that assigns GPUs really ran GPU checks. Every
 * verdict is counted once: passed, failed, broken, waived, skipped for a release gap, or not run (with why).
 *
 * <p>A run that did not finish (stopped, killed, or a cell run that never ended) is never PASS: it is INCOMPLETE, or
 * FAIL when what it did record already failed or broke, and the gate names the cell runs that never finished.
 *
 * @param result     PASS, FAIL or INCOMPLETE
 * @param headline   the verdict with its scope, e.g. {@code PASS (CPU scope: load, version, unique-id; 3210 GPU
 *                   checks not run: no GPU)}
 * @param counts     every verdict, counted by category
 * @param notRunWhy  not-run verdicts by reason, e.g. {@code no GPU -> 3210}
 * @param reasons    why the gate failed, empty when it passed
 * @param allowance  the opt-in that let cells that never started count as not run, or {@code null}
 * @param unfinished the cell runs that never finished (e.g. {@code nccl-2.22.3 w2}), empty when all did
 */
public record Gate(Result result, String headline, Counts counts, Map<String, Integer> notRunWhy, List<String> reasons,
                   String allowance, List<String> unfinished) {

    /** PASS and FAIL judge a finished run; INCOMPLETE is a run that did not finish and recorded no failure. */
    public enum Result { PASS, FAIL, INCOMPLETE }

    /**
     * How far a run got: which of its planned cell runs never finished, and whether it reached its end.
     *
     * @param nothingPlanned why the run planned no cell run at all (a selection that matches none, naming the option),
     *                       or {@code null} when it planned some
     */
    public record Progress(List<String> unfinished, boolean ended, String nothingPlanned) {
        /** A run that reached its end with every planned cell run finished. */
        public static final Progress FINISHED = new Progress(List.of(), true);

        public Progress {
            unfinished = List.copyOf(unfinished);
        }

        public Progress(List<String> unfinished, boolean ended) {
            this(unfinished, ended, null);
        }

        public boolean finished() {
            return ended && unfinished.isEmpty();
        }
    }

    /** How many verdicts fall in each category; they add up to {@link #total()}. */
    public record Counts(int passed, int failed, int broken, int waived, int releaseGap, int notRun) {
        public int total() {
            return passed + failed + broken + waived + releaseGap + notRun;
        }

        @Override
        public String toString() {
            return passed + " passed, " + failed + " failed, " + broken + " broken, " + waived + " waived, " + releaseGap
                    + " skipped for a release gap, " + notRun + " not run";
        }
    }

    /** One cell run as the gate sees it. */
    public record CellRunVerdicts(String cell, int world, boolean assignsGpu, List<Verdict> verdicts) {
    }

    /** The option that lets a cell that could not start count as not run instead of broken. */
    public static final String ALLOW_NOT_STARTED = "ncclffm.allow.not.started";

    public boolean passed() {
        return result == Result.PASS;
    }

    /**
     * @param cells            every cell run of the matrix
     * @param extra            verdicts that belong to no cell (the perf report)
     * @param notStartedAllowed whether {@value #ALLOW_NOT_STARTED} was given
     */
    public static Gate judge(List<CellRunVerdicts> cells, List<Verdict> extra, boolean notStartedAllowed) {
        return judge(cells, extra, notStartedAllowed, Progress.FINISHED);
    }

    /**
     * @param progress what of the run finished; a run that did not finish is judged INCOMPLETE, or FAIL when what it
     *                 recorded failed or broke
     */
    public static Gate judge(List<CellRunVerdicts> cells, List<Verdict> extra, boolean notStartedAllowed, Progress progress) {
        Tally t = new Tally();
        for (CellRunVerdicts c : cells) {
            t.anyGpuCell |= c.assignsGpu();
            c.verdicts().forEach(t::count);
        }
        extra.forEach(t::count);
        Counts counts = new Counts(t.passed, t.failed, t.broken, t.waived, t.gap, t.notRun);
        List<String> reasons = new ArrayList<>();
        if (t.failed > 0) reasons.add(t.failed + " check(s) failed");
        if (t.broken > 0) reasons.add(t.broken + " check(s) broken");
        boolean defects = !reasons.isEmpty();
        // What is missing is a reason to fail a finished run; in one that did not finish it is only not there yet.
        if (progress.finished() && t.passed == 0) {
            reasons.add("nothing was checked: " + (progress.nothingPlanned() != null ? progress.nothingPlanned() : "no check passed"));
        }
        if (progress.finished() && t.anyGpuCell && t.devicePassed == 0) reasons.add("the matrix assigns GPUs but no GPU check passed");
        if (!progress.finished()) reasons.add(unfinished(progress, cells.size()));
        Result result = progress.finished() ? (reasons.isEmpty() ? Result.PASS : Result.FAIL)
                : (defects ? Result.FAIL : Result.INCOMPLETE);
        String allowance = t.notStarted > 0 && notStartedAllowed
                ? t.notStarted + " cell run(s) never started and were allowed to by " + ALLOW_NOT_STARTED : null;
        return new Gate(result, headline(result, reasons, t, allowance), counts, Map.copyOf(t.why), List.copyOf(reasons), allowance,
                progress.unfinished());
    }

    /** Every verdict counted once, by category, with what the headline says of the run's scope. */
    private static final class Tally {
        int passed, failed, broken, waived, gap, notRun, devicePassed, notStarted;
        boolean anyGpuCell;
        final Map<String, Integer> why = new LinkedHashMap<>();
        final Set<String> hostScope = new LinkedHashSet<>();

        void count(Verdict v) {
            switch (v.status()) {
                case PASSED -> {
                    passed++;
                    if (v.device()) devicePassed++;
                    else hostScope.add(v.group());
                }
                case FAILED -> failed++;
                case BROKEN -> broken++;
                case SKIPPED -> {
                    if (v.waived() != null) {
                        waived++;
                    } else if (v.cause() == Cause.RELEASE_GAP) {
                        gap++;
                    } else {
                        notRun++;
                        why.merge(notRunReason(v.cause()), 1, Integer::sum);
                        if (v.cause() == Cause.NOT_STARTED) notStarted++;
                    }
                }
            }
        }
    }

    /** The verdict, why (unless it passed), the scope, the GPU checks not run and any allowance. */
    private static String headline(Result result, List<String> reasons, Tally t, String allowance) {
        StringBuilder head = new StringBuilder(result.name()).append(" (");
        if (result != Result.PASS) head.append(String.join("; ", reasons)).append("; ");
        if (t.anyGpuCell) {
            head.append("GPU scope: ").append(t.devicePassed).append(" GPU check(s) passed");
        } else {
            head.append("CPU scope: ").append(t.hostScope.isEmpty() ? "nothing" : String.join(", ", t.hostScope));
        }
        int noGpu = t.why.getOrDefault(notRunReason(Cause.NO_GPU), 0);
        if (noGpu > 0) head.append("; ").append(noGpu).append(" GPU check(s) not run: no GPU");
        if (allowance != null) head.append("; ").append(allowance);
        return head.append(')').toString();
    }

    private static String unfinished(Progress progress, int recorded) {
        List<String> never = progress.unfinished();
        if (never.isEmpty()) return "the run did not finish: it stopped after its last cell run, before its report";
        String named = never.size() <= 10 ? String.join(", ", never)
                : String.join(", ", never.subList(0, 10)) + " and " + (never.size() - 10) + " more";
        return "the run did not finish: " + never.size() + " of " + (never.size() + recorded) + " cell run(s) never finished: " + named;
    }

    /** A not-run cause in words, as the gate and the report list it. */
    public static String notRunReason(Cause cause) {
        if (cause == null) return "skipped without a stated cause";
        return switch (cause) {
            case NO_GPU -> "no GPU";
            case DEVICE_GAP -> "the device lacks it";
            case BLOCKED -> "an earlier step failed";
            case NOT_CONFIGURED -> "the cell sets nothing to judge it against";
            case NOT_STARTED -> "the cell never started";
            case REFUSED_PAIR -> "a mixed pair refused to form a communicator, cleanly";
            default -> cause.name().toLowerCase().replace('_', ' ');
        };
    }

    /**
     * The text of {@code gate.txt}: the headline, then the counts, then each cell run that never finished, then what
     * was not run and why.
     */
    public String toText(String context) {
        StringBuilder sb = new StringBuilder(headline).append('\n');
        if (context != null && !context.isBlank()) sb.append(context).append('\n');
        sb.append(counts).append('\n');
        unfinished.forEach(u -> sb.append("never finished: ").append(u).append('\n'));
        notRunWhy.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> sb.append("not run: ").append(e.getValue()).append(" (").append(e.getKey()).append(")\n"));
        return sb.toString();
    }
}
