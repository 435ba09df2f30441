package io.ncclffm.harness.launch;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.TaskLines;

/**
 * Reads one {@code srun --label} job step's output into its ranks' outputs. Standard output carries each task's
 * events in pieces ({@link TaskLines}), each line labelled with the task's id; standard error carries each task's
 * log, labelled the same way, and srun's own words, which say how each task that did not exit 0 ended
 * ({@code srun: error: c2: task 1: Killed}). srun's own lines go to every rank's log, marked {@code [srun]}.
 */
final class SlurmStep {

    /** The longest line srun forwards at once, with room for its label. */
    private static final int MAX_PHYSICAL_LINE = 64 << 10;
    private static final Pattern LABEL = Pattern.compile("^\\s*(\\d+): ?(.*)$", Pattern.DOTALL);
    /**
     * srun names itself by the file it runs from: a site's wrapper may run it as {@code srun.real} or by its path,
     * and the line that says how a task ended is the same.
     */
    private static final Pattern TASK_END = Pattern.compile("^(?:\\S*/)?srun[\\w.-]*: error: (\\S+): tasks? ([0-9,\\-]+): (.*)$");
    private static final Pattern EXIT_CODE = Pattern.compile("Exited with exit code (\\d+)");
    /** Signal names as srun prints them (strsignal), and their numbers on Linux. */
    private static final Map<String, Integer> SIGNALS = Map.of("Killed", 9, "Terminated", 15, "Segmentation fault", 11,
            "Aborted", 6, "Bus error", 7, "Interrupt", 2, "Hangup", 1, "Floating point exception", 8, "Illegal instruction", 4);

    private final List<RankOutput> ranks;
    private final TaskLines.Joiner[] joiners;
    /** Whether each task wrote a line of its own (events or log): one that did not never started. */
    private final boolean[] heard;
    private final RankObserver observer;
    private final List<? extends RankHandle> handles;

    SlurmStep(List<RankOutput> ranks, List<? extends RankHandle> handles, RankObserver observer) {
        this.ranks = ranks;
        this.handles = handles;
        this.observer = observer;
        this.joiners = new TaskLines.Joiner[ranks.size()];
        this.heard = new boolean[ranks.size()];
        for (int r = 0; r < joiners.length; r++) joiners[r] = new TaskLines.Joiner(RankOutput.MAX_EVENT_LINE);
    }

    LineSplitter stdout() {
        return new LineSplitter(MAX_PHYSICAL_LINE, this::eventLine);
    }

    LineSplitter stderr() {
        return new LineSplitter(MAX_PHYSICAL_LINE, this::logLine);
    }

    private void eventLine(LineSplitter.Line line) {
        Matcher m = LABEL.matcher(line.text());
        int r = m.matches() ? rank(m.group(1)) : -1;
        if (r < 0) {
            srunSaid("stdout: " + line.text());
            return;
        }
        TaskLines.Joiner.Joined j;
        synchronized (joiners[r]) {
            heard[r] = true;
            j = line.unterminated() ? joiners[r].rest() : joiners[r].accept(m.group(2));
        }
        if (j == null) return;
        RankOutput out = ranks.get(r);
        var e = out.acceptEventLine(new LineSplitter.Line(j.text(), j.dropped(), line.unterminated()));
        if (e != null) observer.onEvent(handles.get(r), e);
    }

    private void logLine(LineSplitter.Line line) {
        Matcher m = LABEL.matcher(line.text());
        int r = m.matches() ? rank(m.group(1)) : -1;
        if (r >= 0) {
            synchronized (joiners[r]) {
                heard[r] = true;
            }
            ranks.get(r).acceptLogLine(new LineSplitter.Line(m.group(2), line.droppedBytes(), line.unterminated()));
            return;
        }
        srunSaid(line.text());
        Matcher end = TASK_END.matcher(line.text().strip());
        if (end.matches()) ended(end.group(1), tasks(end.group(2)), end.group(3).strip());
    }

    /** The tasks srun names, {@code 0-2,5}, as ranks of this step. */
    private List<Integer> tasks(String list) {
        List<Integer> out = new java.util.ArrayList<>();
        for (String part : list.split(",")) {
            String[] ends = part.split("-");
            int a = rank(ends[0]);
            int b = ends.length > 1 ? rank(ends[1]) : a;
            for (int r = a; r >= 0 && r <= b; r++) out.add(r);
        }
        return out;
    }

    private void ended(String node, List<Integer> tasks, String how) {
        Matcher code = EXIT_CODE.matcher(how);
        for (int r : tasks) {
            RankOutput out = ranks.get(r);
            if (out.hasEnded()) continue;
            if (code.find(0)) {
                out.ended(RankEnding.exited(Integer.parseInt(code.group(1)), out.sawDone(), out.lastPhase()));
            } else if (SIGNALS.containsKey(how)) {
                out.ended(RankEnding.exited(128 + SIGNALS.get(how), out.sawDone(), out.lastPhase()));
            } else {
                out.acceptLogLine(new LineSplitter.Line("[srun] task " + r + " on " + node + " ended: " + how, 0, false));
                out.ended(RankEnding.vanished(out.lastPhase()));
            }
        }
    }

    /**
     * Every rank that srun did not report ended, once srun itself has: Slurm reports only tasks that did not exit 0,
     * and a task that never wrote a line never started (srun could not launch the step).
     */
    void stepEnded() {
        for (RankOutput out : ranks) {
            if (out.hasEnded()) continue;
            boolean wrote;
            synchronized (joiners[out.rank()]) {
                wrote = heard[out.rank()];
            }
            if (!wrote) {
                out.ended(RankEnding.notStarted("srun ended before this task wrote anything"));
            } else {
                out.ended(RankEnding.exited(0, out.sawDone(), out.lastPhase()));
            }
        }
    }

    private void srunSaid(String text) {
        for (RankOutput out : ranks) out.acceptLogLine(new LineSplitter.Line("[srun] " + text, 0, false));
    }

    private int rank(String digits) {
        try {
            int r = Integer.parseInt(digits.strip());
            return r < ranks.size() ? r : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
