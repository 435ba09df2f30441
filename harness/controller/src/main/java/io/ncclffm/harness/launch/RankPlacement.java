package io.ncclffm.harness.launch;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.WorkerConfig;

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

    /**
     * Every rank's device of a perf cell with one GPU per rank, in rank order as CUDA_VISIBLE_DEVICES lists them
     * (e.g. {@code 0,1,2,3}): what rank 0 makes visible to nccl-tests run over the whole world from its process.
     * {@code null} for a world of 1 (its own device serves), for check cells, and where ranks share or see every GPU.
     */
    static String allDevices(Cell cell, int world, String runId) {
        if (world < 2 || cell.mode() != WorkerConfig.Mode.PERF || !cell.gpu().present()
                || cell.gpu().assign() != GpuAssignment.Assign.PER_RANK) {
            return null;
        }
        return java.util.stream.IntStream.range(0, world).mapToObj(r -> of(cell, r, runId, false).visibleDevice())
                .collect(java.util.stream.Collectors.joining(","));
    }
}
