package io.ncclffm.harness.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

import com.github.dockerjava.api.DockerClient;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.ContainerLimits;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.RendezvousToken;

/**
 * Runs each rank in its own container ({@link RankContainer}), on a network of its own per cell (or the host's). The
 * JVM and the worker jar are copied into every container, so the image only needs the library.
 *
 * <p>The cell's network is internal: the ranks reach each other and nothing else (no route out, no name service).
 * NCCL is bound to it ({@code NCCL_SOCKET_IFNAME=eth0}, the container's one interface on it) unless the cell's env
 * names an interface; on the host's network ({@code network: host}) it is bound to loopback, as for process ranks. Every container and
 * network is removed before {@link #run} returns, also when a rank fails, dies or hangs (Ryuk is not relied on).
 *
 * <p>Every container, network and anonymous volume carries the run's labels ({@link RunIdentity}), so that the
 * shutdown hook, the reaper and later runs can find what a stopped or killed run left; the worker's archive lives in
 * the run's scratch folder. Nothing new is created once the run is stopping.
 */
public final class ContainerLauncher implements CellLauncher {

    static final int RENDEZVOUS_PORT = 29500;
    /** A container's interface on the one network it is attached to at creation: its cell network. */
    static final String CELL_INTERFACE = "eth0";
    /** Labels every container, network and volume the harness makes, so that a test can prove none is left. */
    public static final String LABEL = RunIdentity.LABEL;

    private final WorkerBundle bundle;
    private final ImageResolver images;
    private final RunResources resources;
    private WorkerArchive archive;
    private int hostCpus;

    public ContainerLauncher(WorkerBundle bundle, ImageResolver images, RunResources resources) {
        this.bundle = bundle;
        this.images = images;
        this.resources = resources;
    }

    /** A launcher of its own, outside a matrix run (tests). */
    public static ContainerLauncher create(WorkerBundle bundle) {
        return create(bundle, RunResources.standalone());
    }

    /**
     * A launcher on the Docker that Testcontainers finds, building images from the recipes under
     * {@link ImageResolver#defaultImagesDir()}, for the run that {@code resources} belong to. What runs of controllers
     * that are provably gone left on that daemon is removed first.
     */
    public static ContainerLauncher create(WorkerBundle bundle, RunResources resources) {
        DockerClient docker = DockerConnection.client();
        resources.useDocker(org.testcontainers.DockerClientFactory.instance().getTransportConfig().getDockerHost().toString());
        java.nio.file.Path images = ImageResolver.defaultImagesDir();
        return new ContainerLauncher(bundle, new ImageResolver(docker, images,
                new HostFilesRecipe(docker, images.resolve("host-files"), bundle)), resources);
    }

    /** The CPUs of the Docker host, asked once; 0 when the daemon does not say. */
    private synchronized int hostCpus() {
        if (hostCpus == 0) {
            Integer n = DockerConnection.client().infoCmd().exec().getNCPU();
            hostCpus = n == null ? -1 : n;
        }
        return Math.max(hostCpus, 0);
    }

    private synchronized WorkerArchive archive() {
        if (archive == null) archive = WorkerArchive.of(bundle, resources.scratch());
        return archive;
    }

    @Override
    public String name() {
        return "container";
    }

    @Override
    public CellRun run(Cell cell, int world, RankObserver observer, List<Integer> devices) {
        long start = System.nanoTime();
        List<RankOutput> outputs = new ArrayList<>();
        for (int r = 0; r < world; r++) outputs.add(new RankOutput(r));
        String image;
        try {
            image = images.resolve(cell.source());
        } catch (HarnessException e) {
            outputs.forEach(o -> o.ended(RankEnding.notStarted("never started: " + e.getMessage())));
            return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
        }
        String runId = Long.toHexString(System.nanoTime() & 0xffffffL);
        RendezvousToken token = RendezvousToken.random();
        boolean hostNetwork = cell.network() == Cell.Network.HOST;
        Map<String, String> labels = resources.identity().labels(runId);
        Network network = hostNetwork ? null : Network.builder()
                .createNetworkCmdModifier(cmd -> cmd.withLabels(new java.util.HashMap<>(labels)).withInternal(true)).build();
        List<RankContainer> containers = new ArrayList<>();
        String failure = null;
        try {
            resources.checkNotStopping();
            WorkerArchive archive = archive();
            archive.checkPresent();
            int port = hostNetwork ? RendezvousPorts.next() : RENDEZVOUS_PORT;
            String rank0Address = "127.0.0.1";
            for (int rank = 0; rank < world; rank++) {
                RankPlacement place = RankPlacement.forContainer(cell, rank, runId, !hostNetwork, devices);
                Map<String, String> env = WorkerEnvironment.forRank(cell, world, rank, rank0Address, port,
                        hostNetwork ? "127.0.0.1" : "0.0.0.0", token, place.deviceOrdinal(), place.hostId(), place.visibleDevice());
                env = WorkerEnvironment.boundTo(env, cell, hostNetwork ? "lo" : CELL_INTERFACE);
                outputs.get(rank).expectFrom(env);
                @SuppressWarnings("resource") // stopped in finally
                RankContainer c = new RankContainer(DockerImageName.parse(image), archive, outputs.get(rank), observer)
                        .withRank(labels, cell.name()).withWorkerEnvironment(env).withGpu(cell.gpu(), place.hostDevice())
                        .withLimits(ContainerLimits.of(cell.env()), hostCpus());
                if (network != null) c.withCellNetwork(network);
                containers.add(c);
                resources.checkNotStopping();
                c.start();
                if (rank == 0 && network != null) rank0Address = c.addressOnCellNetwork();
            }
            new RankSupervisor(cell).supervise(containers);
        } catch (RuntimeException e) {
            failure = "container start failed: " + cause(e);
            for (RankOutput o : outputs) if (!o.hasEnded()) o.ended(RankEnding.notStarted("stopped: " + failure));
        } finally {
            for (RankContainer c : containers) c.awaitOutput(Duration.ofSeconds(10));
            for (RankContainer c : containers) {
                try {
                    c.stop();
                } catch (RuntimeException e) {
                    failure = failure != null ? failure : "cannot remove container of rank " + c.rank() + ": " + e.getMessage();
                }
            }
            if (network != null) network.close();
        }
        return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), failure);
    }

    /**
     * Why a start failed, in the words of whoever knew: the harness's own exception where one is in the chain
     * (Testcontainers wraps it in "Container startup failed" and "Retry limit hit"), else the innermost cause.
     */
    static String cause(Throwable e) {
        Throwable innermost = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HarnessException) {
                return t.getMessage() + (t.getCause() != null ? " (" + t.getCause() + ")" : "");
            }
            innermost = t;
        }
        return innermost == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + innermost;
    }
}
