package io.ncclffm.harness.matrix;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated matrix file.
 *
 * @param perf the perf regression policy, or {@code null} when the file sets none
 */
public record Matrix(Path file, List<Cell> cells, List<Waiver> waivers, PerfPolicy perf) {

    public Matrix(Path file, List<Cell> cells, List<Waiver> waivers) {
        this(file, cells, waivers, null);
    }

    /**
     * Perf mode's regression check.
     *
     * @param baseline          what the file names as the baseline: a perf cell's name (or a glob over names), or
     *                          a version, which stands for every perf cell of that version
     * @param baselineCells     the perf cells that {@code baseline} names; every other perf cell is a candidate
     * @param threshold         the tolerated slowdown, e.g. 0.10 for 10%
     * @param notJudgedWorlds   worlds whose points are tabled and charted but not judged for regressions
     * @param notJudgedReason   why, shown in the regression report; {@code null} when no world is excluded
     * @param expect            what the check should find: nothing (a release upgrade, an A/A run), or a regression
     *                          (a build slowed on purpose, which proves the check can fail)
     * @param runs              how many times each perf cell runs, each time in a new process, in turn with the
     *                          other perf cells; each size is then judged on the median run of each side. A process
     *                          can be slower than the next for its whole life, the same calls from C in it included,
     *                          so one run of each side cannot tell a slower process from a slower release
     */
    public record PerfPolicy(String baseline, java.util.Set<String> baselineCells, double threshold,
                             java.util.Set<Integer> notJudgedWorlds, String notJudgedReason, Expectation expect, int runs,
                             Pairing pairing) {

        /** Runs per perf cell when the file does not say: the fewest whose median no one outlying process moves. */
        public static final int DEFAULT_RUNS = 3;
        /** The most runs per perf cell a file may ask for. */
        public static final int MAX_RUNS = 9;

        /** What a perf matrix's regression check is meant to find; the file writes its {@link Words}. */
        public enum Expectation {
            /** {@code expect: none} (the default): any regression fails the check. */
            NONE,
            /** {@code expect: regression}: the candidates are slowed on purpose; finding nothing fails the check. */
            REGRESSION
        }

        /**
         * Where a candidate's timings are set against the baseline's; the file writes its {@link Words}.
         */
        public enum Pairing {
            /**
             * {@code pairing: in-process} (the file's default where every perf cell runs as local processes): each rank of a candidate loads the baseline's library
             * beside its own, with a communicator of each on one device and stream, and times the two in alternating
             * trials; a size is judged on the pairs, which share the host's state of the moment. A host whose
             * small-call time moves between levels every few seconds, in every process, moves both sides of a pair.
             */
            IN_PROCESS,
            /**
             * {@code pairing: across-processes}: the baseline's points come from the baseline cell's own runs, the
             * candidate's from its own, and a size is judged on each side's median run (the file's default where a perf
             * cell runs in containers, which cannot share a process).
             */
            ACROSS_PROCESSES
        }

        public PerfPolicy {
            baselineCells = java.util.Set.copyOf(baselineCells);
            pairing = pairing == null ? Pairing.ACROSS_PROCESSES : pairing;
            notJudgedWorlds = java.util.Set.copyOf(notJudgedWorlds);
            expect = expect == null ? Expectation.NONE : expect;
            if (runs < 1 || runs > MAX_RUNS) {
                throw new IllegalArgumentException("runs per perf cell is 1 to " + MAX_RUNS + ", got " + runs);
            }
        }

        /** A policy that compares across processes (what a policy made in code does unless {@link #withPairing} says). */
        public PerfPolicy(String baseline, java.util.Set<String> baselineCells, double threshold,
                          java.util.Set<Integer> notJudgedWorlds, String notJudgedReason, Expectation expect, int runs) {
            this(baseline, baselineCells, threshold, notJudgedWorlds, notJudgedReason, expect, runs, Pairing.ACROSS_PROCESSES);
        }

        public PerfPolicy(String baseline, java.util.Set<String> baselineCells, double threshold,
                          java.util.Set<Integer> notJudgedWorlds, String notJudgedReason, Expectation expect) {
            this(baseline, baselineCells, threshold, notJudgedWorlds, notJudgedReason, expect, DEFAULT_RUNS);
        }

        public PerfPolicy(String baseline, java.util.Set<String> baselineCells, double threshold) {
            this(baseline, baselineCells, threshold, java.util.Set.of(), null, Expectation.NONE);
        }

        public PerfPolicy withExpectation(Expectation e) {
            return new PerfPolicy(baseline, baselineCells, threshold, notJudgedWorlds, notJudgedReason, e, runs, pairing);
        }

        public PerfPolicy withRuns(int n) {
            return new PerfPolicy(baseline, baselineCells, threshold, notJudgedWorlds, notJudgedReason, expect, n, pairing);
        }

        public PerfPolicy withPairing(Pairing p) {
            return new PerfPolicy(baseline, baselineCells, threshold, notJudgedWorlds, notJudgedReason, expect, runs, p);
        }

        /** Whether candidates at {@code world} are timed beside the baseline in their own processes. */
        public boolean pairsInProcess(int world) {
            return pairing == Pairing.IN_PROCESS && judges(world);
        }

        public boolean judges(int world) {
            return !notJudgedWorlds.contains(world);
        }

        /** Whether the cell's points are the baseline others are compared with. */
        public boolean isBaseline(String cell) {
            return baselineCells.contains(cell);
        }
    }

    /**
     * How many times each perf cell runs: the perf policy's {@link PerfPolicy#runs() runs}, or 1 when the file sets
     * no regression check (nothing then compares one run with another).
     */
    public int perfRuns() {
        return perf == null ? 1 : perf.runs();
    }

    public Optional<Waiver> waiverFor(String cell, int world, String checkId) {
        return waivers.stream().filter(w -> w.covers(cell, world, checkId)).findFirst();
    }

    /** Only the named cells (comma-separated names or globs); all when {@code filter} is null or blank. */
    public Matrix select(String filter) {
        if (filter == null || filter.isBlank()) return this;
        List<String> wanted = List.of(filter.split(","));
        List<Cell> chosen = cells.stream()
                .filter(c -> wanted.stream().map(String::strip).anyMatch(w -> Glob.matches(w, c.name()))).toList();
        if (chosen.isEmpty()) {
            throw new MatrixException(file + ": no cell matches '" + filter + "'; cells are "
                    + cells.stream().map(Cell::name).toList());
        }
        return new Matrix(file, chosen, waivers, perf);
    }
}
