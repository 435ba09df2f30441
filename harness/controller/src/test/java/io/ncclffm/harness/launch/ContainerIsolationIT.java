package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.ContainerLimits;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * Rank containers as Docker made them, inspected while the ranks run: their memory, process and CPU limits, the
 * cell's network (internal: no route out), and NCCL bound to it; and Debian's real NCCL still passes its CPU checks
 * across two containers under those limits.
 */
class ContainerIsolationIT {

    private RunResources resources;
    private ContainerLauncher launcher;
    private DockerClient docker;

    @BeforeEach
    void docker() {
        DockerRequirement.check();
        resources = RunResources.standalone();
        launcher = ContainerLauncher.create(WorkerBundle.locate(), resources);
        docker = DockerClientFactory.instance().client();
    }

    @AfterEach
    void nothingLeft() {
        if (resources != null) resources.close();
        if (launcher != null) Leftovers.assertNoContainersOrNetworks();
    }

    /** What Docker says of a rank's container and its network, read when the rank says hello. */
    private record Seen(HostConfig host, boolean internalNetwork, Map<String, String> ncclEnv) {
    }

    private CellRun run(Map<String, String> env, Map<Integer, Seen> seen) {
        Cell base = TestCells.debian("nccl-2.22.3-trixie");
        Cell cell = TestCells.with(base, "isolated", base.soPath(), base.version(), Duration.ofMinutes(3), env);
        CellRun run = launcher.run(cell, 2, (rank, event) -> {
            if (!(event instanceof WorkerEvent.Hello hello)) return;
            InspectContainerResponse c = docker.inspectContainerCmd(rank.id()).exec();
            List<Boolean> internal = c.getNetworkSettings().getNetworks().values().stream()
                    .map(n -> docker.inspectNetworkCmd().withNetworkId(n.getNetworkID()).exec().getInternal()).toList();
            seen.put(rank.rank(), new Seen(c.getHostConfig(), internal.equals(List.of(true)), hello.environment()));
        });
        assertNull(run.infraFailure());
        assertEquals(2, seen.size(), "both ranks were seen");
        for (String check : List.of("load", "version", "unique-id", "init-without-gpu", CellVerdicts.UNIQUE_ID_AGREEMENT,
                CellVerdicts.RANKS_FINISHED)) {
            Verdict v = CellVerdicts.of(run, TestCells.matrixOf(cell)).stream().filter(x -> x.checkId().equals(check)).findFirst()
                    .orElseThrow(() -> new AssertionError("no verdict for " + check));
            assertEquals(CheckStatus.PASSED, v.status(), check + ": " + v.message());
        }
        return run;
    }

    @Test
    void rankContainers_haveTheDefaultLimits_anInternalNetwork_andNcclBoundToIt() {
        Map<Integer, Seen> seen = new ConcurrentHashMap<>();
        run(Map.of(), seen);
        int hostCpus = docker.infoCmd().exec().getNCPU();
        for (Seen s : seen.values()) {
            assertEquals(16L << 30, s.host().getMemory());
            assertEquals(16L << 30, s.host().getMemorySwap(), "no swap beyond the memory limit");
            assertEquals(4096L, s.host().getPidsLimit());
            assertEquals(Math.min(8, hostCpus) * 1_000_000_000L, s.host().getNanoCPUs());
            assertTrue(s.internalNetwork(), "the container is on one network, and it is internal");
            assertEquals("eth0", s.ncclEnv().get("NCCL_SOCKET_IFNAME"), "NCCL is bound to the cell's network: " + s.ncclEnv());
        }
    }

    @Test
    void aCellsOwnLimits_areApplied_andNotPassedToTheRanks() {
        Map<Integer, Seen> seen = new ConcurrentHashMap<>();
        run(Map.of(ContainerLimits.MEMORY, "2g", ContainerLimits.PIDS, "1024", ContainerLimits.CPUS, "1"), seen);
        for (Seen s : seen.values()) {
            assertEquals(2L << 30, s.host().getMemory());
            assertEquals(1024L, s.host().getPidsLimit());
            assertEquals(1_000_000_000L, s.host().getNanoCPUs());
            assertTrue(s.ncclEnv().keySet().stream().noneMatch(k -> k.startsWith("NCCLFFM_CONTAINER_")), s.ncclEnv().toString());
        }
    }
}
