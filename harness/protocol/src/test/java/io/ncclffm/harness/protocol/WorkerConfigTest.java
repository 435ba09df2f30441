package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
        assertEquals("rank0", c.rendezvousHost());
        assertEquals(29500, c.rendezvousPort());
        assertEquals(WorkerConfig.Gpu.CUDA, c.gpu());
        assertEquals(List.of(1, 1021), c.counts());
        assertEquals(Duration.ofSeconds(30), c.collectiveTimeout());
        assertEquals(true, c.wants("graph"));
        assertEquals(false, c.wants("collectives"));
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
    void maxRecreates_defaultsToThree_andIsBounded() {
        assertEquals(3, WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1")).maxRecreates());
        assertEquals(0, WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1",
                "NCCLFFM_MAX_RECREATES", "0")).maxRecreates());
        assertEquals("NCCLFFM_MAX_RECREATES='-1': expected an integer in [0, 100]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MAX_RECREATES", "-1"))).getMessage());
        assertEquals("NCCLFFM_MAX_RECREATES='three': expected an integer in [0, 100]", assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1", "NCCLFFM_MAX_RECREATES", "three"))).getMessage());
    }

    @org.junit.jupiter.api.Test
    void perfCollectivesAndTypes_defaultToFloat32AllReduce_andTakeAnySpellingOfTheKnownOnes() {
        WorkerConfig d = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1"));
        assertEquals(java.util.List.of("allReduce"), d.perfCollectives());
        assertEquals(java.util.List.of("float32"), d.perfDtypes());
        assertEquals(null, d.ncclTests());
        WorkerConfig c = WorkerConfig.fromEnvironment(env("NCCLFFM_RANK", "0", "NCCLFFM_WORLD", "1",
                "NCCLFFM_PERF_COLLECTIVES", "allreduce, all_gather,ReduceScatter,broadcast,reduce,alltoall,sendrecv,allreduce",
                "NCCLFFM_PERF_DTYPES", "float32,BFLOAT16", "NCCLFFM_NCCL_TESTS", " /tmp/nccl-tests/build "));
        assertEquals(java.util.List.of("allReduce", "allGather", "reduceScatter", "broadcast", "reduce", "alltoall", "sendrecv"),
                c.perfCollectives());
        assertEquals(java.util.List.of("float32", "bfloat16"), c.perfDtypes());
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
}
