package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class WorkerLaunchTest {

    @Test
    void aRank_runsTheRankWorkerFromTheJar_withNativeAccess_andItsScratchAsTheTemporaryDirectory() {
        assertEquals(List.of("/opt/ncclffm/jre/bin/java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                        "-XX:+DisplayVMOutputToStderr", "-Djava.io.tmpdir=/opt/ncclffm/tmp", "-cp", "/opt/ncclffm/worker.jar",
                        "io.ncclffm.harness.worker.RankWorker"),
                WorkerLaunch.rank("/opt/ncclffm/jre/bin/java", "/opt/ncclffm/worker.jar", "/opt/ncclffm/tmp"));
    }

    @Test
    void withoutAScratchDirectory_theJvmKeepsItsOwn() {
        assertEquals(List.of("java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:+DisplayVMOutputToStderr", "-cp", "w.jar",
                WorkerLaunch.RANK_WORKER), WorkerLaunch.rank("java", "w.jar", null));
    }

    @Test
    void theProbe_takesTheLibraryAsItsOneArgument_orNoneForTheDefault() {
        assertEquals(List.of("java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:+DisplayVMOutputToStderr", "-cp", "w.jar",
                "io.ncclffm.harness.worker.Probe", "/lib/libnccl.so.2"), WorkerLaunch.probe("java", "w.jar", "/lib/libnccl.so.2"));
        assertEquals(WorkerLaunch.PROBE, WorkerLaunch.probe("java", "w.jar", null).getLast());
    }
}
