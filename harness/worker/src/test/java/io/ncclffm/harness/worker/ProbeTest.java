package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.WorkerLaunch;

class ProbeTest {

    private record Result(int exit, String out, String err) {
    }

    private static Result probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Probe.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLibraryThatLoads_isPrintedWithItsVersionAndAUniqueIdFingerprint_andExitsZero() throws Exception {
        StubNcclLibrary stub = StubNcclLibrary.get();
        stub.reset(22809, false);
        Result r = probe(stub.path.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(": version code 22809 = NCCL 2.28.9; unique id "), r.out());
    }

    @Test
    void aLibraryThatDoesNotLoad_isNamedOnStderr_andExitsOne() {
        Result r = probe("/nonexistent/libnccl.so.2");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("/nonexistent/libnccl.so.2"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void moreThanOneLibrary_isAUsageError() {
        assertEquals(2, probe("a.so", "b.so").exit());
    }

    @Test
    void theProtocolNamesTheWorkersEntryPoints() {
        assertEquals(RankWorker.class.getName(), WorkerLaunch.RANK_WORKER);
        assertEquals(Probe.class.getName(), WorkerLaunch.PROBE);
    }
}
