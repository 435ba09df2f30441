package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerConfig;

class WorkerEnvironmentTest {

    private static Cell cell(GpuAssignment gpu) {
        return Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 3))
                .source(new Cell.HostLibrary("/lib/libnccl.so.2"), "/lib/libnccl.so.2").worlds(List.of(4)).gpu(gpu)
                .timeout(Duration.ofMinutes(8)).env(Map.of("NCCL_DEBUG", "INFO")).counts(List.of(1, 7)).line(1).build();
    }

    @Test
    void sharedGpu_givesEveryRankItsOwnHostIdAndLoopbackSockets() {
        Cell c = cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null));
        RankPlacement p = RankPlacement.forProcess(c, 3, "run1", List.of());
        RendezvousToken token = RendezvousToken.random();
        Map<String, String> env = WorkerEnvironment.forRank(c, 4, 3, "127.0.0.1", 4000, "127.0.0.1", token, p.deviceOrdinal(),
                p.hostId(), p.visibleDevice());
        assertEquals("ncclffm-run1-rank3", env.get("NCCL_HOSTID"));
        assertEquals("lo", env.get("NCCL_SOCKET_IFNAME"));
        assertEquals("0", env.get(WorkerConfig.DEVICE));
        assertEquals("/lib/libnccl.so.2", env.get("NCCLFFM_SO_PATH"));
        assertEquals("2.28.3", env.get(WorkerConfig.EXPECT_VERSION));
        assertEquals("cuda", env.get(WorkerConfig.GPU));
        assertEquals("1,7", env.get(WorkerConfig.COUNTS));
        assertEquals("0", env.get("NCCL_NVLS_ENABLE"), "NVLink multicast stays off everywhere");
        assertFalse(env.containsKey("NCCL_DEBUG_FILE"), "NCCL logs where it does by default; the worker's events are elsewhere");
        assertEquals("INFO", env.get("NCCL_DEBUG"), "the cell's own environment wins");
        assertEquals(Long.toString(8 * 60 - 15), env.get(WorkerConfig.WORKER_TIMEOUT), "the worker gives up before the launcher");
        WorkerConfig read = WorkerConfig.fromEnvironment(env);
        assertEquals(3, read.rank());
        assertEquals(token, read.rendezvous().token());
        assertEquals(WorkerConfig.Mode.CHECK, read.mode());
        assertEquals(java.util.List.of(1, 7), read.checks().counts());
    }

    @Test
    void distinctHostnames_needNoHostId_andPerRankSeesOnlyItsGpu() {
        Cell shared = cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null));
        assertNull(RankPlacement.forContainer(shared, 1, "r", true, List.of()).hostId(), "containers on a cell network differ by hostname");
        RankPlacement perRank = RankPlacement.forProcess(cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.TOOLKIT, null)), 2, "r", List.of());
        assertEquals("2", perRank.visibleDevice());
        assertEquals(0, perRank.deviceOrdinal());
        RankPlacement all = RankPlacement.forProcess(cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.ALL, GpuAssignment.Access.TOOLKIT, null)), 2, "r", List.of());
        assertEquals(2, all.deviceOrdinal());
        Map<String, String> none = WorkerEnvironment.forRank(cell(GpuAssignment.NONE), 1, 0, "h", 1, "b", RendezvousToken.random(), 0,
                null, null);
        assertEquals("none", none.get(WorkerConfig.GPU));
        assertFalse(none.containsKey("NCCL_HOSTID"));
    }

    @Test
    void aCellsWorkerSettings_reachTheWorker_andALauncherVariableInItsEnv_isRefused() {
        Cell base = cell(GpuAssignment.NONE);
        Cell tuned = Cell.builder("c", base.flavor(), base.version()).source(base.source(), base.soPath())
                .worlds(base.worlds()).gpu(base.gpu()).timeout(base.timeout())
                .env(Map.of(WorkerConfig.COLLECTIVE_TIMEOUT, "20", "NCCLFFM_SHIM_DELAY_US", "30")).line(1).build();
        Map<String, String> env = WorkerEnvironment.forRank(tuned, 1, 0, "h", 1, "b", RendezvousToken.random(), 0, null, null);
        assertEquals(java.time.Duration.ofSeconds(20), WorkerConfig.fromEnvironment(env).timeouts().collective());
        assertEquals("30", env.get("NCCLFFM_SHIM_DELAY_US"), "what the worker does not read passes through to the libraries");
        Cell bad = Cell.builder("c", base.flavor(), base.version()).source(base.source(), base.soPath())
                .worlds(base.worlds()).gpu(base.gpu()).timeout(base.timeout()).env(Map.of(WorkerConfig.RANK, "1")).line(1)
                .build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WorkerEnvironment.forRank(bad, 1, 0, "h", 1, "b", RendezvousToken.random(), 0, null, null));
        assertEquals("NCCLFFM_RANK is set by the launcher from the cell's place and fields, not by its env", e.getMessage());
    }

    @Test
    void aPairedPerfCandidate_carriesTheBaselinesLibraryToEveryRank_andOthersDoNot() {
        GpuAssignment gpu = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null);
        Cell perf = Cell.builder("perf-b", Flavor.NCCL, NcclVersion.of(2, 28, 9))
                .source(new Cell.HostLibrary("/b/libnccl.so.2"), "/b/libnccl.so.2").gpu(gpu).timeout(Duration.ofMinutes(5))
                .mode(WorkerConfig.Mode.PERF).line(1).build();
        Map<String, String> env = WorkerEnvironment.forRank(perf.withPairedBaseline("/a/libnccl.so.2"), 1, 0, "127.0.0.1", 0,
                "127.0.0.1", RendezvousToken.random(), 0, null, null);
        assertEquals("/a/libnccl.so.2", env.get(WorkerConfig.PERF_BASELINE));
        assertEquals("/a/libnccl.so.2", WorkerConfig.fromEnvironment(env).perf().orElseThrow().baseline());
        assertFalse(WorkerEnvironment.forRank(perf, 1, 0, "127.0.0.1", 0, "127.0.0.1", RendezvousToken.random(), 0, null, null)
                .containsKey(WorkerConfig.PERF_BASELINE));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> cell(gpu).withPairedBaseline("/a/libnccl.so.2"), "a check cell times nothing");
    }

    @Test
    void rankZeroOfAPerfWorldWithAGpuPerRank_isGivenEveryRanksGpuForNcclTests_andNoOtherCellIs() {
        GpuAssignment perRank = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.TOOLKIT, null);
        GpuAssignment shared = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null);
        Cell perf = Cell.builder("perf-w4", Flavor.NCCL, NcclVersion.of(2, 28, 9))
                .source(new Cell.HostLibrary("/b/libnccl.so.2"), "/b/libnccl.so.2").worlds(List.of(4)).gpu(perRank)
                .timeout(Duration.ofMinutes(5)).mode(WorkerConfig.Mode.PERF).line(1).build();
        assertEquals("0,1,2,3", RankPlacement.allDevices(perf, 4, List.of()), "rank i sees GPU i, so nccl-tests gets them in rank order");
        Map<String, String> env = WorkerEnvironment.forRank(perf, 4, 0, "127.0.0.1", 4000, "127.0.0.1", RendezvousToken.random(), 0,
                null, "0", RankPlacement.allDevices(perf, 4, List.of()), WorkerConfig.Lifeline.STDIN);
        assertEquals("0,1,2,3", env.get(WorkerConfig.NCCL_TESTS_DEVICES));
        assertEquals("stdin", env.get(WorkerConfig.LIFELINE), "a rank process dies with the launcher that holds its stdin");
        assertEquals("0", env.get("CUDA_VISIBLE_DEVICES"), "the rank itself still sees its own GPU only");
        assertEquals("0,1,2,3", WorkerConfig.fromEnvironment(env).perf().orElseThrow().ncclTestsDevices());

        assertNull(RankPlacement.allDevices(perf, 1, List.of()), "a world of one runs nccl-tests on its own device");
        Cell sharedPerf = Cell.builder("perf-w4", Flavor.NCCL, NcclVersion.of(2, 28, 9))
                .source(new Cell.HostLibrary("/b/libnccl.so.2"), "/b/libnccl.so.2").worlds(List.of(4)).gpu(shared)
                .timeout(Duration.ofMinutes(5)).mode(WorkerConfig.Mode.PERF).line(1).build();
        assertNull(RankPlacement.allDevices(sharedPerf, 4, List.of()), "ranks sharing one GPU are no world nccl-tests can drive");
        assertNull(RankPlacement.allDevices(cell(perRank), 4, List.of()), "a check cell runs no nccl-tests");
        assertFalse(WorkerEnvironment.forRank(perf, 4, 0, "127.0.0.1", 4000, "127.0.0.1", RendezvousToken.random(), 0, null, "0")
                .containsKey(WorkerConfig.NCCL_TESTS_DEVICES), "a container launcher gives none: rank 0 sees its own GPU only");
        assertFalse(WorkerEnvironment.forRank(perf, 4, 0, "127.0.0.1", 4000, "127.0.0.1", RendezvousToken.random(), 0, null, "0")
                .containsKey(WorkerConfig.LIFELINE), "a container's standard input is no pipe the launcher holds");
    }

    @Test
    void theGpusACellRunWasGiven_placeItsRanks_inProcessesAndContainersAlike() {
        Cell perRank = cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.TOOLKIT, null));
        Cell shared = cell(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null));
        List<Integer> given = List.of(4, 5, 6, 7);
        assertEquals("6", RankPlacement.forProcess(perRank, 2, "r", given).visibleDevice(), "rank 2 of a run given GPUs 4-7");
        RankPlacement boxed = RankPlacement.forContainer(perRank, 2, "r", true, given);
        assertEquals(6, boxed.hostDevice(), "the container is given host GPU 6");
        assertNull(boxed.visibleDevice(), "and sees it as its only device, 0");
        assertEquals(0, boxed.deviceOrdinal());
        assertEquals(5, RankPlacement.forProcess(shared, 3, "r", List.of(5)).deviceOrdinal(), "ranks sharing GPU 5 select it");
        assertEquals(5, RankPlacement.forContainer(shared, 3, "r", true, List.of(5)).deviceOrdinal());
        Cell perf = Cell.builder("perf-w4", Flavor.NCCL, NcclVersion.of(2, 28, 9))
                .source(new Cell.HostLibrary("/b/libnccl.so.2"), "/b/libnccl.so.2").worlds(List.of(4)).gpu(perRank.gpu())
                .timeout(Duration.ofMinutes(5)).mode(WorkerConfig.Mode.PERF).line(1).build();
        assertEquals("4,5,6,7", RankPlacement.allDevices(perf, 4, given));
        assertEquals("rank 2 has no GPU among the 2 given: [4, 5]", org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> RankPlacement.forProcess(perRank, 2, "r", List.of(4, 5))).getMessage());
    }

    @Test
    void boundTo_setsNcclsInterface_unlessTheCellsEnvNamesOne_andContainerLimitsStayWithTheLauncher() {
        Cell plain = cell(GpuAssignment.NONE);
        Map<String, String> env = WorkerEnvironment.forRank(plain, 1, 0, "127.0.0.1", 29500, "127.0.0.1", RendezvousToken.random(), 0, null, null);
        assertEquals("lo", WorkerEnvironment.boundTo(env, plain, "lo").get(WorkerEnvironment.SOCKET_INTERFACE));
        Cell own = Cell.builder("own", plain.flavor(), plain.version()).source(plain.source(), plain.soPath()).worlds(plain.worlds())
                .gpu(plain.gpu()).timeout(plain.timeout())
                .env(Map.of("NCCL_SOCKET_IFNAME", "ib0", io.ncclffm.harness.matrix.ContainerLimits.MEMORY, "1g")).network(plain.network())
                .counts(plain.counts()).checks(plain.checks()).mode(plain.mode()).line(plain.line()).build();
        Map<String, String> ownEnv = WorkerEnvironment.forRank(own, 1, 0, "127.0.0.1", 29500, "0.0.0.0", RendezvousToken.random(), 0, null, null);
        assertEquals("ib0", WorkerEnvironment.boundTo(ownEnv, own, "eth0").get(WorkerEnvironment.SOCKET_INTERFACE));
        assertFalse(ownEnv.containsKey(io.ncclffm.harness.matrix.ContainerLimits.MEMORY), "the rank does not see its container's limits");
    }
}
