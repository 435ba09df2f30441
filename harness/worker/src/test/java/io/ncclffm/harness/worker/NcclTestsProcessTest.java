package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * How rank 0 starts nccl-tests: which GPUs and library the binary's process is given, and what comes back. The
 * binary here is a shell script in nccl-tests' place (a real one needs as many GPUs as ranks), which records its
 * arguments and environment and prints one row as nccl-tests does.
 */
class NcclTestsProcessTest {

    @TempDir
    Path dir;

    private WorkerConfig config(int world, String devices) {
        Map<String, String> env = new HashMap<>(Map.of(
                WorkerConfig.RANK, "0", WorkerConfig.WORLD, Integer.toString(world),
                WorkerConfig.RENDEZVOUS, "127.0.0.1:29500", WorkerConfig.TOKEN, RendezvousToken.random().toHex(),
                WorkerConfig.GPU, "cuda", WorkerConfig.MODE, "perf", WorkerConfig.DEVICE, "0",
                WorkerConfig.NCCL_TESTS, dir.toString(), WorkerConfig.PERF_MAX_BYTES, "1024"));
        if (devices != null) env.put(WorkerConfig.NCCL_TESTS_DEVICES, devices);
        return WorkerConfig.fromEnvironment(env);
    }

    /** An all_reduce_perf that writes its arguments and GPU environment to {@code seen} and prints one 8 B row. */
    private void fakeAllReducePerf() throws IOException {
        Path exe = dir.resolve("all_reduce_perf");
        Files.writeString(exe, """
                #!/bin/sh
                echo "$* | CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES NCCL_TESTS_DEVICE=$NCCL_TESTS_DEVICE LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "%s"
                echo "# nThread 1 nGpus 2 minBytes 8 maxBytes 1024"
                echo "           8             2     float     sum      -1    20.10    0.00    0.00      0    19.90    0.00    0.00      0"
                """.formatted(dir.resolve("seen")));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs rank 0's nccl-tests for a float32 allReduce sweep against a library in /opt/nccl/lib; what it reported. */
    private static List<WorkerEvent> runAllReduce(WorkerConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new NcclTestsProcess(config, new Reporter(0, new PrintStream(bytes, true, StandardCharsets.UTF_8)),
                "NCCL 2.28.9", "/opt/nccl/lib/libnccl.so.2").runAll(List.of(new PerfRunner.Sweep(Collective.ALL_REDUCE, DataType.FLOAT32)));
        return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(EventCodec::decode).toList();
    }

    private static WorkerEvent.Check check(List<WorkerEvent> events) {
        return events.stream().filter(e -> e instanceof WorkerEvent.Check).map(e -> (WorkerEvent.Check) e).findFirst().orElseThrow();
    }

    @Test
    void aWorldOfTwo_runsOneProcessOverBothRanksGpus_andReportsItsRowsAtWorldTwo() throws IOException {
        fakeAllReducePerf();
        List<WorkerEvent> events = runAllReduce(config(2, "3,5"));

        List<String> seen = Files.readAllLines(dir.resolve("seen"));
        assertEquals(NcclTestsProcess.SMALL_RUNS, seen.size(), String.join("\n", seen));
        for (String line : seen) {
            assertTrue(line.contains("-g 2 "), line);
            assertTrue(line.contains("CUDA_VISIBLE_DEVICES=3,5 NCCL_TESTS_DEVICE=0 LD_LIBRARY_PATH=/opt/nccl/lib"), line);
        }
        WorkerEvent.Check c = check(events);
        assertEquals(CheckStatus.PASSED, c.result().status(), c.result().message());
        assertTrue(c.result().message().contains("over devices 3,5 (every rank's, from rank 0's process)"), c.result().message());
        List<PerfPoint> points = events.stream().filter(e -> e instanceof WorkerEvent.Perf).map(e -> ((WorkerEvent.Perf) e).point()).toList();
        assertEquals(2, points.size());
        for (PerfPoint p : points) {
            assertEquals(2, p.world());
            assertEquals(Source.NCCL_TESTS, p.source());
        }
    }

    @Test
    void aWorldOfOne_runsOnTheRanksOwnDevice_withTheGpusItSees() throws IOException {
        fakeAllReducePerf();
        List<WorkerEvent> events = runAllReduce(config(1, null));
        String first = Files.readAllLines(dir.resolve("seen")).getFirst();
        assertTrue(first.contains("-g 1 "), first);
        assertTrue(first.contains("NCCL_TESTS_DEVICE=0 LD_LIBRARY_PATH=/opt/nccl/lib"), first);
        assertEquals(CheckStatus.PASSED, check(events).result().status());
    }

    @Test
    void aWorldOfTwo_whoseRankZeroWasNotGivenEveryGpu_isSkippedSayingWhy_andRunsNothing() throws IOException {
        fakeAllReducePerf();
        List<WorkerEvent> events = runAllReduce(config(2, null));
        WorkerEvent.Check c = check(events);
        assertEquals(CheckStatus.SKIPPED, c.result().status());
        assertEquals("perf/nccl-tests", c.result().id());
        assertEquals("nccl-tests at world 2 runs in rank 0's process over every rank's GPU (-g 2), which only a cell of "
                + "processes with one GPU per rank (gpu.assign: per-rank) makes visible to rank 0; this cell's launcher did not",
                c.result().message());
        assertTrue(Files.notExists(dir.resolve("seen")));
    }
}
