package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.WorkerLaunch;

/** What a rank's container is made of, read from its settings after configure(); no Docker needed. */
class RankContainerTest {

    private static final RunIdentity RUN = new RunIdentity("20260101T000000Z-abc123",
            new ControllerIdentity("host1", 42, 1000, "boot-1", "pid:[1]"));

    private static RankContainer rank(int rank) {
        return new RankContainer(DockerImageName.parse("ncclffm/debian:test"), null, new RankOutput(rank), RankObserver.NONE)
                .withRank(RUN.labels("cellrun1"), "nccl-2.22.3").withWorkerEnvironment(Map.of("NCCLFFM_RANK", Integer.toString(rank)));
    }

    @Test
    void aRank_runsTheWorkerFromItsInstallVolume_withItsEnvironmentAndLabels() {
        try (RankContainer c = rank(1)) {
            c.configure();
            assertEquals(WorkerLaunch.rank("/opt/ncclffm/jre/bin/java", "/opt/ncclffm/worker.jar", "/opt/ncclffm/tmp"),
                    List.of(c.getCommandParts()));
            assertEquals("1", c.getEnvMap().get("NCCLFFM_RANK"));
            Map<String, String> labels = new java.util.HashMap<>(RUN.labels("cellrun1"));
            labels.put(ContainerLauncher.LABEL + ".rank", "1");
            labels.put(ContainerLauncher.LABEL + ".cell", "nccl-2.22.3");
            assertEquals(labels, c.getLabels());
            assertEquals("20260101T000000Z-abc123", c.getLabels().get(RunIdentity.RUN), "the matrix run, for cleanup by label");
            assertEquals("42", c.getLabels().get("io.ncclffm.harness.controller.pid"), "and its controller");
            assertTrue(c.getTmpFsMapping().containsKey("/tmp"), "a fresh /tmp on a read-only root");
            assertEquals("host", c.getNetworkMode(), "without a cell network the rank shares the host's");
            assertFalse(c.getEnvMap().containsKey("LD_LIBRARY_PATH"));
        }
    }

    @Test
    void onTheCellsNetwork_aRankIsFoundAsRankN() {
        try (Network network = Network.newNetwork(); RankContainer c = rank(2).withCellNetwork(network)) {
            c.configure();
            assertTrue(c.getNetworkAliases().contains("rank2"), c.getNetworkAliases().toString());
            assertEquals(network, c.getNetwork());
        }
    }

    @Test
    void nvidiaDevicesWithoutTheToolkit_putTheBindMountedDriverOnTheLibraryPath() {
        try (RankContainer devices = rank(0).withGpu(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED,
                GpuAssignment.Access.DEVICES, null)); RankContainer toolkit = rank(0).withGpu(new GpuAssignment(GpuAssignment.Vendor.NVIDIA,
                GpuAssignment.Assign.ALL, GpuAssignment.Access.TOOLKIT, null))) {
            devices.configure();
            toolkit.configure();
            assertEquals(GpuAccess.CONTAINER_DRIVER_DIR, devices.getEnvMap().get("LD_LIBRARY_PATH"));
            assertFalse(toolkit.getEnvMap().containsKey("LD_LIBRARY_PATH"), "the toolkit mounts the driver itself");
        }
    }
}
