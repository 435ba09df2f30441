package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The functions of nccl.h from 2.11 on (split, shrink, grow, revoke, scalable init, memory, registration,
 * windows, PreMulSum, simulated groups) and the versioned {@code ncclConfig_t}, against the stub: each call
 * reaches the library with nccl.h's arguments, and a release that lacks the function is refused before NCCL is
 * called, naming the function and its first release.
 */
class FullApiStubTest {

    private static final int UNDEF = Integer.MIN_VALUE;

    @TempDir
    static Path dir;
    static StubLibrary v214;
    static StubLibrary v222;
    static StubLibrary v228;
    static StubLibrary v229;

    @BeforeAll
    static void build() throws Exception {
        v214 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_14);
        v222 = StubLibrary.build(dir, StubLibrary.Variant.NCCL);
        v228 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_28);
        v229 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_29);
    }

    @BeforeEach
    void reset() {
        v214.reset(21403, 0, 0);
        v222.reset(22203, 0, 0);
        v228.reset(22809, 0, 0);
        v229.reset(22902, 0, 0);
    }

    private static UniqueId id(int seed) {
        byte[] b = new byte[UniqueId.BYTES];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (seed + i * 13);
        return UniqueId.fromBytes(b);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertUnsupported(StubLibrary lib, String what, NcclVersion since, Consumer<Nccl> call) {
        Nccl nccl = Nccl.load(lib.path);
        String before = lib.calls();
        NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> call.accept(nccl));
        assertEquals(what, e.what());
        assertEquals(since, e.since());
        assertTrue(e.getMessage().contains(nccl.version().toString()), e.getMessage());
        assertEquals(before, lib.calls(), "nothing was called after the refusal");
    }

    // ncclConfig_t

    @Test
    void config_onNccl222_isThe218LayoutWithEveryFieldAtItsOffset() {
        InitOptions options = InitOptions.nonBlocking(Duration.ofSeconds(5)).withMinCtas(4).withNetName("Socket")
                .withSplitShare(true);
        try (Communicator c = Nccl.load(v222.path).initRank(2, 1, id(1), options)) {
            ByteBuffer b = le(v222.lastConfig());
            assertEquals(48, b.capacity(), "sizeof(ncclConfig_v21700) with splitShare");
            assertEquals(48L, b.getLong(0), "size");
            assertEquals(0xcafebeef, b.getInt(8), "magic");
            assertEquals(21800, b.getInt(12), "version: 2.18's layout, the newest a 2.22 library knows");
            assertEquals(0, b.getInt(16), "blocking");
            assertEquals(UNDEF, b.getInt(20), "cgaClusterSize left to NCCL");
            assertEquals(4, b.getInt(24), "minCTAs");
            assertEquals(UNDEF, b.getInt(28), "maxCTAs left to NCCL");
            assertEquals("Socket", v222.lastConfigString(0), "netName");
            assertEquals(1, b.getInt(40), "splitShare");
            assertEquals(1, c.userRank());
        }
    }

    @Test
    void config_onNccl228_isThe228LayoutWithCommNameAndCtaPolicy() {
        InitOptions options = InitOptions.nonBlocking(Duration.ofSeconds(5)).withCommName("trainer").withCtaPolicy(1)
                .withMaxCtas(16).with(ConfigField.NVLINK_CENTRIC_SCHED, 1);
        try (Communicator c = Nccl.load(v228.path).initRank(2, 0, id(1), options)) {
            ByteBuffer b = le(v228.lastConfig());
            assertEquals(80L, b.getLong(0), "sizeof(ncclConfig_v22800)");
            assertEquals(22800, b.getInt(12));
            assertEquals(16, b.getInt(28), "maxCTAs");
            assertEquals("(null)", v228.lastConfigString(0), "netName left NULL");
            assertEquals(UNDEF, b.getInt(40), "splitShare");
            assertEquals(UNDEF, b.getInt(44), "trafficClass");
            assertEquals("trainer", v228.lastConfigString(1), "commName");
            assertEquals(UNDEF, b.getInt(56), "collnetEnable");
            assertEquals(1, b.getInt(60), "CTAPolicy");
            assertEquals(UNDEF, b.getInt(64), "shrinkShare");
            assertEquals(UNDEF, b.getInt(68), "nvlsCTAs");
            assertEquals(UNDEF, b.getInt(72), "nChannelsPerNetPeer");
            assertEquals(1, b.getInt(76), "nvlinkCentricSched");
        }
    }

    @Test
    void config_onNccl214_isThe214LayoutAndRefusesLaterFields() {
        try (Communicator c = Nccl.load(v214.path).initRank(2, 0, id(1), InitOptions.nonBlocking(Duration.ofSeconds(5)))) {
            ByteBuffer b = le(v214.lastConfig());
            assertEquals(24L, b.getLong(0), "sizeof(ncclConfig_v21400)");
            assertEquals(21400, b.getInt(12));
            assertEquals(0, b.getInt(16));
        }
        assertUnsupported(v214, "ncclConfig_t.minCTAs", NcclVersion.of(2, 17, 0),
                nccl -> nccl.initRank(2, 0, id(1), InitOptions.nonBlocking(Duration.ofSeconds(5)).withMinCtas(2)));
        assertUnsupported(v222, "ncclConfig_t.commName", NcclVersion.of(2, 27, 0),
                nccl -> nccl.initRank(2, 0, id(1), InitOptions.blockingInit().withCommName("x")));
    }

    @Test
    void blockingInit_withConfigFields_goesThroughInitRankConfigWithBlockingOne() {
        try (Communicator c = Nccl.load(v222.path).initRank(2, 0, id(1), InitOptions.blockingInit().withCgaClusterSize(2))) {
            assertTrue(v222.calls().contains("ncclCommInitRankConfig,"), v222.calls());
            ByteBuffer b = le(v222.lastConfig());
            assertEquals(1, b.getInt(16), "blocking");
            assertEquals(2, b.getInt(20), "cgaClusterSize");
        }
    }

    @Test
    void initOptions_rejectsAValueOfTheWrongKindNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InitOptions(true, Duration.ofSeconds(1), java.util.Map.of(ConfigField.NET_NAME, 3)));
        assertTrue(e.getMessage().contains("netName takes a string"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InitOptions.blockingInit().with(ConfigField.BLOCKING, 0));
    }

    // split, shrink, grow, revoke, scalable init

    @Test
    void split_onANonBlockingParent_returnsOnlyOnceTheParentHasFinishedTheSplitToo() {
        Nccl nccl = Nccl.load(v222.path);
        try (Communicator parent = nccl.initRank(4, 3, id(1), InitOptions.nonBlocking(Duration.ofSeconds(5)))) {
            try (Communicator child = parent.split(1, 3)) {
                assertEquals(2, child.world());
                assertEquals(0, v222.pending(parent.address()),
                        "the parent answered ncclInProgress after the handle was written; the split waited for it");
            }
            assertNull(parent.split(Communicator.SPLIT_NOCOLOR, 0));
            assertEquals(0, v222.pending(parent.address()), "a rank left out of every group waits for the parent too");
        }
    }

    @Test
    void split_passesColorKeyAndNoConfig_andTheChildKnowsItsWorld() {
        Nccl nccl = Nccl.load(v222.path);
        try (Communicator parent = nccl.initRank(4, 3, id(1))) {
            try (Communicator child = parent.split(1, 3)) {
                assertEquals(parent.address(), v222.lastArg(0));
                assertEquals(1, v222.lastArg(1), "color");
                assertEquals(3, v222.lastArg(2), "key");
                assertEquals(0, v222.lastArg(4), "config NULL: inherit the parent's");
                assertEquals(2, child.world());
                assertEquals(1, child.rank());
            }
            assertNull(parent.split(Communicator.SPLIT_NOCOLOR, 0));
            try (Communicator child = parent.split(0, 0, InitOptions.blockingInit().withSplitShare(false))) {
                assertEquals(0, le(v222.lastConfig()).getInt(40), "the child's splitShare");
            }
        }
        try (Communicator c = Nccl.load(v214.path).initRank(2, 0, id(1))) {
            String before = v214.calls();
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> c.split(0, 0));
            assertEquals("ncclCommSplit", e.what());
            assertEquals(NcclVersion.of(2, 18, 0), e.since());
            assertEquals(before, v214.calls(), "nothing was called after the refusal");
        }
    }

    @Test
    void shrink_passesTheExcludedRanksAndTheAbortFlag() {
        try (Communicator parent = Nccl.load(v228.path).initRank(4, 0, id(1));
             Communicator child = parent.shrink(new int[] {3, 1}, true, null)) {
            assertEquals(2, v228.lastArg(2), "excludeRanksCount");
            assertEquals(3, v228.lastExcluded(0));
            assertEquals(1, v228.lastExcluded(1));
            assertEquals(1, v228.lastArg(4), "NCCL_SHRINK_ABORT");
            assertEquals(2, child.world());
        }
        try (Communicator c = Nccl.load(v222.path).initRank(2, 0, id(1))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> c.shrink(new int[] {1}, false, null));
            assertEquals(NcclVersion.of(2, 27, 0), e.since());
            assertThrows(IllegalArgumentException.class, () -> c.shrink(new int[] {2}, false, null), "rank out of range");
        }
    }

    @Test
    void initRankScalable_passesEveryIdInOrder() {
        try (Communicator c = Nccl.load(v228.path).initRankScalable(8, 5, List.of(id(1), id(2)),
                InitOptions.blockingInit())) {
            assertEquals(8, v228.lastArg(0));
            assertEquals(5, v228.lastArg(1));
            assertEquals(2, v228.lastArg(2), "nId");
            long expected = StubLibrary.idSum(id(1).toBytes()) * 1000003 + StubLibrary.idSum(id(2).toBytes());
            assertEquals(expected, v228.lastIdSum(), "both IDs, in order, 128 bytes each");
            assertEquals(1, le(v228.lastConfig()).getInt(16), "blocking");
            assertEquals(5, c.rank());
        }
        assertUnsupported(v222, "ncclCommInitRankScalable", NcclVersion.of(2, 23, 0),
                n -> n.initRankScalable(2, 0, List.of(id(1)), InitOptions.blockingInit()));
    }

    @Test
    void revoke_passesDefaultFlags_andCloseThenSkipsFinalize() {
        Communicator c = Nccl.load(v228.path).initRank(2, 0, id(1));
        c.revoke();
        assertEquals(c.address(), v228.lastArg(0));
        assertEquals(0, v228.lastArg(1), "NCCL_REVOKE_DEFAULT");
        c.close();
        assertTrue(v228.calls().endsWith("ncclCommRevoke,ncclCommDestroy,"), v228.calls());
        try (Communicator old = Nccl.load(v222.path).initRank(2, 0, id(1))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, old::revoke);
            assertEquals(NcclVersion.of(2, 28, 7), e.since());
        }
    }

    @Test
    void grow_existingRanksPassRankMinusOne_joinersPassNoCommunicator() {
        Nccl nccl = Nccl.load(v229.path);
        try (Communicator c = nccl.initRank(2, 0, id(1))) {
            UniqueId growId = c.newGrowId();
            assertEquals((byte) 6, growId.toBytes()[1], "the ID the library wrote");
            try (Communicator grown = c.grow(3, growId, null)) {
                assertEquals(c.address(), v229.lastArg(0));
                assertEquals(3, v229.lastArg(1));
                assertEquals(-1, v229.lastArg(3), "an existing rank passes -1");
                assertEquals(StubLibrary.idSum(growId.toBytes()), v229.lastIdSum());
                assertEquals(3, grown.world());
                assertEquals(0, grown.rank());
            }
        }
        try (Communicator joined = nccl.joinByGrow(3, id(9), 2, InitOptions.blockingInit())) {
            assertEquals(0, v229.lastArg(0), "a joining rank has no communicator");
            assertEquals(2, v229.lastArg(3));
            assertEquals(2, joined.rank());
        }
        assertUnsupported(v228, "ncclCommGrow", NcclVersion.of(2, 29, 2),
                n -> n.joinByGrow(3, id(9), 2, InitOptions.blockingInit()));
    }

    // memory, registration, windows

    @Test
    void memAlloc_andRegister_passAddressesSizesAndHandles() {
        Nccl nccl = Nccl.load(v222.path);
        try (Communicator c = nccl.initRank(1, 0, id(1))) {
            NcclMemory mem = nccl.memAlloc(1 << 20);
            assertEquals(1 << 20, v222.lastArg(0), "size");
            assertEquals(0x7e0000000000L, mem.address());
            try (BufferRegistration reg = c.register(mem.address(), mem.bytes())) {
                assertEquals(c.address(), v222.lastArg(0));
                assertEquals(mem.address(), v222.lastArg(1));
                assertEquals(1 << 20, v222.lastArg(2));
                assertEquals(0x4ead1e, reg.handle());
            }
            assertEquals(0x4ead1e, v222.lastArg(3), "deregister got the handle");
            mem.close();
            mem.close();
            assertEquals(0x7e0000000000L, v222.lastArg(1), "ncclMemFree got the address");
            assertEquals(1, v222.calls().split("ncclMemFree", -1).length - 1, "freed once");
        }
        assertUnsupported(v214, "ncclMemAlloc", NcclVersion.of(2, 19, 0), n -> n.memAlloc(64));
        assertFalse(Nccl.load(v214.path).supports(Feature.REGISTER));
    }

    @Test
    void registerWindow_passesTheSymmetricFlag() {
        try (Communicator c = Nccl.load(v228.path).initRank(2, 0, id(1));
             Window w = c.registerWindow(0x7e0000001000L, 4096, Window.COLL_SYMMETRIC)) {
            assertEquals(0x7e0000001000L, v228.lastArg(1));
            assertEquals(4096, v228.lastArg(2));
            assertEquals(1, v228.lastArg(4), "NCCL_WIN_COLL_SYMMETRIC");
            assertEquals(0x3177, w.handle());
        }
        assertTrue(v228.calls().contains("ncclCommWindowDeregister,"), v228.calls());
        try (Communicator c = Nccl.load(v222.path).initRank(2, 0, id(1))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.registerWindow(0x1000, 4096, Window.COLL_SYMMETRIC));
            assertEquals("ncclCommWindowRegister", e.what());
            assertEquals(NcclVersion.of(2, 27, 0), e.since());
        }
    }

    @Test
    void registerWindow_onANonBlockingCommunicator_waitsForTheJobThatWritesTheHandle() {
        try (Communicator c = Nccl.load(v228.path).initRank(2, 0, id(1), InitOptions.nonBlocking(Duration.ofSeconds(5)))) {
            // NCCL answers ncclSuccess with the handle still NULL; a second registration before the job ends would
            // be refused ("Attempt to use communicator before the previous operation returned ncclSuccess").
            try (Window a = c.registerWindow(0x7e0000001000L, 4096, Window.COLL_SYMMETRIC);
                 Window b = c.registerWindow(0x7e0000002000L, 4096, Window.COLL_SYMMETRIC)) {
                assertEquals(0x3177, a.handle(), "the handle the job wrote, not the NULL of the return");
                assertEquals(0x3177, b.handle());
                assertEquals(0, v228.pending(c.address()));
            }
        }
    }

    // PreMulSum

    @Test
    void preMulSum_writesTheScalarInTheReductionsType_andCollectivesCarryItsCode() {
        try (Communicator c = Nccl.load(v222.path).initRank(2, 0, id(1))) {
            try (PreMulSumOp op = c.createPreMulSum(0.5, DataType.FLOAT32)) {
                assertEquals(7, v222.lastArg(1), "ncclFloat32");
                assertEquals(1, v222.lastArg(2), "ncclScalarHostImmediate");
                assertEquals(0.5f, le(v222.lastScalar()).getFloat(0));
                c.allReduce(0x1000, 0x2000, 9, DataType.FLOAT32, op, 0x77);
                assertEquals(5, v222.lastArg(4), "the operator's code");
                c.reduce(0x1000, 0x2000, 9, DataType.FLOAT32, op, 1, 0x77);
                assertEquals(5, v222.lastArg(4));
                assertEquals(1, v222.lastArg(5), "root");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> c.allReduce(0x1000, 0x2000, 9, DataType.FLOAT16, op, 0));
                assertTrue(e.getMessage().contains("made for float32, not float16"), e.getMessage());
            }
            assertEquals(5, v222.lastArg(6), "ncclRedOpDestroy got the code");
            try (PreMulSumOp op = c.createPreMulSum(0.5, DataType.FLOAT16)) {
                assertEquals((short) 0x3800, le(v222.lastScalar()).getShort(0), "0.5 as IEEE half");
            }
            try (PreMulSumOp op = c.createPreMulSum(-1.75, DataType.BFLOAT16)) {
                assertEquals((short) 0xbfe0, le(v222.lastScalar()).getShort(0), "-1.75 as bfloat16");
            }
            try (PreMulSumOp op = c.createPreMulSum(3, DataType.INT32)) {
                assertEquals(3, le(v222.lastScalar()).getInt(0));
            }
            assertThrows(IllegalArgumentException.class, () -> c.createPreMulSum(0.5, DataType.INT32));
        }
        try (Communicator c = Nccl.load(v214.path).initRank(2, 0, id(1))) {
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class,
                    () -> c.createPreMulSum(0.5, DataType.FLOAT32));
            assertEquals(NcclVersion.of(2, 11, 0), e.since());
        }
    }

    // groups, gather and scatter

    @Test
    void groupSimulateEnd_passesAnInitializedSimInfoAndReturnsTheEstimate() {
        Nccl nccl = Nccl.load(v222.path);
        nccl.groupStart();
        assertEquals(12.5f, nccl.groupSimulateEnd());
        assertEquals(22200, v222.lastArg(0), "ncclSimInfo_t.version");
        assertUnsupported(v214, "ncclGroupSimulateEnd", NcclVersion.of(2, 22, 0), Nccl::groupSimulateEnd);
    }

    @Test
    void gatherAndScatter_passEveryArgument() {
        try (Communicator c = Nccl.load(v228.path).initRank(2, 0, id(1))) {
            c.gather(0x1000, 0x2000, 33, DataType.INT64, 1, 0x9);
            assertTrue(v228.calls().endsWith("ncclGather,"), v228.calls());
            assertEquals(33, v228.lastArg(2));
            assertEquals(4, v228.lastArg(3), "ncclInt64");
            assertEquals(1, v228.lastArg(4), "root");
            assertEquals(0x9, v228.lastArg(6));
            c.scatter(0x3000, 0x4000, 7, DataType.UINT8, 0, 0x9);
            assertEquals(0x3000, v228.lastArg(0));
            assertEquals(0, v228.lastArg(4));
        }
    }
}
