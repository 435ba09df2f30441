package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ncclffm.harness.verdict.Gate;

/**
 * The grid and gate of a run, rebuilt from its journal ({@link RunJournal}): for a run that was killed before it could
 * write them, or stopped while cell runs were under way. The rebuilt gate is judged exactly as the run would have
 * judged it, with one rule more: a run whose journal has no end record, or that planned a cell run it never recorded,
 * did not finish, so its gate is never PASS and names every cell run that never finished.
 */
public final class RunRebuild {

    private RunRebuild() {
    }

    /** What was rebuilt: the gate, and how many lines of the journal were no record (a line cut short by a kill). */
    public record Result(Gate gate, int cellRuns, int unreadableLines, Path runDir) {
    }

    /**
     * Rebuilds {@code grid.md}, {@code grid.html} and {@code gate.txt} in {@code runDir} (each replaced atomically).
     *
     * @throws IllegalArgumentException when {@code runDir} has no journal, or one without its start record
     */
    public static Result rebuild(Path runDir) throws IOException {
        Path dir = runDir.toRealPath();
        RunJournal.Contents journal;
        try {
            journal = RunJournal.read(dir.resolve(RunJournal.FILE));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(runDir + " is no run's folder: it has no " + RunJournal.FILE);
        }
        RunJournal.Start start = journal.start();
        if (start == null) throw new IllegalArgumentException(dir.resolve(RunJournal.FILE) + " has no start record; nothing to rebuild");
        Map<String, Integer> order = new HashMap<>();
        for (RunJournal.PlannedRun p : start.planned()) order.putIfAbsent(p.label(), order.size());
        List<CellSummary> cells = new ArrayList<>();
        for (RunJournal.CellRunEnded c : journal.cellRuns()) cells.add(c.summary());
        cells.sort(Comparator.comparingInt(c -> order.getOrDefault(c.column(), Integer.MAX_VALUE)));
        Set<String> recorded = new HashSet<>();
        cells.forEach(c -> recorded.add(c.column()));
        List<String> unfinished = start.planned().stream().map(RunJournal.PlannedRun::label).filter(l -> !recorded.contains(l)).toList();
        Gate gate = MatrixReport.judge(cells, journal.extra(), start.notStartedAllowed(),
                new Gate.Progress(unfinished, journal.end() != null && journal.stopped() == null, start.nothingPlanned()));
        RunInfo info = new RunInfo(Path.of(start.matrix()), dir, dir.resolve(RunFolder.ALLURE_RESULTS), Instant.parse(start.started()),
                start.commit(), start.notStartedAllowed(), start.runId());
        String how = journal.end() != null ? "the run ended " + journal.end().at()
                : journal.stopped() != null ? "the controller was stopped " + journal.stopped().at() + " (" + journal.stopped().why() + ")"
                : "the controller never reached the run's end (killed, or still running)";
        String context = MatrixReport.contextLine(info, cells.size()) + " · " + start.controller() + "\nrebuilt from " + RunJournal.FILE
                + " at " + Instant.now() + ": " + how
                + (journal.unreadable() > 0 ? "; " + journal.unreadable() + " line(s) of it were cut short and left out" : "");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " is not a folder");
        MatrixReport.writeGridAndGate(info, cells, gate, context);
        return new Result(gate, cells.size(), journal.unreadable(), dir);
    }
}
