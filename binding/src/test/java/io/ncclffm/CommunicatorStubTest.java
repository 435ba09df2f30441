package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding against a stand-in library with NCCL's C ABI ({@code src/test/c/stub_nccl.c}): what only a GPU
 * could decide with real NCCL — that a communicator's calls carry exactly the right arguments — decided here.
 * Real libraries are exercised in containers (harness ITs) and on GPU hosts (docs/validation.md).
 */
class CommunicatorStubTest {

    @TempDir
    static Path dir;
    static StubLibrary stub;
    static StubLibrary rcclStub;
    static StubLibrary nccl228Stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubLibrary.build(dir, StubLibrary.Variant.NCCL);
        rcclStub = StubLibrary.build(dir, StubLibrary.Variant.RCCL);
        nccl228Stub = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_28);
    }

    @BeforeEach
    void reset() {
        stub.reset(22203, 0, 0);
        rcclStub.reset(21304, 0, 0);
        nccl228Stub.reset(22809, 0, 0);
    }

    private static byte[] idBytes() {
        byte[] b = new byte[UniqueId.BYTES];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (255 - i * 3);
        return b;
    }

    @Test
    void initRank_passesThe128ByteIdByValue() {
        Nccl nccl = Nccl.load(stub.path);
        byte[] id = idBytes();
        try (Communicator c = nccl.initRank(4, 2, UniqueId.fromBytes(id))) {
            assertEquals(StubLibrary.idSum(id), stub.lastIdSum(), "the library received the same 128 bytes");
            assertEquals(4, c.count());
            assertEquals(2, c.userRank());
        }
        assertTrue(stub.calls().endsWith("ncclCommFinalize,ncclCommDestroy,"), "close = finalize then destroy: " + stub.calls());
    }

    @Test
    void newUniqueId_readsWhatTheLibraryWrote() {
        UniqueId id = Nccl.load(stub.path).newUniqueId();
        byte[] b = id.toBytes();
        for (int i = 0; i < 128; i++) assertEquals((byte) (i * 7 + 3), b[i], "byte " + i);
    }

    @Test
    void allReduce_passesEveryArgumentInOrder() {
        Nccl nccl = Nccl.load(stub.path);
        try (Communicator c = nccl.initRank(2, 0, UniqueId.fromBytes(idBytes()))) {
            c.allReduce(0x7f0000001000L, 0x7f0000002000L, 1021, DataType.BFLOAT16, ReduceOp.MIN, 0x5555L);
            assertEquals(0x7f0000001000L, stub.lastArg(0));
            assertEquals(0x7f0000002000L, stub.lastArg(1));
            assertEquals(1021, stub.lastArg(2));
            assertEquals(9, stub.lastArg(3), "ncclBfloat16");
            assertEquals(3, stub.lastArg(4), "ncclMin");
            assertEquals(c.address(), stub.lastArg(5), "the communicator handle");
            assertEquals(0x5555L, stub.lastArg(6), "the stream");
        }
    }

    @Test
    void ncclError_becomesNcclExceptionWithNcclsWords() {
        stub.reset(22203, 0, 4);
        Nccl nccl = Nccl.load(stub.path);
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            NcclException e = assertThrows(NcclException.class,
                    () -> c.allReduce(1, 2, 3, DataType.FLOAT32, ReduceOp.SUM, 0));
            assertEquals(NcclResult.INVALID_ARGUMENT, e.result());
            assertEquals("ncclAllReduce", e.operation());
            assertEquals("invalid argument (run with NCCL_DEBUG=WARN for details)", e.errorString());
            assertEquals("stub: collective refused", e.lastError());
            assertEquals("stub: collective refused", c.lastError(), "ncclGetLastError for the communicator");
        }
    }

    @Test
    void initFailure_isAnNcclExceptionCarryingTheLastError() {
        stub.reset(22203, 2, 0);
        NcclException e = assertThrows(NcclException.class,
                () -> Nccl.load(stub.path).initRank(2, 1, UniqueId.fromBytes(idBytes())));
        assertEquals(NcclResult.UNHANDLED_CUDA_ERROR, e.result());
        assertTrue(e.getMessage().contains("stub: CUDA driver version is insufficient"), e.getMessage());
    }

    @Test
    void dtypeTheReleaseLacks_isRejectedBeforeNcclIsCalled() {
        Nccl nccl = Nccl.load(stub.path);
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            String before = stub.calls();
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.allReduce(1, 2, 3, DataType.FLOAT8_E4M3, ReduceOp.SUM, 0));
            assertEquals("ncclFloat8e4m3 is not available in NCCL 2.22.3 (" + stub.path + "); it needs NCCL >= 2.24.0", e.getMessage());
            assertEquals(before, stub.calls(), "ncclAllReduce was not called");
        }
    }

    @Test
    void avgBefore2_10_isRejectedWithTheReleaseThatAddedIt() {
        stub.reset(2804, 0, 0);
        Nccl nccl = Nccl.load(stub.path);
        assertEquals("2.8.4", nccl.version().toString());
        assertFalse(nccl.supports(DataType.BFLOAT16));
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.allReduce(1, 2, 3, DataType.FLOAT32, ReduceOp.AVG, 0));
            assertTrue(e.getMessage().contains("ncclAvg") && e.getMessage().contains("2.10.0"), e.getMessage());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "version code {0}, RCCL {1}")
    @org.junit.jupiter.params.provider.CsvSource({"2804, false", "21003, false", "22203, false", "22403, false", "22809, false",
            "21003, true", "21304, true", "22203, true"})
    void typesAndReductionsDecidedAtLoad_areExactlyThoseTheReleaseAccepts(int versionCode, boolean rccl) {
        StubLibrary lib = rccl ? rcclStub : stub;
        lib.reset(versionCode, 0, 0);
        Nccl nccl = Nccl.load(lib.path);
        assertEquals(rccl ? Flavor.RCCL : Flavor.NCCL, nccl.flavor());
        for (DataType t : DataType.values()) {
            assertEquals(t.supportedBy(nccl.flavor(), nccl.version()), nccl.supports(t), t + " on " + nccl.version());
        }
        for (ReduceOp op : ReduceOp.values()) {
            assertEquals(op.supportedBy(nccl.version()), nccl.supports(op), op + " on " + nccl.version());
        }
        assertFalse(nccl.supports(DataType.UNKNOWN));
        assertFalse(nccl.supports((DataType) null));
    }

    @Test
    void missingFunction_isUnavailableWithItsRelease_notACrash() {
        Nccl nccl = Nccl.load(stub.path);
        assertFalse(nccl.supports(Feature.ALL_TO_ALL), "the stub exports no ncclAlltoAll");
        assertTrue(nccl.supports(Feature.SEND_RECV));
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            String before = stub.calls();
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.allToAll(1, 2, 3, DataType.FLOAT32, 0));
            assertEquals(NcclVersion.of(2, 28, 0), e.since());
            assertEquals(before, stub.calls(), "nothing was called");
        }
    }

    @Test
    void allToAll_inALibraryWithNeitherName_namesBothSpellings() {
        Nccl nccl = Nccl.load(stub.path);
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.allToAll(1, 2, 3, DataType.FLOAT32, 0));
            assertEquals("ncclAlltoAll or ncclAllToAll", e.what());
            assertEquals("ncclAlltoAll or ncclAllToAll is not available in NCCL 2.22.3 (" + stub.path
                    + "); it needs NCCL >= 2.28.0", e.getMessage());
        }
        NcclUnsupportedException required = assertThrows(NcclUnsupportedException.class,
                () -> nccl.require(Feature.ALL_TO_ALL));
        assertEquals("ncclAlltoAll or ncclAllToAll", required.what());
    }

    @Test
    void allToAll_onRccl_callsNcclAllToAllWithEveryArgument() {
        Nccl nccl = Nccl.load(rcclStub.path);
        assertEquals(Flavor.RCCL, nccl.flavor());
        assertTrue(nccl.supports(Feature.ALL_TO_ALL), "RCCL's ncclAllToAll counts as all-to-all");
        try (Communicator c = nccl.initRank(2, 1, UniqueId.fromBytes(idBytes()))) {
            c.allToAll(0x7f0000003000L, 0x7f0000004000L, 1021, DataType.INT32, 0x6666L);
            assertTrue(rcclStub.calls().contains("ncclAllToAll,"), rcclStub.calls());
            assertEquals(0x7f0000003000L, rcclStub.lastArg(0));
            assertEquals(0x7f0000004000L, rcclStub.lastArg(1));
            assertEquals(1021, rcclStub.lastArg(2));
            assertEquals(2, rcclStub.lastArg(3), "ncclInt32");
            assertEquals(c.address(), rcclStub.lastArg(4), "the communicator handle");
            assertEquals(0x6666L, rcclStub.lastArg(5), "the stream");
        }
    }

    @Test
    void allToAll_onRccl_reportsAnErrorUnderRcclsName() {
        rcclStub.reset(21304, 0, 4);
        Nccl nccl = Nccl.load(rcclStub.path);
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            NcclException e = assertThrows(NcclException.class, () -> c.allToAll(1, 2, 3, DataType.FLOAT32, 0));
            assertEquals("ncclAllToAll", e.operation());
            assertEquals(NcclResult.INVALID_ARGUMENT, e.result());
        }
    }

    @Test
    void allToAll_onNccl2_28_callsNcclAlltoAll() {
        Nccl nccl = Nccl.load(nccl228Stub.path);
        assertEquals(Flavor.NCCL, nccl.flavor());
        assertTrue(nccl.supports(Feature.ALL_TO_ALL));
        try (Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()))) {
            c.allToAll(0x1000L, 0x2000L, 7, DataType.FLOAT32, 0);
            assertTrue(nccl228Stub.calls().contains("ncclAlltoAll,"), nccl228Stub.calls());
            assertEquals(7, nccl228Stub.lastArg(2));
        }
    }

    @Test
    void gatherScatter_isItsOwnFeature() {
        assertFalse(Nccl.load(stub.path).supports(Feature.GATHER_SCATTER), "NCCL 2.22 has no ncclGather");
        assertTrue(Nccl.load(nccl228Stub.path).supports(Feature.GATHER_SCATTER));
        assertTrue(Nccl.load(rcclStub.path).supports(Feature.GATHER_SCATTER), "RCCL exports ncclGather/ncclScatter");
        assertEquals(List.of("ncclGather", "ncclScatter"), Feature.GATHER_SCATTER.symbols());
        assertEquals(List.of("ncclAlltoAll", "ncclAllToAll"), Feature.ALL_TO_ALL.functions().getFirst().names());
    }

    @Test
    void nonBlockingInit_thatNeverCompletes_isAbortedWithinItsTimeout() {
        stub.reset(22203, 1, 0);
        Nccl nccl = Nccl.load(stub.path);
        long t0 = System.nanoTime();
        NcclTimeoutException e = assertThrows(NcclTimeoutException.class,
                () -> nccl.initRank(2, 0, UniqueId.fromBytes(idBytes()), InitOptions.nonBlocking(Duration.ofMillis(300))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 300 && ms < 5000, "aborted after " + ms + " ms");
        assertEquals(0, stub.lastBlocking(), "ncclConfig_t.blocking was 0");
        assertEquals(21800, stub.lastConfigVersion(), "a 2.22 library gets the newest layout it knows, 2.18's");
        assertTrue(stub.calls().contains("ncclCommInitRankConfig,ncclCommAbort,"), stub.calls());
        assertEquals(Duration.ofMillis(300), e.timeout());
    }

    @Test
    void closedCommunicator_rejectsUseClearly() {
        Nccl nccl = Nccl.load(stub.path);
        Communicator c = nccl.initRank(1, 0, UniqueId.fromBytes(idBytes()));
        c.close();
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> c.allReduce(1, 2, 3, DataType.FLOAT32, ReduceOp.SUM, 0));
        assertTrue(e.getMessage().startsWith("ncclAllReduce on a communicator that is closed"), e.getMessage());
    }

    @Test
    void badArguments_areRejectedBeforeNcclIsCalled() {
        Nccl nccl = Nccl.load(stub.path);
        assertThrows(IllegalArgumentException.class, () -> nccl.initRank(2, 2, UniqueId.fromBytes(idBytes())));
        assertThrows(IllegalArgumentException.class, () -> nccl.initRank(0, 0, UniqueId.fromBytes(idBytes())));
        try (Communicator c = nccl.initRank(2, 0, UniqueId.fromBytes(idBytes()))) {
            assertThrows(IllegalArgumentException.class, () -> c.allReduce(1, 2, -1, DataType.FLOAT32, ReduceOp.SUM, 0));
            assertThrows(IllegalArgumentException.class, () -> c.allReduce(1, 2, 1, DataType.UNKNOWN, ReduceOp.SUM, 0));
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(1, 2, 1, DataType.FLOAT32, 2, 0));
        }
    }

    @Test
    void flavor_isToldApartBySymbolsOnlyRcclHas() {
        assertEquals(Flavor.NCCL, Nccl.load(stub.path).flavor());
        assertEquals(Flavor.RCCL, Nccl.load(rcclStub.path).flavor());
    }
}
