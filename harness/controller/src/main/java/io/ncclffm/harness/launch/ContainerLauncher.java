package io.ncclffm.harness.launch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Volume;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerLaunch;

/**
 * Runs each rank in its own container (Testcontainers and docker-java), on a network of its own per cell. The
 * JVM and the worker jar are copied into every container, so the image only needs the library. Containers run
 * unprivileged: all capabilities dropped, no new privileges, a read-only root, user nobody. Every container and
 * network is removed before {@link #run} returns, also when a rank fails, dies or hangs (Ryuk is not relied on).
 */
public final class ContainerLauncher implements CellLauncher {

    static final int RENDEZVOUS_PORT = 29500;
    static final String INSTALL_DIR = "/opt/ncclffm";
    /** Labels every container and network the harness makes, so that a test can prove none is left. */
    public static final String LABEL = "io.ncclffm.harness";

    private final WorkerBundle bundle;
    private final ImageResolver images;
    private final DockerClient docker;
    private WorkerArchive archive;

    public ContainerLauncher(WorkerBundle bundle, ImageResolver images, DockerClient docker) {
        this.bundle = bundle;
        this.images = images;
        this.docker = docker;
    }

    /**
     * A launcher on the Docker that Testcontainers finds, building images from the recipes under
     * {@link ImageResolver#defaultImagesDir()}.
     */
    public static ContainerLauncher create(WorkerBundle bundle) {
        DockerClient docker = org.testcontainers.DockerClientFactory.instance().client();
        java.nio.file.Path images = ImageResolver.defaultImagesDir();
        return new ContainerLauncher(bundle, new ImageResolver(docker, images,
                new HostFilesImage(docker, images.resolve("host-files"), bundle.jre())), docker);
    }

    private synchronized WorkerArchive archive() {
        if (archive == null) archive = WorkerArchive.of(bundle);
        return archive;
    }

    @Override
    public String name() {
        return "container";
    }

