package io.ncclffm.harness.launch;

import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;

import io.ncclffm.harness.matrix.Cell;

/**
 * A Slurm cluster in containers, from {@code images/slurm}: a controller ({@code ctl}, also the login node srun runs
 * on) and two compute nodes ({@code c1}, {@code c2}) with one munge key made for this cluster, on a network of their
 * own, sharing a volume at {@link #SHARED} as a cluster shares a file system: the worker's Java and jar, and each
 * library under test. Everything carries the run's labels ({@link RunIdentity}) and is removed by {@link #close()},
 * or by a later run's sweep if this JVM dies.
 */
final class SlurmCluster implements AutoCloseable {

    static final String SHARED = "/shared";
    static final List<String> NODES = List.of("c1", "c2");
    private static final Duration UP = Duration.ofSeconds(90);

    private final DockerClient docker = DockerConnection.client();
    private final RunResources resources;
    private final Network network;
    private final String volume;
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private GenericContainer<?> ctl;

    private SlurmCluster(RunResources resources) {
        this.resources = resources;
        Map<String, String> labels = resources.identity().labels("slurm-cluster");
        this.network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withLabels(new HashMap<>(labels))).build();
        this.volume = docker.createVolumeCmd().withLabels(new HashMap<>(labels)).exec().getName();
    }

    /** Starts the cluster and waits until both compute nodes are idle. */
    static SlurmCluster start(RunResources resources) {
        String image = new ImageResolver(DockerConnection.client(), ImageResolver.defaultImagesDir(), null)
                .resolve(new Cell.BuildImage("slurm", Map.of()));
        SlurmCluster cluster = new SlurmCluster(resources);
        try {
            byte[] key = new byte[1024];
            new SecureRandom().nextBytes(key);
            for (String role : List.of("ctl", "c1", "c2")) cluster.node(image, role, key);
            cluster.awaitIdle();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    @SuppressWarnings("resource") // closed by close()
    private void node(String image, String role, byte[] key) {
        Map<String, String> labels = resources.identity().labels("slurm-cluster");
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network).withNetworkAliases(role).withCommand(role).withLabels(labels)
                .withEnv(Map.of("SLURM_CLUSTER_NODES", String.join(",", NODES), "SLURM_CTL_HOST", "ctl"))
                .withCopyToContainer(Transferable.of(key, 0400), "/etc/munge/munge.key")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(role);
                    cmd.getHostConfig().withBinds(new Bind(volume, new Volume(SHARED)));
                });
        containers.add(c);
        c.start();
        if (role.equals("ctl")) ctl = c;
    }

    private void awaitIdle() {
        long end = System.nanoTime() + UP.toNanos();
        String state = "";
        while (System.nanoTime() < end) {
            state = exec("sinfo", "--noheader", "--format=%n %T").strip();
            if (state.lines().filter(l -> l.endsWith(" idle")).count() == NODES.size()) return;
            sleep(500);
        }
        throw new IllegalStateException("the Slurm nodes were not idle within " + UP.toSeconds() + " s: " + state
                + "\nslurmctld: " + ctl.getLogs());
    }

    /** Runs a command on the login node; its standard output. */
    String exec(String... command) {
        try {
            var r = ctl.execInContainer(command);
            if (r.getExitCode() != 0) throw new IllegalStateException(String.join(" ", command) + ": " + r.getStderr());
            return r.getStdout();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs a command on a compute node. */
    void execOn(String node, String... command) throws Exception {
        GenericContainer<?> c = containers.get(1 + NODES.indexOf(node));
        var r = c.execInContainer(command);
        if (r.getExitCode() != 0) throw new IllegalStateException(node + ": " + String.join(" ", command) + ": " + r.getStderr());
    }

    /** Unpacks the worker's archive into {@code SHARED/ncclffm}: {@code jre/} and {@code worker.jar}. */
    void shareWorker(WorkerBundle bundle) throws Exception {
        WorkerArchive archive = WorkerArchive.of(bundle, resources.scratch());
        exec("mkdir", "-p", SHARED + "/ncclffm");
        try (InputStream in = archive.open()) {
            docker.copyArchiveToContainerCmd(ctl.getContainerId()).withRemotePath(SHARED + "/ncclffm").withTarInputStream(in).exec();
        }
    }

    /**
     * Copies the library file {@code file} of {@code image} into {@code SHARED/<folder>/}, where every node finds it;
     * returns its path there.
     */
    String shareLibrary(String image, String file, String folder) throws Exception {
        String target = SHARED + "/" + folder;
        exec("mkdir", "-p", target);
        String id = docker.createContainerCmd(image).withCmd("true").withLabels(resources.identity().labels("slurm-cluster")).exec().getId();
        try (InputStream in = docker.copyArchiveFromContainerCmd(id, file).exec()) {
            docker.copyArchiveToContainerCmd(ctl.getContainerId()).withRemotePath(target).withTarInputStream(in).exec();
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
        return target + "/" + file.substring(file.lastIndexOf('/') + 1);
    }

    /** Slurm as the launcher reaches it here: its commands run on the login node; the worker is on the shared volume. */
    SlurmSite site() {
        return new SlurmSite(List.of("docker", "exec", "-i", ctl.getContainerId()), SHARED + "/ncclffm/jre/bin/java",
                SHARED + "/ncclffm/worker.jar");
    }

    @Override
    public void close() {
        for (GenericContainer<?> c : containers) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                System.err.println("cannot stop " + c.getContainerId() + ": " + e);
            }
        }
        network.close();
        docker.removeVolumeCmd(volume).exec();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
