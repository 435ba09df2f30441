package io.ncclffm.harness.worker;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.testing.CSharedLibrary;

/**
 * The in-process C loop (perf/c-baseline/ncclffm_c_loop.c) against the binding's NCCL stub, both built with gcc:
 * it must call the NCCL it is pointed at with exactly the arguments given, as many times as asked, and stop at and
 * report the first failing call.
 */
class InProcessCLoopTest {

    @TempDir
    static Path dir;
    static Path loop;
    static Path stub;
    static SymbolLookup stubSymbols;

    private static Path gcc(String source, String out) throws Exception {
        return CSharedLibrary.compile(dir.resolve(out), source, "-O2");
    }

    @BeforeAll
    static void build() throws Exception {
        loop = gcc("../../perf/c-baseline/ncclffm_c_loop.c", "libncclffm_c_loop.so");
        stub = gcc("../../binding/src/test/c/stub_nccl.c", "libnccl_stub.so");
        stubSymbols = SymbolLookup.libraryLookup(stub, Arena.global());
    }

    private static void reset(int collectiveResult) throws Throwable {
        Linker.nativeLinker().downcallHandle(stubSymbols.find("stub_reset").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(22203, 0, collectiveResult);
    }

    private static String calls() throws Throwable {
        MemorySegment s = (MemorySegment) Linker.nativeLinker().downcallHandle(stubSymbols.find("stub_calls").orElseThrow(),
                FunctionDescriptor.of(ADDRESS)).invokeExact();
        return s.reinterpret(4096).getString(0);
    }

    private static long lastArg(int i) throws Throwable {
        return (long) Linker.nativeLinker().downcallHandle(stubSymbols.find("stub_last_arg").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT)).invokeExact(i);
    }

    @Test
    void callsNcclAllReduceNTimesWithTheGivenArguments() throws Throwable {
        reset(0);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub)) {
            c.allReduce(0x1000, 0x2000, 1021, 7, 3, 0xC0FFEE, 0x5000, 3);
        }
        assertEquals("ncclAllReduce,ncclAllReduce,ncclAllReduce,", calls());
        assertEquals(List.of(0x1000L, 0x2000L, 1021L, 7L, 3L, 0xC0FFEEL, 0x5000L),
                List.of(lastArg(0), lastArg(1), lastArg(2), lastArg(3), lastArg(4), lastArg(5), lastArg(6)));
    }

    @Test
    void sendRecv_makesNGroupsOfOneSendToTheNextAndOneReceiveFromThePrevious() throws Throwable {
        reset(0);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub)) {
            assertTrue(c.hasSendRecv(), "the stub has ncclSend and ncclRecv");
            c.sendRecv(0x1000, 0x2000, 255, 9, 1, 3, 0xC0FFEE, 0x5000, 2);
        }
        assertEquals("ncclGroupStart,ncclSend,ncclRecv,ncclGroupEnd,ncclGroupStart,ncclSend,ncclRecv,ncclGroupEnd,", calls());
        assertEquals(List.of(0x1000L, 0x2000L, 255L, 9L, 1L, 0xC0FFEEL, 0x5000L, 3L),
                List.of(lastArg(0), lastArg(1), lastArg(2), lastArg(3), lastArg(4), lastArg(5), lastArg(6), lastArg(7)));
    }

    @Test
    void sendRecv_aFailingSendEndsTheGroupAndStops() throws Throwable {
        reset(5);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.sendRecv(1, 2, 3, 7, 0, 0, 4, 5, 10));
            assertEquals("ncclSend/ncclRecv from the in-process C loop returned 5", e.getMessage());
        }
        assertEquals("ncclGroupStart,ncclSend,ncclGroupEnd,", calls(), "the group is closed, then the loop stops");
    }

    @Test
    void stopsAtTheFirstFailingCallAndReportsItsResult() throws Throwable {
        reset(5);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.allReduce(1, 2, 3, 7, 0, 4, 5, 10));
            assertEquals("ncclAllReduce from the in-process C loop returned 5", e.getMessage());
        }
        assertEquals("ncclAllReduce,", calls(), "one call, then stop");
    }

    @Test
    void aMissingFileOrALibraryWithoutTheLoop_isNamedWithTheVariable() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> InProcessCLoop.load(dir.resolve("nope.so"), stub));
        assertTrue(missing.getMessage().startsWith("NCCLFFM_PERF_C_LOOP=" + dir.resolve("nope.so") + ": no such file"),
                missing.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> InProcessCLoop.load(stub, stub));
        assertTrue(wrong.getMessage().contains("has no symbol ncclffm_allreduce_loop"), wrong.getMessage());
        // A program (this JVM's launcher) rather than a text file, which would make the JVM print a stack-guard
        // warning: it checks every library's ELF headers for a non-executable stack before loading it.
        Path program = Files.copy(Path.of(ProcessHandle.current().info().command().orElseThrow()), dir.resolve("not-a-library.so"));
        IllegalArgumentException notLoadable = assertThrows(IllegalArgumentException.class, () -> InProcessCLoop.load(program, stub));
        assertTrue(notLoadable.getMessage().startsWith("NCCLFFM_PERF_C_LOOP=" + program + " could not be loaded"), notLoadable.getMessage());
    }
}
