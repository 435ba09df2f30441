package io.ncclffm.harness.launch;

import io.ncclffm.harness.matrix.Cell;

/**
 * Which device a rank uses and how NCCL tells ranks apart, from the cell's GPU assignment.
 *
 * @param deviceOrdinal the ordinal the worker selects, among the devices it can see
 * @param visibleDevice what CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES to set, or {@code null}
 * @param hostId        NCCL_HOSTID, set when ranks share one GPU (NCCL refuses two ranks on one GPU of one host)
 */
record RankPlacement(int deviceOrdinal, String visibleDevice, String hostId) {

    static RankPlacement of(Cell cell, int rank, String runId, boolean distinctHostnames) {
        if (!cell.gpu().present()) return new RankPlacement(0, null, null);
        return switch (cell.gpu().assign()) {
            case PER_RANK -> new RankPlacement(0, Integer.toString(rank), null);
            case SHARED -> new RankPlacement(0, null, distinctHostnames ? null : "ncclffm-" + runId + "-rank" + rank);
            case ALL -> new RankPlacement(rank, null, null);
        };
    }
}
