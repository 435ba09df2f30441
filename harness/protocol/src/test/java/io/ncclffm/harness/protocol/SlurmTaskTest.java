package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SlurmTaskTest {

    private static Map<String, String> rank(int rank, String library, String version) {
        return WorkerConfig.forRank(new WorkerConfig.Identity(rank, 2, WorkerConfig.Gpu.NONE, rank))
                .library(new WorkerConfig.Library(library, version, "NCCL"))
                .rendezvous(new WorkerConfig.Rendezvous(SlurmTask.RANK0_NODE, 29555, "0.0.0.0", TOKEN))
                .lifeline(WorkerConfig.Lifeline.STDIN).build(Map.of()).toEnvironment();
    }

    private static final RendezvousToken TOKEN = RendezvousToken.random();

    private static Map<String, String> task(Map<String, String> step, int procId, String nodes) {
        Map<String, String> env = new HashMap<>(step);
        env.putAll(Map.of("SLURM_PROCID", Integer.toString(procId), "SLURM_NTASKS", "2", "SLURM_LOCALID", "0",
                "SLURM_STEP_NODELIST", nodes));
        return SlurmTask.taskEnvironment(env);
    }

    @Test
    void eachTask_getsBackItsOwnConfiguration_withItsIdentityFromSlurm_andRank0OnTheFirstNode() {
        List<Map<String, String>> ranks = List.of(rank(0, "/shared/a/libnccl.so.2", "2.22.3"), rank(1, "/shared/b/libnccl.so.2", "2.29.7"));
        Map<String, String> step = SlurmTask.stepEnvironment(ranks);
        assertFalse(step.containsKey(WorkerConfig.RANK), "the rank is Slurm's to give");
        assertFalse(step.containsKey(WorkerConfig.LIBRARY), "a library that differs travels per rank");
        assertEquals("/shared/b/libnccl.so.2", step.get("NCCLFFM_R1_" + WorkerConfig.LIBRARY));
        WorkerConfig one = WorkerConfig.fromEnvironment(task(step, 1, "node[07-08]"));
        assertEquals(1, one.rank());
        assertEquals(2, one.world());
        assertEquals("/shared/b/libnccl.so.2", one.library().path());
        assertEquals("2.29.7", one.library().expectedVersion());
        assertEquals("node07", one.rendezvous().host());
        assertEquals(29555, one.rendezvous().port());
        assertEquals(TOKEN, one.rendezvous().token());
        WorkerConfig zero = WorkerConfig.fromEnvironment(task(step, 0, "node[07-08]"));
        assertEquals("/shared/a/libnccl.so.2", zero.library().path());
        assertEquals(WorkerConfig.Lifeline.STDIN, zero.lifeline());
    }

    @Test
    void aTaskOfAnotherWorld_orWithoutSlurmsVariables_isRefusedNamingTheVariable() {
        Map<String, String> step = SlurmTask.stepEnvironment(List.of(rank(0, "/l.so", "2.22.3"), rank(1, "/l.so", "2.22.3")));
        Map<String, String> three = new HashMap<>(step);
        three.putAll(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "3", "SLURM_LOCALID", "0", "SLURM_STEP_NODELIST", "c1"));
        String e = assertThrows(IllegalArgumentException.class, () -> SlurmTask.taskEnvironment(three)).getMessage();
        assertTrue(e.startsWith("SLURM_NTASKS=3, but the launcher asked for a world of 2"), e);
        String none = assertThrows(IllegalArgumentException.class, () -> SlurmTask.taskEnvironment(step)).getMessage();
        assertTrue(none.startsWith("SLURM_PROCID=(unset): expected a number Slurm sets"), none);
    }

    @Test
    void aVariableOtherThanAWorkerSetting_mayNotDifferBetweenRanks() {
        Map<String, String> a = new HashMap<>(rank(0, "/l.so", "2.22.3"));
        Map<String, String> b = new HashMap<>(rank(1, "/l.so", "2.22.3"));
        a.put("NCCL_HOSTID", "a");
        b.put("NCCL_HOSTID", "b");
        String e = assertThrows(IllegalArgumentException.class, () -> SlurmTask.stepEnvironment(List.of(a, b))).getMessage();
        assertTrue(e.startsWith("NCCL_HOSTID differs between ranks"), e);
    }

    @Test
    void theDevice_isTheOneSlurmBound_elseTheTasksPlaceOnItsNode() {
        assertEquals(0, SlurmTask.device(Map.of("CUDA_VISIBLE_DEVICES", "5"), 3));
        assertEquals(3, SlurmTask.device(Map.of("CUDA_VISIBLE_DEVICES", "0,1,2,3"), 3));
        assertEquals(2, SlurmTask.device(Map.of(), 2));
    }

    @Test
    void firstNode_readsSlurmsHostLists() {
        assertEquals("c1", SlurmTask.firstNode("c[1-2]"));
        assertEquals("gpu007", SlurmTask.firstNode("gpu[007,009-010]"));
        assertEquals("a", SlurmTask.firstNode("a,b[1-3]"));
        assertEquals("n3x", SlurmTask.firstNode("n[3-4]x,m1"));
        assertEquals("solo", SlurmTask.firstNode("solo"));
        assertThrows(IllegalArgumentException.class, () -> SlurmTask.firstNode("c[1-2"));
    }
}