    @Override
    public CellRun run(Cell cell, int world, RankObserver observer) {
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
        Network network = hostNetwork ? null : Network.builder()
                .createNetworkCmdModifier(cmd -> cmd.withLabels(new java.util.HashMap<>(Map.of(LABEL, runId)))).build();
        List<GenericContainer<?>> containers = new ArrayList<>();
        List<CountDownLatch> logsDone = new ArrayList<>();
        String failure = null;
        try {
            int port = hostNetwork ? RendezvousPorts.next() : RENDEZVOUS_PORT;
            String rank0Address = "127.0.0.1";
            for (int rank = 0; rank < world; rank++) {
                RankPlacement place = RankPlacement.of(cell, rank, runId, !hostNetwork);
                Map<String, String> env = new java.util.LinkedHashMap<>(WorkerEnvironment.forRank(cell, world, rank,
                        rank0Address, port, hostNetwork ? "127.0.0.1" : "0.0.0.0", token,
                        place.deviceOrdinal(), place.hostId(), place.visibleDevice()));
                if (cell.gpu().nvidia() && cell.gpu().access() == GpuAssignment.Access.DEVICES) {
                    env.put("LD_LIBRARY_PATH", GpuAccess.CONTAINER_DRIVER_DIR);
                }
                CountDownLatch done = new CountDownLatch(1);
                logsDone.add(done);
                GenericContainer<?> c = rankContainer(image, cell, rank, runId, env, network, outputs.get(rank), observer, done);
                containers.add(c);
                c.start();
                if (rank == 0 && network != null) rank0Address = addressOnNetwork(c, network);
            }
            awaitAll(cell, containers, outputs);
        } catch (RuntimeException e) {
            failure = "container start failed: " + e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "");
            for (RankOutput o : outputs) if (!o.hasEnded()) o.ended(RankEnding.notStarted("stopped: " + failure));
        } finally {
            for (CountDownLatch l : logsDone) awaitQuietly(l);
            for (int r = 0; r < containers.size(); r++) {
                try {
                    containers.get(r).stop();
                } catch (RuntimeException e) {
                    failure = failure != null ? failure : "cannot remove container of rank " + r + ": " + e.getMessage();
                }
            }
            if (network != null) network.close();
        }
        return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), failure);
    }

    private GenericContainer<?> rankContainer(String image, Cell cell, int rank, String runId, Map<String, String> env,
                                              Network network, RankOutput out, RankObserver observer, CountDownLatch logsDone) {
        @SuppressWarnings("resource")
        GenericContainer<?> c = new RankContainer(image, docker, archive());
        RankHandle handle = new ContainerRank(rank, c);
        LineAssembler stdout = new LineAssembler(line -> {
            WorkerEvent e = out.acceptStdout(line);
            if (e != null) observer.onEvent(handle, e);
        });
        LineAssembler stderr = new LineAssembler(out::acceptStderr);
        c.withEnv(env)
                .withCommand(WorkerLaunch.rank(INSTALL_DIR + "/jre/bin/java", INSTALL_DIR + "/worker.jar", INSTALL_DIR + "/tmp")
                        .toArray(String[]::new))
                // World-writable like any /tmp: the worker runs as nobody, and JCuda unpacks its native library here.
                .withTmpFs(Map.of("/tmp", "rw,exec,nosuid,size=1g,mode=1777"))
                .withSharedMemorySize(1L << 30)
                .withStartupCheckStrategy(new StartsAtOnce())
                .withStartupAttempts(1)
                .waitingFor(new NoWait())
                .withLogConsumer(frame -> {
                    if (frame.getType() == OutputFrame.OutputType.END) {
                        stdout.flush();
                        stderr.flush();
                        logsDone.countDown();
                    } else if (frame.getBytes() != null) {
                        (frame.getType() == OutputFrame.OutputType.STDERR ? stderr : stdout).accept(frame.getBytes());
                    }
                })
                .withLabels(Map.of(LABEL, runId, LABEL + ".rank", Integer.toString(rank), LABEL + ".cell", cell.name()))
                .withCreateContainerCmdModifier(cmd -> {
                    // The worker and JRE go into an anonymous volume: the root stays read-only.
                    cmd.withVolumes(new Volume(INSTALL_DIR));
                    cmd.withUser("65534:65534");
                    if (network != null) cmd.withHostName("rank" + rank);
                    cmd.getHostConfig().withCapDrop(Capability.ALL).withReadonlyRootfs(true)
                            .withSecurityOpts(new ArrayList<>(List.of("no-new-privileges")));
                    GpuAccess.apply(cmd, cell.gpu(), rank);
                });
        if (network != null) {
            c.withNetwork(network).withNetworkAliases("rank" + rank);
        } else {
            c.withNetworkMode("host");
        }
        return c;
    }

    private void awaitAll(Cell cell, List<GenericContainer<?>> containers, List<RankOutput> outputs) {
        List<RankSupervisor.Rank> ranks = new ArrayList<>();
        for (int r = 0; r < containers.size(); r++) ranks.add(new SupervisedContainer(containers.get(r), outputs.get(r)));
        new RankSupervisor(cell).supervise(ranks);
    }

    /** A rank container as the supervisor sees it. */
    private final class SupervisedContainer implements RankSupervisor.Rank {
        private final GenericContainer<?> container;
        private final RankOutput output;

        SupervisedContainer(GenericContainer<?> container, RankOutput output) {
            this.container = container;
            this.output = output;
        }

        @Override
        public RankOutput output() {
            return output;
        }

        @Override
        public boolean poll() {
            InspectContainerResponse.ContainerState state = state(container);
            if (state != null && Boolean.TRUE.equals(state.getRunning())) return true;
            Long code = state == null ? null : state.getExitCodeLong();
            if (state == null || code == null) {
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
                docker.killContainerCmd(container.getContainerId()).exec();
            } catch (RuntimeException ignored) {
                // already gone
            }
            output.ended(RankEnding.killed(reason, why, output.lastPhase()));
        }
    }

    /**
     * Rank 0's address on the cell network. Ranks find it by address, not by its alias: Docker's embedded DNS
     * needs the daemon's iptables rules, which engines started with {@code --iptables=false} (GPU hosts without
     * NAT) do not have.
     */
    private String addressOnNetwork(GenericContainer<?> c, Network network) {
        var networks = docker.inspectContainerCmd(c.getContainerId()).exec().getNetworkSettings().getNetworks();
        return networks.values().stream().filter(n -> network.getId().equals(n.getNetworkID()))
                .map(n -> n.getIpAddress()).filter(ip -> ip != null && !ip.isBlank()).findFirst()
                .orElseThrow(() -> new HarnessException("rank 0's container has no address on the cell network " + network.getId()));
    }

    private InspectContainerResponse.ContainerState state(GenericContainer<?> c) {
        try {
            return docker.inspectContainerCmd(c.getContainerId()).exec().getState();
        } catch (NotFoundException e) {
            return null;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A rank's container: the worker bundle goes into the install volume between creation and start. */
    private static final class RankContainer extends GenericContainer<RankContainer> {
        private final DockerClient docker;
        private final WorkerArchive archive;

        RankContainer(String image, DockerClient docker, WorkerArchive archive) {
            super(image);
            this.docker = docker;
            this.archive = archive;
        }

        @Override
        protected void containerIsCreated(String containerId) {
            try (var in = archive.open()) {
                docker.copyArchiveToContainerCmd(containerId).withRemotePath(INSTALL_DIR).withTarInputStream(in).exec();
            } catch (IOException e) {
                throw new HarnessException("cannot upload the worker into container " + containerId, e);
            }
        }
    }

    /** The rank's container runs to completion; starting it is all there is to wait for. */
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

    private final class ContainerRank implements RankHandle {
        private final int rank;
        private final GenericContainer<?> container;

        ContainerRank(int rank, GenericContainer<?> container) {
            this.rank = rank;
            this.container = container;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public void signal(String signal) {
            docker.killContainerCmd(container.getContainerId()).withSignal("SIG" + signal).exec();
        }

        @Override
        public String id() {
            return container.getContainerId();
        }
    }
}
