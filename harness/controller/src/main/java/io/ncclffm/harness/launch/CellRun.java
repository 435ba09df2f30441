package io.ncclffm.harness.launch;

import java.time.Duration;
import java.util.List;

import io.ncclffm.harness.matrix.Cell;

/**
 * The outcome of running one cell at one world size: every rank's output, the wall time, and, when the
 * infrastructure failed (image build, container start), why.
 */
public record CellRun(Cell cell, int world, String launcher, List<RankOutput> ranks, Duration wall, String infraFailure) {

    public boolean infrastructureFailed() {
        return infraFailure != null;
    }
}
