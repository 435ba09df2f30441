package io.ncclffm.harness.report;

import java.time.Duration;
import java.util.List;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.verdict.Verdict;

/**
 * One column of the grid: a cell at one world size, with its verdicts and measurements. It holds what the grid and the
 * gate need of the cell, not the cell itself, so that a killed run's grid can be rebuilt from its journal
 * ({@link RunJournal}) without the matrix file.
 *
 * @param cell       the cell's name
 * @param release    the release as the grid names it ({@link Cell#displayVersion()})
 * @param mixed      whether it is a mixed-release pair
 * @param assignsGpu whether the matrix assigns it GPUs
 * @param run        which run of the cell at this world (1, 2, ...) when the matrix runs each perf cell several
 *                   times; 0 when the cell runs once
 * @param initMillis rank 0's communicator init time, or -1 when it did not form one: on a release whose kernels
 *                   the driver compiles from PTX on first use, the first run's init shows that one-time cost
 * @param provenance which library files the ranks really ran, beside the matrix's pins
 * @param placement  which host each rank ran on: under Slurm, the nodes and the rank placement Slurm decided
 */
public record CellSummary(String cell, String release, boolean mixed, boolean assignsGpu, int world, int run, String launcher,
                          Duration wall, List<Verdict> verdicts, long initMillis, Provenance provenance, Placement placement) {

    public CellSummary {
        verdicts = List.copyOf(verdicts);
        if (provenance == null) provenance = Provenance.NONE;
        if (placement == null) placement = Placement.NONE;
    }

    /** A summary whose ranks' hosts are not known. */
    public CellSummary(String cell, String release, boolean mixed, boolean assignsGpu, int world, int run, String launcher,
                       Duration wall, List<Verdict> verdicts, long initMillis, Provenance provenance) {
        this(cell, release, mixed, assignsGpu, world, run, launcher, wall, verdicts, initMillis, provenance, Placement.NONE);
    }

    public static CellSummary of(Cell cell, int world, int run, String launcher, Duration wall, List<Verdict> verdicts,
                                 long initMillis, Provenance provenance) {
        return of(cell, world, run, launcher, wall, verdicts, initMillis, provenance, Placement.NONE);
    }

    public static CellSummary of(Cell cell, int world, int run, String launcher, Duration wall, List<Verdict> verdicts,
                                 long initMillis, Provenance provenance, Placement placement) {
        return new CellSummary(cell.name(), cell.displayVersion(), cell.mixed(), cell.gpu().present(), world, run, launcher, wall,
                verdicts, initMillis, provenance, placement);
    }

    public String column() {
        return column(cell, world, run);
    }

    /** A cell run's name in the grid, the gate and the journal, e.g. {@code nccl-2.22.3 w2} or {@code perf-a w1 run 2}. */
    public static String column(String cell, int world, int run) {
        return cell + " w" + world + (run > 0 ? " run " + run : "");
    }
}
