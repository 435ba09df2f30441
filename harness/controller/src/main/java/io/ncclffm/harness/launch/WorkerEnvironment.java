package io.ncclffm.harness.launch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.WorkerConfig;

/** The environment of one rank worker, the same for processes and containers apart from addresses. */
public final class WorkerEnvironment {

    private WorkerEnvironment() {
    }

    /**
     * @param rendezvousHost where ranks > 0 reach rank 0
     * @param rendezvousBind where rank 0 listens (127.0.0.1 for processes, 0.0.0.0 inside a container on the cell
     *                       network)
     * @param hostId         NCCL_HOSTID, needed when ranks share one GPU on one host; {@code null} otherwise
     * @param visibleDevice  CUDA_VISIBLE_DEVICES for this rank, or {@code null}
     */
    public static Map<String, String> forRank(Cell cell, int world, int rank, String rendezvousHost, int port,
                                              String rendezvousBind, String tokenHex, int deviceOrdinal, String hostId,
                                              String visibleDevice) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NCCLFFM_SO_PATH", cell.soPath());
        env.put(WorkerConfig.RANK, Integer.toString(rank));
        env.put(WorkerConfig.WORLD, Integer.toString(world));
        env.put(WorkerConfig.RENDEZVOUS, rendezvousHost + ":" + port);
        env.put(WorkerConfig.RENDEZVOUS_BIND, rendezvousBind);
        env.put(WorkerConfig.TOKEN, tokenHex);
        env.put(WorkerConfig.EXPECT_VERSION, cell.version().toString());
        env.put(WorkerConfig.EXPECT_FLAVOR, cell.flavor().name());
        env.put(WorkerConfig.GPU, !cell.gpu().present() ? "none" : cell.gpu().amd() ? "hip" : "cuda");
        env.put(WorkerConfig.DEVICE, Integer.toString(deviceOrdinal));
        env.put(WorkerConfig.MODE, cell.mode());
        if (!cell.checks().isEmpty()) env.put(WorkerConfig.CHECKS, String.join(",", cell.checks()));
        if (!cell.counts().isEmpty()) {
            env.put(WorkerConfig.COUNTS, cell.counts().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        Duration t = cell.timeout();
        // The worker's own deadline falls before the launcher's, so that a worker stuck in a blocking init still
        // says where it was.
        env.put(WorkerConfig.WORKER_TIMEOUT, Long.toString(Math.max(10, t.toSeconds() - 15)));
        env.put(WorkerConfig.RENDEZVOUS_TIMEOUT, Long.toString(Math.max(5, Math.min(120, t.toSeconds() / 4))));
        // NCCL logs to standard error so that standard output carries only events.
        env.put("NCCL_DEBUG", "WARN");
        env.put("NCCL_DEBUG_FILE", "/dev/stderr");
        // NVLink multicast stays off everywhere: on shared multi-GPU hosts it can take the GPUs down for others.
        env.put("NCCL_NVLS_ENABLE", "0");
        if (hostId != null) {
            env.put("NCCL_HOSTID", hostId);
            env.put("NCCL_SOCKET_IFNAME", "lo");
            env.put("NCCL_IB_DISABLE", "1");
        }
        if (visibleDevice != null) env.put(cell.gpu().amd() ? "HIP_VISIBLE_DEVICES" : "CUDA_VISIBLE_DEVICES", visibleDevice);
        env.putAll(cell.env());
        return env;
    }
}
