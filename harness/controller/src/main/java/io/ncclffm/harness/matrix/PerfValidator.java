package io.ncclffm.harness.matrix;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.ncclffm.NcclVersion;

/**
 * The {@code perf} section: the regression check of perf cells against the baseline the file names, how many runs
 * each side gets, and whether a candidate is timed beside the baseline in one process.
 */
final class PerfValidator {

    private static final Where PERF = Where.TOP.key("perf");

    private final MatrixErrors errors;

    PerfValidator(MatrixErrors errors) {
        this.errors = errors;
    }

    /** The perf policy, or {@code null} when the file sets none. */
    Matrix.PerfPolicy perf(RawMatrix.RawPerf p, List<Cell> cells) {
        if (p == null) return null;
        String baseline = errors.require(p.baseline(), PERF.key("baseline"),
                "the perf cell others are compared with (a cell name or glob, e.g. perf-2.28.3-a), or a version");
        List<Cell> perfCells = cells.stream().filter(Cell::perf).toList();
        Set<String> baselineCells = perfBaselineCells(baseline, perfCells);
        double threshold = p.threshold() == null ? 0.10 : p.threshold();
        if (threshold <= 0 || threshold >= 1) {
            throw errors.at(PERF.key("threshold"), "expected a fraction in (0, 1), e.g. 0.10 for 10%, got " + threshold);
        }
        Matrix.PerfPolicy.Expectation expect = perfExpectation(p.expect());
        int runs = perfRuns(p.runs());
        Matrix.PerfPolicy.Pairing pairing = perfPairing(p.pairing(), perfCells);
        RawMatrix.RawNotJudged nj = p.notJudged();
        if (nj == null) {
            return new Matrix.PerfPolicy(baseline, baselineCells, threshold).withExpectation(expect).withRuns(runs).withPairing(pairing);
        }
        checkNotJudged(nj);
        return new Matrix.PerfPolicy(baseline, baselineCells, threshold, Set.copyOf(nj.worlds()), nj.reason().strip(), expect, runs,
                pairing);
    }

    /** The perf cells {@code perf.baseline} names: by name or glob, else every perf cell of that version; one per world. */
    private Set<String> perfBaselineCells(String baseline, List<Cell> perfCells) {
        // A cell name first: two cells of one version (an A/A run) can only be told apart by name.
        List<Cell> named = perfCells.stream().filter(c -> Glob.matches(baseline, c.name())).toList();
        if (named.isEmpty()) {
            NcclVersion v;
            try {
                v = NcclVersion.parse(baseline);
            } catch (IllegalArgumentException e) {
                throw errors.at(PERF.key("baseline"), "no perf cell is named '" + baseline + "' (perf cells: "
                        + perfCells.stream().map(Cell::name).toList() + "), and it is no version either: " + e.getMessage());
            }
            named = perfCells.stream().filter(c -> c.version().equals(v)).toList();
            if (named.isEmpty()) throw errors.at(PERF.key("baseline"), "no perf cell measures " + v);
        }
        Map<Integer, String> byWorld = new HashMap<>();
        for (Cell c : named) {
            for (int w : c.worlds()) {
                String other = byWorld.putIfAbsent(w, c.name());
                if (other != null) {
                    throw errors.at(PERF.key("baseline"), "'" + baseline + "' names two perf cells of world "
                            + w + " (" + other + ", " + c.name() + "); name the one cell to compare with");
                }
            }
        }
        return named.stream().map(Cell::name).collect(Collectors.toSet());
    }

    private Matrix.PerfPolicy.Expectation perfExpectation(String expect) {
        if (expect == null) return Matrix.PerfPolicy.Expectation.NONE;
        return Words.parse(Matrix.PerfPolicy.Expectation.class, expect.strip()).orElseThrow(() -> errors.at(PERF.key("expect"),
                "expected 'none' (the default: any regression fails) or 'regression' (candidates slowed on purpose), got '"
                        + expect + "'"));
    }

    private int perfRuns(Integer runs) {
        if (runs == null) return Matrix.PerfPolicy.DEFAULT_RUNS;
        if (runs < 1 || runs > Matrix.PerfPolicy.MAX_RUNS) {
            throw errors.at(PERF.key("runs"), "expected how many times each perf cell runs, each in a new "
                    + "process, from 1 to " + Matrix.PerfPolicy.MAX_RUNS + " (" + Matrix.PerfPolicy.DEFAULT_RUNS
                    + " when not set), got " + runs);
        }
        return runs;
    }

    /** In process where every perf cell can share a process with the baseline's library; else across processes. */
    private Matrix.PerfPolicy.Pairing perfPairing(String written, List<Cell> perfCells) {
        Cell apart = perfCells.stream().filter(c -> c.source().containerized() || c.mixed()).findFirst().orElse(null);
        if (written == null) return apart == null ? Matrix.PerfPolicy.Pairing.IN_PROCESS : Matrix.PerfPolicy.Pairing.ACROSS_PROCESSES;
        Matrix.PerfPolicy.Pairing pairing = Words.parse(Matrix.PerfPolicy.Pairing.class, written.strip()).orElseThrow(() -> errors.at(
                PERF.key("pairing"), "expected 'in-process' (each candidate times the baseline's library in its own "
                        + "process, trial by trial; the default where every perf cell runs as local processes) or "
                        + "'across-processes' (each side in processes of its own), got '" + written + "'"));
        if (pairing == Matrix.PerfPolicy.Pairing.IN_PROCESS && apart != null) {
            throw errors.at(PERF.key("pairing"), "in-process pairing loads the baseline's library in each "
                    + "candidate's own process, so every perf cell must run as local processes (host.path, or a "
                    + "library with launch: process); cell " + apart.name() + " (line " + apart.line() + ") "
                    + (apart.mixed() ? "mixes releases" : "runs in containers") + "; write pairing: across-processes");
        }
        return pairing;
    }

    private void checkNotJudged(RawMatrix.RawNotJudged nj) {
        if (nj.worlds() == null || nj.worlds().isEmpty()) {
            throw errors.at(PERF.key("notJudged").key("worlds"), "expected a non-empty list of world sizes, e.g. [2, 4]");
        }
        for (int i = 0; i < nj.worlds().size(); i++) {
            Integer w = nj.worlds().get(i);
            if (w == null || w < 1) throw errors.at(PERF.key("notJudged").key("worlds").index(i), "expected a world size >= 1, got " + w);
        }
        if (nj.reason() == null || nj.reason().isBlank()) {
            throw errors.at(PERF.key("notJudged").key("reason"), "say why these worlds are not judged; the regression report shows it");
        }
    }
}
