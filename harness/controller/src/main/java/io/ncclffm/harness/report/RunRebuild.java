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

import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
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

    /** A run's journal, read and judged: its cell runs in the matrix's order, and the gate over them. */
    private record Judged(Path dir, RunJournal.Contents journal, List<CellSummary> cells, Gate gate) {
        boolean finished() {
            return gate.unfinished().isEmpty() && journal.end() != null && journal.stopped() == null;
        }
    }

    private static Judged judged(Path runDir) throws IOException {
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
        return new Judged(dir, journal, cells, gate);
    }

    /**
     * The record of a run ({@link RunManifest}) made from its journal and its perf points, as the rebuild writes it;
     * written nowhere.
     */
    static RunManifest manifest(Path runDir) throws IOException {
        Judged j = judged(runDir);
        return RunManifest.of(j.journal().start(), j.journal().facts(), j.cells(), j.gate(), j.finished(), perfPoints(j.dir()));
    }

    /** The perf points a run kept ({@code perf/points.jsonl}), or none. */
    static List<PerfPoint> perfPoints(Path dir) throws IOException {
        Path points = dir.resolve("perf").resolve("points.jsonl");
        if (!Files.isRegularFile(points)) return List.of();
        List<PerfPoint> out = new ArrayList<>();
        for (String line : Files.readAllLines(points)) {
            if (!line.isBlank()) out.add(EventCodec.mapper().readValue(line, PerfPoint.class));
        }
        return out;
    }

    /**
     * Rebuilds {@code grid.md}, {@code grid.html}, the run's record ({@link RunManifest}) and {@code gate.txt} in
     * {@code runDir} (each replaced atomically, the gate last).
     *
     * @throws IllegalArgumentException when {@code runDir} has no journal, or one without its start record
     */
    public static Result rebuild(Path runDir) throws IOException {
        Judged j = judged(runDir);
        Path dir = j.dir();
        RunJournal.Contents journal = j.journal();
        RunJournal.Start start = journal.start();
        RunInfo info = new RunInfo(Path.of(start.matrix()), dir, dir.resolve(RunFolder.ALLURE_RESULTS), Instant.parse(start.started()),
                start.commit(), start.notStartedAllowed(), start.runId());
        String how = journal.end() != null ? "the run ended " + journal.end().at()
                : journal.stopped() != null ? "the controller was stopped " + journal.stopped().at() + " (" + journal.stopped().why() + ")"
                : "the controller never reached the run's end (killed, or still running)";
        String context = MatrixReport.contextLine(info, j.cells().size()) + " · " + start.controller() + "\nrebuilt from " + RunJournal.FILE
                + " at " + Instant.now() + ": " + how
                + (journal.unreadable() > 0 ? "; " + journal.unreadable() + " line(s) of it were cut short and left out" : "");
        RunManifest manifest = RunManifest.of(start, journal.facts(), j.cells(), j.gate(), j.finished(), perfPoints(dir));
        MatrixReport.writeGridAndGate(info, j.cells(), j.gate(), context, manifest);
        return new Result(j.gate(), j.cells().size(), journal.unreadable(), dir);
    }
}
