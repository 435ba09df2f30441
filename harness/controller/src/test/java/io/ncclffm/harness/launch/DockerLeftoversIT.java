package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.VolumeOptions;

/**
 * What runs left in Docker is removed by label, and only what is provably theirs: the resources of a controller that
 * is gone go; those of a live controller, of a controller that cannot be judged from here, and unlabelled ones stay.
 * The resources are made here with the labels the launchers give, on the real daemon.
 */
class DockerLeftoversIT {

    private static final String IMAGE = "ncclffm/base:trixie";

    private DockerClient client;
    private DockerEngine engine;
    private final List<String> containers = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    @BeforeEach
    void docker() {
        DockerRequirement.check();
        client = DockerClientFactory.instance().client();
        engine = DockerEngine.at(DockerClientFactory.instance().getTransportConfig().getDockerHost().toString());
    }

    /** What this test made and a sweep left, removed whatever happened. */
    @AfterEach
    void removeWhatThisTestMade() {
        for (String c : containers) ignoring(() -> client.removeContainerCmd(c).withForce(true).withRemoveVolumes(true).exec());
        for (String n : networks) ignoring(() -> client.removeNetworkCmd(n).exec());
        for (String v : volumes) ignoring(() -> client.removeVolumeCmd(v).exec());
    }

    private static void ignoring(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // already removed, which is what the tests here are about
        }
    }

    /** A container (created, never started) with a labelled anonymous volume, a network and a volume, all labelled. */
    private void resourcesOf(Map<String, String> labels) {
        String container = client.createContainerCmd(IMAGE).withCmd("true").withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig().withMounts(List.of(new Mount().withType(MountType.VOLUME)
                        .withTarget("/opt/ncclffm").withVolumeOptions(new VolumeOptions().withLabels(labels))))).exec().getId();
        containers.add(container);
        networks.add(client.createNetworkCmd().withName("ncclffm-leftovers-test-" + container.substring(0, 12)).withLabels(labels).exec().getId());
        volumes.add(client.createVolumeCmd().withLabels(labels).exec().getName());
    }

    private List<DockerEngine.Resource> ofRun(String runId) {
        List<DockerEngine.Resource> all = new ArrayList<>();
        for (DockerEngine.Kind kind : DockerEngine.Kind.values()) all.addAll(engine.list(kind, RunIdentity.RUN + "=" + runId));
        return all;
    }

    private static ControllerIdentity gone() throws Exception {
        Process p = new ProcessBuilder("true").start();
        Long start = ControllerIdentity.startTicksOf(p.pid());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        ControllerIdentity me = ControllerIdentity.current();
        return new ControllerIdentity(me.host(), p.pid(), start == null ? 1 : start, me.bootId(), me.pidNamespace());
    }

    @Test
    void theResourcesOfAControllerThatIsGone_areRemoved_andNothingElse() throws Exception {
        String suffix = Long.toHexString(System.nanoTime());
        RunIdentity dead = new RunIdentity("leftovers-dead-" + suffix, gone());
        RunIdentity live = new RunIdentity("leftovers-live-" + suffix, ControllerIdentity.current());
        ControllerIdentity me = ControllerIdentity.current();
        RunIdentity elsewhere = new RunIdentity("leftovers-elsewhere-" + suffix,
                new ControllerIdentity(me.host() + "-another", gone().pid(), 1, me.bootId(), me.pidNamespace()));
        resourcesOf(dead.labels("cellrun"));
        resourcesOf(live.labels("cellrun"));
        resourcesOf(elsewhere.labels("cellrun"));
        Map<String, String> unlabelled = new HashMap<>(Map.of(RunIdentity.LABEL, "cellrun-of-an-older-harness"));
        unlabelled.put("io.ncclffm.leftovers-test", suffix);
        resourcesOf(unlabelled);
        assertEquals(4, ofRun(dead.runId()).size(), "a container, its anonymous volume, a network and a volume, all labelled: "
                + ofRun(dead.runId()));

        DockerLeftovers.Sweep sweep = new DockerLeftovers(engine).removeDeadControllers();

        assertEquals(List.of(), ofRun(dead.runId()), "the dead controller's run is gone");
        assertTrue(sweep.removed().size() >= 3, "container (with its anonymous volume), network and volume: " + sweep.removed());
        assertEquals(4, ofRun(live.runId()).size(), "a live controller's run is left alone");
        assertEquals(4, ofRun(elsewhere.runId()).size(), "a controller of another host cannot be judged from here");
        assertFalse(engine.list(DockerEngine.Kind.CONTAINER, "io.ncclffm.leftovers-test=" + suffix).isEmpty(),
                "a resource without the run's labels is never touched");
    }

    @Test
    void removingARun_removesItsContainersWithTheirVolumes_thenItsNetworksAndVolumes() {
        RunIdentity run = new RunIdentity("leftovers-run-" + Long.toHexString(System.nanoTime()), ControllerIdentity.current());
        resourcesOf(run.labels("cellrun"));
        DockerLeftovers.Sweep sweep = new DockerLeftovers(engine).removeRun(run.runId());
        assertEquals(List.of(), sweep.failures());
        assertEquals(List.of(), ofRun(run.runId()));
        assertTrue(new DockerLeftovers(engine).removeRun(run.runId()).foundNothing(), "a second sweep finds nothing");
    }
}
