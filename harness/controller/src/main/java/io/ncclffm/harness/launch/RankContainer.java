package io.ncclffm.harness.launch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.VolumeOptions;

import io.ncclffm.harness.matrix.ContainerLimits;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerLaunch;

/**
 * One rank of a cell in a container of its own, in the shape of a Testcontainers module: the image and the worker's
 * archive go to the constructor, which sets the defaults; {@code withX(...)} stores a setting and returns
 * {@link #self()}; {@link #configure()} turns the settings into the command, environment, labels and host config.
 * The worker and its JVM are copied in, so the image needs only the library. The container runs unprivileged: all
 * capabilities dropped, no new privileges, a read-only root, user nobody, with limits on its memory (no swap), its
 * processes and threads, and its CPUs ({@link #withLimits}).
 *
 * <p>Where it departs from a module, and why:
 * <ul>
 *   <li>No {@code OneShotStartupCheckStrategy}. A rank runs to completion like a one-shot container, but it is one
 *       of a multi-rank job: {@link #start()} returns once the container runs, so that its peers can start, and the
 *       {@link RankSupervisor} decides when the job is over (a rank that died, a peer that hung, the cell timeout).
 *       Nothing listens either, so there is no wait strategy: the worker reports through its output.</li>
 *   <li>GPUs are decided from the matrix ({@link #withGpu}), never from Docker's runtime list, which can claim
 *       {@code nvidia} on machines without an NVIDIA GPU; see {@link GpuAccess}.</li>
 *   <li>The worker goes into an anonymous volume between creation and start ({@link #containerIsCreated}): the root
 *       stays read-only, and Docker refuses archives aimed at a read-only root.</li>
 *   <li>One start attempt: a rank whose container cannot start makes its cell broken; retrying would hide it.</li>
 * </ul>
 * It is also the rank as the supervisor and an observer see it ({@link RankSupervisor.Rank}, {@link RankHandle}).
 */
final class RankContainer extends GenericContainer<RankContainer> implements RankSupervisor.Rank, RankHandle {

    /** Where the worker's archive is unpacked: {@code jre/}, {@code worker.jar} and the worker's scratch {@code tmp/}. */
    static final String INSTALL_DIR = "/opt/ncclffm";
    private static final String LABEL = ContainerLauncher.LABEL;

    private final WorkerArchive archive;
    private final RankOutput output;
    private final CountDownLatch logsDone = new CountDownLatch(1);
    private final Map<String, String> workerEnvironment = new LinkedHashMap<>();
    private Map<String, String> runLabels = Map.of();
    private String cellName = "";
    private GpuAssignment gpu = GpuAssignment.NONE;
    private int hostDevice = -1;
    private Network cellNetwork;
    private ContainerLimits limits = ContainerLimits.of(Map.of());
    private int hostCpus;

    /**
     * @param output   where the rank's events and log go, and how it ended
     * @param observer sees every event as it arrives
     */
    RankContainer(DockerImageName image, WorkerArchive archive, RankOutput output, RankObserver observer) {
        super(image);
        this.archive = archive;
        this.output = output;
        LineSplitter stdout = output.eventLines(e -> observer.onEvent(this, e));
        LineSplitter stderr = output.logLines();
        withLogConsumer(frame -> {
            if (frame.getType() == OutputFrame.OutputType.END) {
                stdout.finish();
                stderr.finish();
                logsDone.countDown();
            } else if (frame.getBytes() != null) {
                (frame.getType() == OutputFrame.OutputType.STDERR ? stderr : stdout).accept(frame.getBytes());
            }
        });
        // World-writable like any /tmp: the worker runs as nobody.
        withTmpFs(Map.of("/tmp", "rw,exec,nosuid,size=1g,mode=1777"));
        withSharedMemorySize(1L << 30);
        withStartupCheckStrategy(new StartsAtOnce());
        withStartupAttempts(1);
        waitingFor(new NoWait());
    }

    /**
     * Which rank of which cell run this is: the run's labels ({@link RunIdentity#labels}), on the container and its
     * anonymous volume, and the host name on a cell network.
     */
    RankContainer withRank(Map<String, String> runLabels, String cellName) {
        this.runLabels = Map.copyOf(runLabels);
        this.cellName = cellName;
        return self();
    }

    /** The worker's environment ({@link WorkerEnvironment}). */
    RankContainer withWorkerEnvironment(Map<String, String> env) {
        workerEnvironment.clear();
        workerEnvironment.putAll(env);
        return self();
    }

    /** The GPUs the matrix assigns this cell; none by default. With one GPU per rank, this rank's is GPU {@code rank}. */
    RankContainer withGpu(GpuAssignment gpu) {
        return withGpu(gpu, output.rank());
    }

    /**
     * The GPUs the matrix assigns this cell, and with one GPU per rank the host GPU this rank is given
     * ({@link RankPlacement#hostDevice()}).
     */
    RankContainer withGpu(GpuAssignment gpu, int hostDevice) {
        this.gpu = gpu;
        this.hostDevice = hostDevice < 0 ? output.rank() : hostDevice;
        return self();
    }

    /**
     * What the container may take of the host ({@link ContainerLimits}); the default CPU limit is fitted to the
     * {@code hostCpus} the daemon reports, as Docker refuses more CPUs than the host has.
     */
    RankContainer withLimits(ContainerLimits limits, int hostCpus) {
        this.limits = limits;
        this.hostCpus = hostCpus;
        return self();
    }

