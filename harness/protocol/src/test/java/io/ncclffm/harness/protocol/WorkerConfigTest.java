package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.RendezvousToken;

class WorkerConfigTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static final String TOKEN = RendezvousToken.random().toHex();

    @Test
    void fullConfiguration_isRead() {
        WorkerConfig c = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "1", "NCCLFFM_WORLD", "4",
                "NCCLFFM_RENDEZVOUS", "rank0:29500", "NCCLFFM_RENDEZVOUS_TOKEN", TOKEN, "NCCLFFM_GPU", "cuda",
                "NCCLFFM_COUNTS", "1, 1021", "NCCLFFM_COLLECTIVE_TIMEOUT_S", "30", "NCCLFFM_CHECKS", "allreduce,graph"));
        assertEquals(1, c.rank());
        assertEquals("rank0", c.rendezvous().host());
        assertEquals(29500, c.rendezvous().port());
        assertEquals(WorkerConfig.Gpu.CUDA, c.identity().gpu());
        assertEquals(List.of(1, 1021), c.checks().counts());
        assertEquals(Duration.ofSeconds(30), c.timeouts().collective());
        assertEquals(true, c.checks().wants("graph"));
        assertEquals(false, c.checks().wants("collectives"));
    }

    @Test
    void badValues_nameTheVariableAndWhatWasExpected() {
        assertEquals("NCCLFFM_RANK='4': expected an integer in [0, 3]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "4", "NCCLFFM_WORLD", "4"))).getMessage());
        assertEquals("NCCLFFM_WORLD=(unset): expected an integer in [1, 4096]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0"))).getMessage());
        assertEquals("NCCLFFM_GPU='nvidia': expected one of [none, cuda, hip]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_GPU", "nvidia"))).getMessage());
        assertEquals("NCCLFFM_RENDEZVOUS_TOKEN=(unset): expected the run's secret token in hex", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "2", "NCCLFFM_RENDEZVOUS", "h:1"))).getMessage());
        assertEquals("NCCLFFM_COUNTS='0': expected positive counts", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_COUNTS", "0"))).getMessage());
    }

    @Test
    void initBound_isTheInitTimeout_orTheCollectiveTimeoutWhereThatIsLonger() {
        assertEquals(Duration.ofSeconds(120), WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1")).timeouts().initBound(),
                "the defaults: init 120 s, collectives 60 s");
        assertEquals(Duration.ofSeconds(300), WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1",
                "NCCLFFM_COLLECTIVE_TIMEOUT_S", "300")).timeouts().initBound());
    }

    @Test
    void maxRecreates_defaultsToThree_andIsBounded() {
        assertEquals(3, WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1")).checks().maxRecreates());
        assertEquals(0, WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1",
                "NCCLFFM_MAX_RECREATES", "0")).checks().maxRecreates());
        assertEquals("NCCLFFM_MAX_RECREATES='-1': expected an integer in [0, 100]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MAX_RECREATES", "-1"))).getMessage());
        assertEquals("NCCLFFM_MAX_RECREATES='three': expected an integer in [0, 100]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MAX_RECREATES", "three"))).getMessage());
    }

    @org.junit.jupiter.api.Test
    void perfCollectivesAndTypes_defaultToFloat32AllReduce_andTakeAnySpellingOfTheKnownOnes() {
        WorkerConfig.Perf d = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MODE", "perf"))
                .perf().orElseThrow();
        assertEquals(java.util.List.of(Collective.ALL_REDUCE), d.collectives());
        assertEquals(java.util.List.of(DataType.FLOAT32), d.dtypes());
        assertEquals(null, d.ncclTests());
        WorkerConfig.Perf c = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MODE", "perf",
                "NCCLFFM_PERF_COLLECTIVES", "allreduce, all_gather,ReduceScatter,broadcast,reduce,alltoall,sendrecv,allreduce",
                "NCCLFFM_PERF_DTYPES", "float32,BFLOAT16", "NCCLFFM_NCCL_TESTS", " /tmp/nccl-tests/build ")).perf().orElseThrow();
        assertEquals(java.util.List.of(Collective.values()), c.collectives());
        assertEquals(java.util.List.of("allReduce", "allGather", "reduceScatter", "broadcast", "reduce", "alltoall", "sendrecv"),
                c.collectives().stream().map(Collective::label).toList());
        assertEquals(java.util.List.of(DataType.FLOAT32, DataType.BFLOAT16), c.dtypes());
        assertEquals("/tmp/nccl-tests/build", c.ncclTests());
    }

    @org.junit.jupiter.api.Test
    void unknownPerfCollectivesOrTypes_nameTheVariableTheEntryAndTheChoices() {
        String coll = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0",
                "NCCLFFM_WORLD", "1", "NCCLFFM_PERF_COLLECTIVES", "allreduce,gather"))).getMessage();
        assertTrue(coll.startsWith("NCCLFFM_PERF_COLLECTIVES='allreduce,gather': expected a comma-separated list of [allReduce, "), coll);
        assertTrue(coll.contains("('gather' is none of them)"), coll);
        String empty = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0",
                "NCCLFFM_WORLD", "1", "NCCLFFM_PERF_COLLECTIVES", ""))).getMessage();
        assertTrue(empty.contains("('' is none of them)"), empty);
        String type = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0",
                "NCCLFFM_WORLD", "1", "NCCLFFM_PERF_DTYPES", "float32,int8"))).getMessage();
        assertEquals("NCCLFFM_PERF_DTYPES='float32,int8': expected a comma-separated list of [float32, bfloat16, float16, float64] "
                + "('int8' is none of them)", type);
    }

    private static WorkerConfig launched(Map<String, String> settings) {
        return launcher().build(settings);
    }

    private static WorkerConfig.Builder launcher() {
        return WorkerConfig.forRank(new WorkerConfig.Identity(2, 4, WorkerConfig.Gpu.CUDA, 1))
                .library(new WorkerConfig.Library("/usr/lib/libnccl.so.2", "2.28.3", "NCCL"))
                .rendezvous(new WorkerConfig.Rendezvous("10.0.0.2", 29500, "0.0.0.0", RendezvousToken.fromHex(TOKEN)))
                .mode(WorkerConfig.Mode.PERF).checks(new java.util.LinkedHashSet<>(List.of("allreduce", "graph")), List.of(1, 7))
                .timeouts(Duration.ofSeconds(30), Duration.ofSeconds(465));
    }

    @Test
    void whatTheLauncherMakes_theWorkerReadsBack_equal() {
        WorkerConfig c = launched(Map.of(WorkerConfig.PERF_DTYPES, "bfloat16,float32", WorkerConfig.PERF_C_LOOP, "/opt/libloop.so",
                WorkerConfig.COLLECTIVE_TIMEOUT, "20"));
        Map<String, String> env = c.toEnvironment();
        assertEquals("/usr/lib/libnccl.so.2", env.get("NCCLFFM_SO_PATH"), "the binding's own variable carries the library");
        assertEquals("10.0.0.2:29500", env.get(WorkerConfig.RENDEZVOUS));
        assertEquals("cuda", env.get(WorkerConfig.GPU));
        assertEquals("perf", env.get(WorkerConfig.MODE));
        assertEquals("465", env.get(WorkerConfig.WORKER_TIMEOUT));
        assertEquals(c, WorkerConfig.fromEnvironment(env));
        assertEquals(List.of(DataType.BFLOAT16, DataType.FLOAT32), WorkerConfig.fromEnvironment(env).perf().orElseThrow().dtypes());
        assertEquals("bfloat16,float32", env.get(WorkerConfig.PERF_DTYPES));
        assertEquals(Duration.ofSeconds(20), WorkerConfig.fromEnvironment(env).timeouts().collective());
    }

    @Test
    void aWorkerWithDefaultsEverywhere_roundTripsToo() {
        WorkerConfig d = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1"));
        assertEquals(d, WorkerConfig.fromEnvironment(d.toEnvironment()));
        assertEquals(false, d.toEnvironment().containsKey(WorkerConfig.LIBRARY), "no library: the binding's default");
    }

    @Test
    void theLaunchersDefaults_giveWayToTheCellsSettings_butNotItsIdentity() {
        assertEquals(Duration.ofSeconds(30), launched(Map.of()).timeouts().rendezvous());
        assertEquals(Duration.ofSeconds(90), launched(Map.of(WorkerConfig.RENDEZVOUS_TIMEOUT, "90")).timeouts().rendezvous());
        assertEquals(Set.of("all"), WorkerConfig.forRank(new WorkerConfig.Identity(0, 1, WorkerConfig.Gpu.NONE, 0))
                .rendezvous(new WorkerConfig.Rendezvous("h", 0, "b", RendezvousToken.random())).checks(Set.of(), List.of())
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)).build(Map.of()).checks().groups(), "no groups named: all of them");
        String rank = assertThrows(IllegalArgumentException.class, () -> launched(Map.of(WorkerConfig.RANK, "0"))).getMessage();
        assertTrue(rank.startsWith("NCCLFFM_RANK is set by the launcher"), rank);
        String bad = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.checkSettings(Map.of(WorkerConfig.PERF_TRIALS, "0")))
                .getMessage();
        assertEquals("NCCLFFM_PERF_TRIALS='0': expected an integer in [1, 99]", bad);
    }

    @Test
    void everyRanksDevicesForNcclTests_roundTripOnRankZeroOfAPerfWorld_andAreRefusedElsewhere() {
        java.util.function.Function<String, WorkerConfig> r0 = devices -> WorkerConfig.forRank(
                new WorkerConfig.Identity(0, 2, WorkerConfig.Gpu.CUDA, 0))
                .library(new WorkerConfig.Library("/usr/lib/libnccl.so.2", "2.28.9", "nccl"))
                .rendezvous(new WorkerConfig.Rendezvous("10.0.0.2", 29500, "0.0.0.0", RendezvousToken.random()))
                .mode(WorkerConfig.Mode.PERF).timeouts(Duration.ofSeconds(30), Duration.ofSeconds(465))
                .ncclTestsDevices(devices).build(Map.of());
        WorkerConfig given = r0.apply(" 2, 3");
        assertEquals("2,3", given.perf().orElseThrow().ncclTestsDevices());
        assertEquals("2,3", given.toEnvironment().get(WorkerConfig.NCCL_TESTS_DEVICES));
        assertEquals(given, WorkerConfig.fromEnvironment(given.toEnvironment()));
        assertEquals(null, r0.apply(null).perf().orElseThrow().ncclTestsDevices());

        assertEquals("NCCLFFM_NCCL_TESTS_DEVICES='2': expected 2 distinct device ordinals, comma-separated, one per rank",
                assertThrows(IllegalArgumentException.class, () -> r0.apply("2")).getMessage());
        assertEquals("NCCLFFM_NCCL_TESTS_DEVICES='1,1': expected 2 distinct device ordinals, comma-separated, one per rank",
                assertThrows(IllegalArgumentException.class, () -> r0.apply("1,1")).getMessage());
        assertEquals("NCCLFFM_NCCL_TESTS_DEVICES='0,gpu1': expected 2 distinct device ordinals, comma-separated, one per rank",
                assertThrows(IllegalArgumentException.class, () -> r0.apply("0,gpu1")).getMessage());
        Map<String, String> rank1 = new java.util.HashMap<>(given.toEnvironment());
        rank1.put(WorkerConfig.RANK, "1");
        assertEquals("NCCLFFM_NCCL_TESTS_DEVICES='2,3': expected it unset: it is only for rank 0 of a perf world above 1 "
                + "(this is rank 1 of 2 in perf mode)",
                assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromEnvironment(rank1)).getMessage());
        String cell = assertThrows(IllegalArgumentException.class, () -> launched(Map.of(WorkerConfig.NCCL_TESTS_DEVICES, "0,1")))
                .getMessage();
        assertTrue(cell.startsWith("NCCLFFM_NCCL_TESTS_DEVICES is set by the launcher"), cell);
    }

    @Test
    void theLifeline_isOffUnlessTheLauncherSetsIt_roundTrips_andIsNoCellSetting() {
        WorkerConfig byHand = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1"));
        assertEquals(WorkerConfig.Lifeline.NONE, byHand.lifeline(), "a worker started by hand must not die of a closed stdin");
        assertEquals(false, byHand.toEnvironment().containsKey(WorkerConfig.LIFELINE));
        WorkerConfig tied = launcher().lifeline(WorkerConfig.Lifeline.STDIN).build(Map.of());
        assertEquals("stdin", tied.toEnvironment().get(WorkerConfig.LIFELINE));
        assertEquals(tied, WorkerConfig.fromEnvironment(tied.toEnvironment()));
        assertEquals("NCCLFFM_LIFELINE='pipe': expected one of [none, stdin]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_LIFELINE", "pipe")))
                .getMessage());
        String cell = assertThrows(IllegalArgumentException.class, () -> launched(Map.of(WorkerConfig.LIFELINE, "stdin"))).getMessage();
        assertTrue(cell.startsWith("NCCLFFM_LIFELINE is set by the launcher"), cell);
    }

    @Test
    void theTable_givesEachVariableOneSetter_theLauncherOrTheCell() {
        assertEquals(Set.of("NCCLFFM_SO_PATH", "NCCLFFM_RANK", "NCCLFFM_WORLD", "NCCLFFM_RENDEZVOUS", "NCCLFFM_RENDEZVOUS_BIND",
                "NCCLFFM_RENDEZVOUS_TOKEN", "NCCLFFM_EXPECT_VERSION", "NCCLFFM_EXPECT_FLAVOR", "NCCLFFM_GPU", "NCCLFFM_DEVICE",
                "NCCLFFM_MODE", "NCCLFFM_CHECKS", "NCCLFFM_COUNTS", "NCCLFFM_PERF_BASELINE", "NCCLFFM_NCCL_TESTS_DEVICES",
                "NCCLFFM_LIFELINE"), WorkerConfig.LAUNCHER_VARIABLES);
        assertEquals(Set.of("NCCLFFM_COLLECTIVE_TIMEOUT_S", "NCCLFFM_INIT_TIMEOUT_S", "NCCLFFM_RENDEZVOUS_TIMEOUT_S",
                "NCCLFFM_WORKER_TIMEOUT_S", "NCCLFFM_GRAPH_REPLAYS", "NCCLFFM_PERF_MAX_BYTES", "NCCLFFM_PERF_MAX_ITERS",
                "NCCLFFM_PERF_TRIALS", "NCCLFFM_PERF_C_LOOP", "NCCLFFM_PERF_COLLECTIVES", "NCCLFFM_PERF_DTYPES", "NCCLFFM_NCCL_TESTS",
                "NCCLFFM_MAX_RECREATES"), WorkerConfig.SETTINGS);
        assertEquals(java.util.Optional.of(WorkerConfig.SetBy.CELL), WorkerConfig.setBy("NCCLFFM_PERF_TRIALS"));
        assertEquals(java.util.Optional.empty(), WorkerConfig.setBy("NCCL_DEBUG"), "NCCL's own variables are no part of it");
    }

    @Test
    void aCheckModeWorker_hasNoPerfPart_andItsEnvironmentCarriesNone() {
        WorkerConfig check = launcher().mode(WorkerConfig.Mode.CHECK).build(Map.of(WorkerConfig.PERF_TRIALS, "7"));
        assertEquals(WorkerConfig.Mode.CHECK, check.mode());
        assertEquals(java.util.Optional.empty(), check.perf());
        assertEquals(false, check.toEnvironment().containsKey(WorkerConfig.PERF_TRIALS));
        assertEquals("check", check.toEnvironment().get(WorkerConfig.MODE));
        assertEquals(check, WorkerConfig.fromEnvironment(check.toEnvironment()));
        assertEquals(7, launched(Map.of(WorkerConfig.PERF_TRIALS, "7")).perf().orElseThrow().trials(), "a perf worker keeps it");
        assertEquals("NCCLFFM_PERF_TRIALS='100': expected an integer in [1, 99]", assertThrows(IllegalArgumentException.class,
                () -> launcher().mode(WorkerConfig.Mode.CHECK).build(Map.of(WorkerConfig.PERF_TRIALS, "100"))).getMessage(),
                "a check cell's perf settings are still checked");
    }

    @Test
    void aPairedPerfBaseline_isForPerfModeOnly() {
        assertEquals("/opt/a/libnccl.so.2", launcher().perfBaseline("/opt/a/libnccl.so.2").build(Map.of()).perf().orElseThrow().baseline());
        assertEquals("NCCLFFM_PERF_BASELINE is for perf mode; this worker runs in CHECK mode", assertThrows(IllegalArgumentException.class,
                () -> launcher().mode(WorkerConfig.Mode.CHECK).perfBaseline("/opt/a/libnccl.so.2").build(Map.of())).getMessage());
    }

    @Test
    void theLibraryVariable_isTheBindingsOwn() {
        assertEquals(io.ncclffm.internal.LibraryLocator.ENV, WorkerConfig.LIBRARY);
    }
}
