package io.ncclffm.harness.launch;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * Which device a rank uses and how NCCL tells ranks apart, from the cell's GPU assignment and the host GPUs the cell
 * run was given ({@link GpuPool}; empty: the first ones, rank i on GPU i).
 *
 * @param deviceOrdinal the ordinal the worker selects, among the devices it can see
 * @param visibleDevice what CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES to set, or {@code null}
 * @param hostId        NCCL_HOSTID, set when ranks share one GPU (NCCL refuses two ranks on one GPU of one host)
 * @param hostDevice    the host GPU the rank's container is given with one GPU per rank; -1 where it sees them all
 */
record RankPlacement(int deviceOrdinal, String visibleDevice, String hostId, int hostDevice) {

    /** A rank process: it sees every GPU of the host unless CUDA_VISIBLE_DEVICES narrows it to its own. */
    static RankPlacement forProcess(Cell cell, int rank, String runId, List<Integer> devices) {
        if (!cell.gpu().present()) return new RankPlacement(0, null, null, -1);
        return switch (cell.gpu().assign()) {
            case PER_RANK -> new RankPlacement(0, Integer.toString(device(devices, rank)), null, -1);
            case SHARED -> new RankPlacement(device(devices, 0), null, "ncclffm-" + runId + "-rank" + rank, -1);
            case ALL -> new RankPlacement(rank, null, null, -1);
        };
    }

    /**
     * A rank container. With one GPU per rank the container is given only its GPU, which it sees as device 0; else
     * it is given every GPU, in the host's order.
     *
     * @param distinctHostnames whether the ranks differ by hostname (a cell network), so NCCL needs no host id
     */
    static RankPlacement forContainer(Cell cell, int rank, String runId, boolean distinctHostnames, List<Integer> devices) {
        if (!cell.gpu().present()) return new RankPlacement(0, null, null, -1);
        return switch (cell.gpu().assign()) {
            case PER_RANK -> new RankPlacement(0, null, null, device(devices, rank));
            case SHARED -> new RankPlacement(device(devices, 0), null, distinctHostnames ? null : "ncclffm-" + runId + "-rank" + rank, -1);
            case ALL -> new RankPlacement(rank, null, null, -1);
        };
    }

    private static int device(List<Integer> devices, int i) {
        if (devices.isEmpty()) return i;
        if (i >= devices.size()) {
            throw new IllegalArgumentException("rank " + i + " has no GPU among the " + devices.size() + " given: " + devices);
        }
        return devices.get(i);
    }

    /**
     * Every rank's device of a perf cell with one GPU per rank, in rank order as CUDA_VISIBLE_DEVICES lists them
     * (e.g. {@code 0,1,2,3}): what rank 0 makes visible to nccl-tests run over the whole world from its process.
     * {@code null} for a world of 1 (its own device serves), for check cells, and where ranks share or see every GPU.
     */
    static String allDevices(Cell cell, int world, List<Integer> devices) {
        if (world < 2 || cell.mode() != WorkerConfig.Mode.PERF || !cell.gpu().present()
                || cell.gpu().assign() != GpuAssignment.Assign.PER_RANK) {
            return null;
        }
        return IntStream.range(0, world).mapToObj(r -> Integer.toString(device(devices, r))).collect(Collectors.joining(","));
    }
}
