package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.testcontainers.DockerClientFactory;

import com.github.dockerjava.api.DockerClient;

/** Proves that the harness left nothing behind: no labelled container, network, or rank process. */
final class Leftovers {

    private Leftovers() {
    }

    static void assertNoContainersOrNetworks() {
        DockerClient docker = DockerClientFactory.instance().client();
        List<String> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(ContainerLauncher.LABEL)).exec().stream()
                .map(c -> c.getId().substring(0, 12) + " " + c.getState()).toList();
        assertEquals(List.of(), containers, "containers left behind");
        List<String> networks = docker.listNetworksCmd().withFilter("label", List.of(ContainerLauncher.LABEL)).exec()
                .stream().map(n -> n.getName()).toList();
        assertEquals(List.of(), networks, "networks left behind");
    }

    static void assertNoRankProcesses() {
        List<String> ranks = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("RankWorker"))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertEquals(List.of(), ranks, "rank processes left behind");
    }
}
