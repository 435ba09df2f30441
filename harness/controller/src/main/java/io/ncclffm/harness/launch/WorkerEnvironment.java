package io.ncclffm.harness.launch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.ContainerLimits;
import io.ncclffm.harness.matrix.SupervisionGraces;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * The environment of one rank worker, the same for processes and containers apart from addresses: the worker's
 * configuration ({@link WorkerConfig#toEnvironment()}), then what NCCL and the GPU runtime read, then the cell's own
 * variables for the libraries.
 */
public final class WorkerEnvironment {

    /** The interfaces NCCL's sockets may use. */
    public static final String SOCKET_INTERFACE = "NCCL_SOCKET_IFNAME";

    private WorkerEnvironment() {
    }

    /**
     * @param rendezvousHost where ranks > 0 reach rank 0
     * @param rendezvousBind where rank 0 listens (127.0.0.1 for processes, 0.0.0.0 inside a container on the cell
     *                       network)
     * @param hostId         NCCL_HOSTID, needed when ranks share one GPU on one host; {@code null} otherwise
     * @param visibleDevice  CUDA_VISIBLE_DEVICES for this rank, or {@code null}
     * @throws IllegalArgumentException when the cell's env sets a variable the launcher owns, or a worker setting to a
     *                                  value the worker does not take (the matrix loader reports both first)
     */
    public static Map<String, String> forRank(Cell cell, int world, int rank, String rendezvousHost, int port,
                                              String rendezvousBind, RendezvousToken token, int deviceOrdinal, String hostId,
                                              String visibleDevice) {
        return forRank(cell, world, rank, rendezvousHost, port, rendezvousBind, token, deviceOrdinal, hostId, visibleDevice, null,
                WorkerConfig.Lifeline.NONE);
    }

    /**
     * As {@link #forRank(Cell, int, int, String, int, String, RendezvousToken, int, String, String)}, and for rank 0
     * of a perf world above 1 every rank's device, for nccl-tests over all of them from rank 0's process.
     *
     * @param ncclTestsDevices every rank's device as CUDA_VISIBLE_DEVICES lists them ({@link RankPlacement#allDevices}),
     *                         or {@code null} where rank 0 cannot see them (a container sees its own GPU only)
     * @param lifeline         {@link WorkerConfig.Lifeline#STDIN} where the launcher holds a pipe to the rank's standard
     *                         input, else {@link WorkerConfig.Lifeline#NONE}
     */
    public static Map<String, String> forRank(Cell cell, int world, int rank, String rendezvousHost, int port,
                                              String rendezvousBind, RendezvousToken token, int deviceOrdinal, String hostId,
                                              String visibleDevice, String ncclTestsDevices, WorkerConfig.Lifeline lifeline) {
        Map<String, String> settings = new TreeMap<>();
        Map<String, String> libraries = new LinkedHashMap<>();
        cell.env().forEach((k, v) -> {
            // The container limits and the graces are the controller's to apply, not the rank's to see.
            if (ContainerLimits.VARIABLES.contains(k) || SupervisionGraces.VARIABLES.contains(k)) return;
            (WorkerConfig.SETTINGS.contains(k) || WorkerConfig.LAUNCHER_VARIABLES.contains(k) ? settings : libraries).put(k, v);
        });
        Duration t = cell.timeout();
        WorkerConfig.Gpu gpu = !cell.gpu().present() ? WorkerConfig.Gpu.NONE : cell.gpu().amd() ? WorkerConfig.Gpu.HIP : WorkerConfig.Gpu.CUDA;
        WorkerConfig config = WorkerConfig.forRank(new WorkerConfig.Identity(rank, world, gpu, deviceOrdinal))
                .library(new WorkerConfig.Library(cell.soPath(), cell.version().toString(), cell.flavor().name()))
                .rendezvous(new WorkerConfig.Rendezvous(rendezvousHost, port, rendezvousBind, token))
                .mode(cell.mode())
                .checks(new LinkedHashSet<>(cell.checks()), cell.counts())
                .timeouts(Duration.ofSeconds(Math.max(5, Math.min(120, t.toSeconds() / 4))),
                        // The worker's own deadline falls before the launcher's, so that a worker stuck in a blocking
                        // init still says where it was.
                        Duration.ofSeconds(Math.max(10, t.toSeconds() - 15)))
                .perfBaseline(cell.pairedBaseline())
                .ncclTestsDevices(ncclTestsDevices)
                .lifeline(lifeline)
                .build(settings);
        Map<String, String> env = new LinkedHashMap<>(config.toEnvironment());
        // NCCL's warnings reach the rank log. Where NCCL writes them (standard output unless the cell sets
        // NCCL_DEBUG_FILE) does not matter: the worker keeps its event pipe off descriptor 1 (EventChannel).
        env.put("NCCL_DEBUG", "WARN");
        // NVLink multicast stays off everywhere: on shared multi-GPU hosts it can take the GPUs down for others.
        env.put("NCCL_NVLS_ENABLE", "0");
        if (hostId != null) {
            env.put("NCCL_HOSTID", hostId);
            env.put("NCCL_SOCKET_IFNAME", "lo");
            env.put("NCCL_IB_DISABLE", "1");
        }
        if (visibleDevice != null) env.put(cell.gpu().amd() ? "HIP_VISIBLE_DEVICES" : "CUDA_VISIBLE_DEVICES", visibleDevice);
        env.putAll(libraries);
        return env;
    }

    /**
     * {@code env} with NCCL's sockets (its bootstrap and socket transport) bound to {@code networkInterface}, unless
     * the cell's env names an interface itself: loopback for ranks on one host, the cell network's interface in a
     * container on it. Left to itself, NCCL takes the host's first interface that is not loopback, which faces other
     * hosts.
     */
    public static Map<String, String> boundTo(Map<String, String> env, Cell cell, String networkInterface) {
        if (cell.env().containsKey(SOCKET_INTERFACE)) return env;
        Map<String, String> bound = new LinkedHashMap<>(env);
        bound.put(SOCKET_INTERFACE, networkInterface);
        return bound;
    }
}
