package io.ncclffm.harness.report;

import java.time.Duration;
import java.util.List;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.verdict.Verdict;

/**
 * One column of the grid: a cell at one world size, with its verdicts and measurements.
 *
 * @param run        which run of the cell at this world (1, 2, ...) when the matrix runs each perf cell several
 *                   times; 0 when the cell runs once
 * @param initMillis rank 0's communicator init time, or -1 when it did not form one: on a release whose kernels
 *                   the driver compiles from PTX on first use, the first run's init shows that one-time cost
 */
public record CellSummary(Cell cell, int world, int run, String launcher, Duration wall, List<Verdict> verdicts,
                          long initMillis) {

    public String column() {
        return cell.name() + " w" + world + (run > 0 ? " run " + run : "");
    }
}
