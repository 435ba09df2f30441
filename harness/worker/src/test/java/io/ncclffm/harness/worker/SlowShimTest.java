package io.ncclffm.harness.worker;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Nccl;
import io.ncclffm.ReduceOp;
import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.testing.CSharedLibrary;

/**
 * The slow shim (perf/shim) in front of the binding's NCCL stub, installed as {@code libnccl.so.2} beside it and
 * built by perf/shim/build.sh: loaded through the binding as the library, every NCCL symbol but ncclAllReduce comes
 * from the stub, and ncclAllReduce takes at least the shim's delay (30 µs by default) before reaching the stub,
 * from the binding and from the in-process C loop alike.
 */
class SlowShimTest {

    private static final long DELAY_NS = 30_000;
    private static final int CALLS = 200;

    @TempDir
    static Path dir;
    static Path shim;
    static Path loop;
    static SymbolLookup viaShim;

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + ": " + log);
    }

    @BeforeAll
    static void build() throws Throwable {
        CSharedLibrary.compile(dir.resolve("libnccl.so.2"), "../../binding/src/test/c/stub_nccl.c", "-Wl,-soname,libnccl.so.2");
        shim = dir.resolve("libncclffm_slow_shim.so");
        run(List.of("sh", Path.of("../../perf/shim/build.sh").toAbsolutePath().toString(), dir.toString(), shim.toString()));
        loop = dir.resolve("libncclffm_c_loop.so");
        CSharedLibrary.compile(loop, "../../perf/c-baseline/ncclffm_c_loop.c", "-O2");
        viaShim = SymbolLookup.libraryLookup(shim, Arena.global());
        // the stub's own controls, found through the shim's handle: a symbol the shim does not define
        Linker.nativeLinker().downcallHandle(viaShim.find("stub_reset").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(22803, 0, 0);
    }

    private static String stubCalls() throws Throwable {
        MemorySegment s = (MemorySegment) Linker.nativeLinker().downcallHandle(viaShim.find("stub_calls").orElseThrow(),
                FunctionDescriptor.of(ADDRESS)).invokeExact();
        return s.reinterpret(1 << 20).getString(0);
    }

    private static byte[] id() {
        byte[] b = new byte[128];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        return b;
    }

    @Test
    void theBindingLoadsTheShimAsNccl_everyOtherSymbolComesFromTheRealLibrary() {
        Nccl nccl = Nccl.load(shim);
        assertEquals("2.28.3", nccl.version().toString(), "ncclGetVersion is the stub's, through DT_NEEDED");
    }

    @Test
    void anAllReduceThroughTheBinding_takesAtLeastTheDelay_andReachesTheRealOne() throws Throwable {
        Nccl nccl = Nccl.load(shim);
        try (Communicator c = nccl.initRank(2, 0, UniqueId.fromBytes(id()))) {
            int before = count(stubCalls(), "ncclAllReduce");
            long start = System.nanoTime();
            for (int i = 0; i < CALLS; i++) c.allReduce(0x1000, 0x2000, 2, DataType.FLOAT32, ReduceOp.SUM, 0);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= CALLS * DELAY_NS, elapsed / CALLS + " ns per call, expected >= " + DELAY_NS);
            assertEquals(before + CALLS, count(stubCalls(), "ncclAllReduce"), "every call reached the stub");
        }
    }

    @Test
    void theInProcessCLoop_findsTheShimsAllReduce_andIsSlowedTheSameWay() throws Throwable {
        try (InProcessCLoop c = InProcessCLoop.load(loop, shim)) {
            long start = System.nanoTime();
            c.collective(Collective.ALL_REDUCE, 0x1000, 0x2000, 2, 7, 0, 0, 0x3000, 0, CALLS);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= CALLS * DELAY_NS, elapsed / CALLS + " ns per call, expected >= " + DELAY_NS);
        }
    }

    private static int count(String calls, String name) {
        int n = 0;
        for (String c : calls.split(",")) if (c.equals(name)) n++;
        return n;
    }
}