    /** The cell's own network, where ranks find rank 0 by address; without it the rank shares the host's network. */
    RankContainer withCellNetwork(Network network) {
        this.cellNetwork = network;
        return withNetwork(network).withNetworkAliases(hostName());
    }

    private String hostName() {
        return "rank" + output.rank();
    }

    @Override
    protected void configure() {
        withCommand(WorkerLaunch.rank(INSTALL_DIR + "/jre/bin/java", INSTALL_DIR + "/worker.jar", INSTALL_DIR + "/tmp")
                .toArray(String[]::new));
        Map<String, String> env = new LinkedHashMap<>(workerEnvironment);
        if (gpu.nvidia() && gpu.access() == GpuAssignment.Access.DEVICES) env.put("LD_LIBRARY_PATH", GpuAccess.CONTAINER_DRIVER_DIR);
        withEnv(env);
        Map<String, String> labels = new LinkedHashMap<>(runLabels);
        labels.put(LABEL + ".rank", Integer.toString(output.rank()));
        labels.put(LABEL + ".cell", cellName);
        withLabels(labels);
        if (cellNetwork == null) withNetworkMode("host");
        withCreateContainerCmdModifier(cmd -> {
            // The worker and JRE go into an anonymous volume: the root stays read-only. A mount rather than a plain
            // volume, so that the volume carries the run's labels too and is found with the container it served.
            Mount install = new Mount().withType(MountType.VOLUME).withTarget(INSTALL_DIR)
                    .withVolumeOptions(new VolumeOptions().withLabels(new LinkedHashMap<>(runLabels)));
            cmd.getHostConfig().withMounts(new ArrayList<>(List.of(install)));
            cmd.withUser("65534:65534");
            if (cellNetwork != null) cmd.withHostName(hostName());
            cmd.getHostConfig().withCapDrop(Capability.ALL).withReadonlyRootfs(true)
                    .withSecurityOpts(new ArrayList<>(List.of("no-new-privileges")));
            // Memory and swap alike, so that a rank over its limit is killed (and reported as out of memory) rather
            // than swapping the host.
            limits.memoryBytes().ifPresent(m -> cmd.getHostConfig().withMemory(m).withMemorySwap(m));
            limits.pids().ifPresent(p -> cmd.getHostConfig().withPidsLimit(p));
            limits.cpusOn(hostCpus).ifPresent(c -> cmd.getHostConfig().withNanoCPUs(c));
            GpuAccess.apply(cmd, gpu, hostDevice);
        });
    }

    @Override
    protected void containerIsCreated(String containerId) {
        try (var in = archive.open()) {
            getDockerClient().copyArchiveToContainerCmd(containerId).withRemotePath(INSTALL_DIR).withTarInputStream(in).exec();
        } catch (IOException e) {
            throw new HarnessException("cannot upload the worker into container " + containerId, e);
        }
    }

    /**
     * This rank's address on its cell network. Ranks find rank 0 by address, not by its alias: Docker's embedded DNS
     * needs the daemon's iptables rules, which engines started with {@code --iptables=false} (GPU hosts without NAT)
     * do not have.
     */
    String addressOnCellNetwork() {
        var networks = getDockerClient().inspectContainerCmd(getContainerId()).exec().getNetworkSettings().getNetworks();
        return networks.values().stream().filter(n -> cellNetwork.getId().equals(n.getNetworkID()))
                .map(n -> n.getIpAddress()).filter(ip -> ip != null && !ip.isBlank()).findFirst()
                .orElseThrow(() -> new HarnessException("rank " + output.rank() + "'s container has no address on the cell network "
                        + cellNetwork.getId()));
    }

    /** Waits until the container's output has been read to its end (bounded; a stopped container ends it). */
    void awaitOutput(Duration bound) {
        try {
            logsDone.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public RankOutput output() {
        return output;
    }

    @Override
    public boolean poll() {
        InspectContainerResponse.ContainerState state = state();
        if (state != null && Boolean.TRUE.equals(state.getRunning())) return true;
        Long code = state == null ? null : state.getExitCodeLong();
        if (code == null) {
            output.ended(RankEnding.vanished(output.lastPhase()));
        } else if (Boolean.TRUE.equals(state.getOOMKilled())) {
            output.ended(RankEnding.outOfMemory(code.intValue(), output.lastPhase()));
        } else {
            output.ended(RankEnding.exited(code.intValue(), output.sawDone(), output.lastPhase()));
        }
        return false;
    }

    @Override
    public void kill(RankEnding.KillReason reason, String why) {
        try {
            getDockerClient().killContainerCmd(getContainerId()).exec();
        } catch (RuntimeException ignored) {
            // already gone
        }
        output.ended(RankEnding.killed(reason, why, output.lastPhase()));
    }

    private InspectContainerResponse.ContainerState state() {
        try {
            return getDockerClient().inspectContainerCmd(getContainerId()).exec().getState();
        } catch (NotFoundException e) {
            return null;
        }
    }

    @Override
    public int rank() {
        return output.rank();
    }

    @Override
    public void signal(String signal) {
        getDockerClient().killContainerCmd(getContainerId()).withSignal("SIG" + signal).exec();
    }

    @Override
    public String id() {
        return getContainerId();
    }

    /** A rank runs to completion; that its container started is all there is to wait for. */
    private static final class StartsAtOnce extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }

    private static final class NoWait extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
            // nothing listens: the worker reports through its output
        }
    }
}
