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

import io.ncclffm.harness.protocol.Collective;
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
    static Path stub228;
    static SymbolLookup stub228Symbols;

    private static Path gcc(String source, String out) throws Exception {
        return CSharedLibrary.compile(dir.resolve(out), source, "-O2");
    }

    @BeforeAll
    static void build() throws Exception {
        loop = gcc("../../perf/c-baseline/ncclffm_c_loop.c", "libncclffm_c_loop.so");
        stub = gcc("../../binding/src/test/c/stub_nccl.c", "libnccl_stub.so");
        stubSymbols = SymbolLookup.libraryLookup(stub, Arena.global());
        stub228 = CSharedLibrary.compile(dir.resolve("v228/libnccl_stub.so"), "../../binding/src/test/c/stub_nccl.c", "-O2", "-DNCCL_2_28");
        stub228Symbols = SymbolLookup.libraryLookup(stub228, Arena.global());
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
            c.collective(Collective.ALL_REDUCE, 0x1000, 0x2000, 1021, 7, 3, 0, 0xC0FFEE, 0x5000, 3);
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
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.collective(Collective.ALL_REDUCE, 1, 2, 3, 7, 0, 0, 4, 5, 10));
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

    @Test
    void reduceScatterAndBroadcast_goThroughTheAllReduceShape_theBroadcastsRootInTheOpsPlace() throws Throwable {
        reset(0);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub)) {
            assertTrue(c.has(Collective.REDUCE_SCATTER) && c.has(Collective.BROADCAST) && c.has(Collective.REDUCE) && c.has(Collective.ALL_REDUCE));
            c.collective(Collective.REDUCE_SCATTER, 0x1000, 0x2000, 97, 7, 0, 0, 0xC0FFEE, 0x5000, 2);
            assertEquals(List.of(0x1000L, 0x2000L, 97L, 7L, 0L, 0xC0FFEEL, 0x5000L),
                    List.of(lastArg(0), lastArg(1), lastArg(2), lastArg(3), lastArg(4), lastArg(5), lastArg(6)));
            c.collective(Collective.BROADCAST, 0x1000, 0x2000, 33, 9, 1, 0, 0xC0FFEE, 0x5000, 1);
            assertEquals(List.of(33L, 9L, 1L, 0xC0FFEEL, 0x5000L), List.of(lastArg(2), lastArg(3), lastArg(4), lastArg(5), lastArg(6)),
                    "root 1 reached ncclBroadcast's root");
            c.collective(Collective.REDUCE, 0x1000, 0x2000, 5, 7, 2, 1, 0xC0FFEE, 0x5000, 1);
            assertEquals(List.of(5L, 7L, 2L, 1L, 0xC0FFEEL, 0x5000L),
                    List.of(lastArg(2), lastArg(3), lastArg(4), lastArg(5), lastArg(6), lastArg(7)), "op 2, root 1");
        }
        assertEquals("ncclReduceScatter,ncclReduceScatter,ncclBroadcast,ncclReduce,", calls());
    }

    @Test
    void alltoall_isThereWhereTheReleaseHasIt_andACollectiveWithoutALoopIsRefused() throws Throwable {
        try (InProcessCLoop old = InProcessCLoop.load(loop, stub)) {
            assertTrue(!old.has(Collective.ALL_TO_ALL), "the 2.22 stub has no ncclAlltoAll");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> old.collective(Collective.ALL_TO_ALL, 1, 2, 3, 7, 0, 0, 4, 5, 1));
            assertEquals("the in-process C loop has no loop for alltoall", e.getMessage());
        }
        Linker.nativeLinker().downcallHandle(stub228Symbols.find("stub_reset").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(22803, 0, 0);
        try (InProcessCLoop c = InProcessCLoop.load(loop, stub228)) {
            assertTrue(c.has(Collective.ALL_TO_ALL));
            c.collective(Collective.ALL_TO_ALL, 0x1000, 0x2000, 64, 7, 0, 0, 0xC0FFEE, 0x5000, 3);
        }
        MemorySegment s = (MemorySegment) Linker.nativeLinker().downcallHandle(stub228Symbols.find("stub_calls").orElseThrow(),
                FunctionDescriptor.of(ADDRESS)).invokeExact();
        assertEquals("ncclAlltoAll,ncclAlltoAll,ncclAlltoAll,", s.reinterpret(4096).getString(0));
    }
}
