package io.ncclffm.harness.launch;

import io.ncclffm.harness.matrix.Cell;

/**
 * Runs every rank of a cell at one world size and collects their output. A launcher never throws for a rank
 * that fails, dies or hangs: that is in the {@link CellRun}. It removes everything it started before returning.
 */
public interface CellLauncher {

    CellRun run(Cell cell, int world, RankObserver observer);

    /** e.g. {@code container} or {@code process} */
    String name();
}
