package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NCCL 2.29.2's one-sided functions and 2.30.4's parameter API against the stub: every argument reaches the library
 * where nccl.h puts it (the eleven of {@code ncclPutSignal}, the fields of {@code ncclWaitSignalDesc_t}), the
 * parameter handle written by {@code ncclParamBind} is what the getters receive, and a release without them is
 * refused before NCCL is called, naming the function and the release that added it.
 */
class SignalAndParameterStubTest {

    @TempDir
    static Path dir;
    static StubLibrary v228;
    static StubLibrary v229;
    static StubLibrary v2304;

    @BeforeAll
    static void build() throws Exception {
        v228 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_28);
        v229 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_29);
        v2304 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_30_4);
    }

    @BeforeEach
    void reset() {
        v228.reset(22809, 0, 0);
        v229.reset(22907, 0, 0);
        v2304.reset(23004, 0, 0);
    }

    @AfterEach
    void clearEnvironment() throws Throwable {
        unsetenv("NCCL_PROTO");
        unsetenv("NCCL_NTHREADS");
        unsetenv("NCCL_ENV_PLUGIN");
    }

    private static UniqueId id() {
        return UniqueId.fromBytes(new byte[UniqueId.BYTES]);
    }

    private static void assertUnsupported(StubLibrary lib, String what, NcclVersion since, Consumer<Nccl> call) {
        Nccl nccl = Nccl.load(lib.path);
        String before = lib.calls();
        NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> call.accept(nccl));
        assertEquals(what, e.what());
        assertEquals(since, e.since());
        assertEquals(before, lib.calls(), "nothing was called after the refusal");
    }

    @Test
    void putSignal_passesAllElevenArgumentsInOrder() {
        try (Communicator c = Nccl.load(v229.path).initRank(2, 0, id());
             Window w = c.registerWindow(0x7e0000001000L, 4096, Window.COLL_SYMMETRIC)) {
            c.putSignal(0x7e0000001040L, 7, DataType.INT32, 1, w, 256, 0, 0, 0x5eL);
            assertEquals(List.of(0x7e0000001040L, 7L, (long) DataType.INT32.code(), 1L, w.handle(), 256L, 0L, 0L),
                    List.of(v229.lastArg(0), v229.lastArg(1), v229.lastArg(2), v229.lastArg(3), v229.lastArg(4),
                            v229.lastArg(5), v229.lastArg(6), v229.lastArg(7)));
            assertEquals(0, v229.signalExtra(0), "flags are reserved: 0");
            assertEquals(c.address(), v229.signalExtra(1));
            assertEquals(0x5eL, v229.signalExtra(2), "stream");
        }
    }

    @Test
    void signal_passesPeerIndexContextAndZeroFlags() {
        try (Communicator c = Nccl.load(v229.path).initRank(3, 1, id())) {
            c.signal(2, 0, 0, 0x5eL);
            assertEquals(List.of(2L, 0L, 0L, 0L, c.address(), 0x5eL), List.of(v229.lastArg(0), v229.lastArg(1),
                    v229.lastArg(2), v229.lastArg(3), v229.lastArg(4), v229.lastArg(5)));
            assertThrows(IllegalArgumentException.class, () -> c.signal(3, 0, 0, 0), "peer outside the world");
        }
    }

    @Test
    void waitSignal_writesEachDescriptorAsOpCntPeerSigIdxCtx() {
        try (Communicator c = Nccl.load(v229.path).initRank(2, 0, id())) {
            c.waitSignal(List.of(SignalWait.of(1, 3), new SignalWait(0, 2, 5, 6)), 0x5eL);
            assertEquals(2, v229.waitDescCount());
            assertArrayEquals(new int[] {3, 1, 0, 0}, desc(v229, 0));
            assertArrayEquals(new int[] {2, 0, 5, 6}, desc(v229, 1));
            assertEquals(c.address(), v229.lastArg(5));
            assertEquals(0x5eL, v229.lastArg(6));
            assertThrows(IllegalArgumentException.class, () -> SignalWait.of(0, 0), "a wait for no signal");
            assertThrows(IllegalArgumentException.class, () -> c.waitSignal(List.of(), 0));
        }
    }

    private static int[] desc(StubLibrary lib, int i) {
        return new int[] {lib.waitDesc(i, 0), lib.waitDesc(i, 1), lib.waitDesc(i, 2), lib.waitDesc(i, 3)};
    }

    @Test
    void windowUserPtr_asksNcclWithTheCommunicatorAndTheWindow() {
        try (Communicator c = Nccl.load(v229.path).initRank(2, 0, id());
             Window w = c.registerWindow(0x7e0000001000L, 4096, Window.COLL_SYMMETRIC)) {
            assertEquals(0x7e0000001000L, w.userPtr());
            assertEquals(c.address(), v229.lastArg(0));
            assertEquals(w.handle(), v229.lastArg(1));
        }
    }

    @Test
    void signalsOnARelease_before2_29_2_areRefusedNamingTheRelease() {
        NcclVersion since = NcclVersion.of(2, 29, 2);
        assertFalse(Nccl.load(v228.path).supports(Feature.SIGNAL));
        assertTrue(Nccl.load(v229.path).supports(Feature.SIGNAL));
        try (Communicator c = Nccl.load(v228.path).initRank(2, 0, id());
             Window w = c.registerWindow(0x1000, 64, Window.COLL_SYMMETRIC)) {
            String before = v228.calls();
            // Like every feature, the refusal names the first function of the feature the release lacks.
            for (Runnable call : List.<Runnable>of(() -> c.signal(1, 0, 0, 0),
                    () -> c.waitSignal(List.of(SignalWait.of(1, 1)), 0),
                    () -> c.putSignal(0x1000, 1, DataType.INT32, 1, w, 0, 0, 0, 0))) {
                NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, call::run);
                assertEquals("ncclPutSignal", e.what());
                assertEquals(since, e.since());
            }
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, w::userPtr);
            assertEquals("ncclWinGetUserPtr", e.what());
            assertEquals(since, e.since());
            assertEquals(before, v228.calls(), "nothing was called after the refusals");
        }
    }

    @Test
    void parameters_before2_30_4_areRefusedNamingTheRelease() {
        NcclVersion since = NcclVersion.of(2, 30, 4);
        assertFalse(Nccl.load(v229.path).supports(Feature.PARAMETERS));
        assertTrue(Nccl.load(v2304.path).supports(Feature.PARAMETERS));
        assertUnsupported(v229, "ncclParamBind", since, n -> n.parameters().keys());
        assertUnsupported(v229, "ncclParamBind", since, n -> n.parameters().bind("NCCL_PROTO"));
        assertUnsupported(v229, "ncclParamBind", since, n -> n.parameters().value("NCCL_PROTO"));
        assertUnsupported(v229, "ncclParamBind", since, n -> n.parameters().dumpAll());
    }

    @Test
    void parameterKeysAndValues_comeFromNcclsTables() throws Throwable {
        NcclParameters p = Nccl.load(v2304.path).parameters();
        assertEquals(List.of("NCCL_PROTO", "NCCL_NTHREADS", "NCCL_BUFFSIZE"), p.keys());
        assertEquals("512", p.value("NCCL_NTHREADS"));
        setenv("NCCL_NTHREADS", "256");
        assertEquals("256", p.value("NCCL_NTHREADS"));
        NcclException unknown = assertThrows(NcclException.class, () -> p.value("NCCL_NO_SUCH_KEY"));
        assertTrue(unknown.getMessage().contains("NCCL_NO_SUCH_KEY"), unknown.getMessage());
    }

    @Test
    void typedGetters_receiveTheHandleBindWrote_andAWrongTypeIsNcclsError() throws Throwable {
        NcclParameters p = Nccl.load(v2304.path).parameters();
        setenv("NCCL_NTHREADS", "128");
        NcclParameter threads = p.bind("NCCL_NTHREADS");
        assertEquals(128, threads.int32());
        assertArrayEquals(new byte[] {(byte) 128, 0, 0, 0}, threads.raw(8), "ncclParamGet copies the value's bytes");
        assertEquals(4194304L, p.bind("NCCL_BUFFSIZE").int64());
        setenv("NCCL_PROTO", "Simple");
        assertEquals("Simple", p.bind("NCCL_PROTO").string());
        NcclException wrong = assertThrows(NcclException.class, threads::int64);
        assertEquals(NcclResult.INVALID_ARGUMENT.code(), wrong.rawResult());
        assertThrows(NcclException.class, threads::uint8);
        assertThrows(NcclException.class, () -> p.bind("NCCL_NO_SUCH_KEY"));
    }

    @Test
    void settings_listEveryKeyWithItsValueAndWhereItCameFrom() throws Throwable {
        NcclParameters p = Nccl.load(v2304.path).parameters();
        setenv("NCCL_PROTO", "LL128");
        assertEquals(List.of(new NcclParameters.Setting("NCCL_PROTO", "LL128", NcclParameters.Source.ENVIRONMENT),
                new NcclParameters.Setting("NCCL_NTHREADS", "512", NcclParameters.Source.DEFAULT),
                new NcclParameters.Setting("NCCL_BUFFSIZE", "4194304", NcclParameters.Source.DEFAULT)), p.settings());
        setenv("NCCL_ENV_PLUGIN", "libmy_env.so");
        assertTrue(p.settings().stream().allMatch(s -> s.source() == NcclParameters.Source.ENV_PLUGIN),
                "with an environment plugin the process cannot tell where a value came from");
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETENV = LINKER.downcallHandle(LINKER.defaultLookup().find("setenv").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle UNSETENV = LINKER.downcallHandle(LINKER.defaultLookup().find("unsetenv").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** The process environment as native code sees it: what NCCL reads, and what Java's copy never shows. */
    private static void setenv(String name, String value) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) SETENV.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            assertEquals(0, rc);
        }
    }

    private static void unsetenv(String name) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) UNSETENV.invokeExact(arena.allocateFrom(name));
            assertEquals(0, rc);
        }
    }

}
