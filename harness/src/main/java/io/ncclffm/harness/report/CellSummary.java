package io.ncclffm.harness.report;

import java.time.Duration;
import java.util.List;

import io.ncclffm.harness.verdict.Verdict;
import io.ncclffm.harness.matrix.Cell;

/** One column of the grid: a cell at one world size, with its verdicts and measurements. */
public record CellSummary(Cell cell, int world, String launcher, Duration wall, List<Verdict> verdicts) {

    public String column() {
        return cell.name() + " w" + world;
    }
}
