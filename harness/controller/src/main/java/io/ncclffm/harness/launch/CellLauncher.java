package io.ncclffm.harness.launch;

import java.util.List;

import io.ncclffm.harness.matrix.Cell;

/**
 * Runs every rank of a cell at one world size and collects their output. A launcher never throws for a rank
 * that fails, dies or hangs: that is in the {@link CellRun}. It removes everything it started before returning.
 */
public interface CellLauncher {

    /**
     * @param devices the host GPUs this run was given ({@link GpuPool}), rank i's the i-th with one GPU per rank, the
     *                first for ranks that share one; empty: the first ones, rank i on GPU i
     */
    CellRun run(Cell cell, int world, RankObserver observer, List<Integer> devices);

    /** On the first GPUs: rank i on GPU i, ranks that share one on GPU 0. */
    default CellRun run(Cell cell, int world, RankObserver observer) {
        return run(cell, world, observer, List.of());
    }

    /** e.g. {@code container} or {@code process} */
    String name();
}
