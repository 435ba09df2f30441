package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.internal.CommPropertiesLayout;

/**
 * What nccl.h 2.29.2 to 2.30.7 added, against the stub: the versioned {@code ncclCommProperties_t}, suspend and
 * resume, memory statistics, the config fields {@code maxP2pPeers} and {@code graphStreamOrdering},
 * {@code NCCL_CTA_POLICY_ZERO}, and a library newer than the binding knows. The stub accepts a properties version
 * exactly as NCCL 2.29.2 and 2.30.7 do ({@code validateNcclVersion}, {@code getNcclVersionCompat}), so a version the
 * binding writes that a release would refuse fails here.
 */
class CommStateStubTest {

    private static final int UNDEF = Integer.MIN_VALUE;

    @TempDir
    static Path dir;
    static StubLibrary v228;
    static StubLibrary v229;
    static StubLibrary v2297;

    @BeforeAll
    static void build() throws Exception {
        v228 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_28);
        v229 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_29);
        v2297 = StubLibrary.build(dir, StubLibrary.Variant.NCCL_2_29_7);
    }

    private static UniqueId id() {
        byte[] b = new byte[UniqueId.BYTES];
        Arrays.fill(b, (byte) 7);
        return UniqueId.fromBytes(b);
    }

    private static Nccl at(StubLibrary lib, int versionCode) {
        lib.reset(versionCode, 0, 0);
        return Nccl.load(lib.path);
    }

    private static void assertUnsupported(StubLibrary lib, String what, NcclVersion since, Consumer<Communicator> call) {
        Nccl nccl = Nccl.load(lib.path);
        try (Communicator c = nccl.initRank(2, 1, id())) {
            String before = lib.calls();
            NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> call.accept(c));
            assertEquals(what, e.what());
            assertEquals(since, e.since());
            assertTrue(e.getMessage().contains("needs NCCL >= " + since), e.getMessage());
            assertEquals(before, lib.calls(), "nothing was called after the refusal");
        }
    }

    // ncclCommQueryProperties

    @Test
    void properties_onNccl2292_writeTheShortLayoutAsVersion2292_andReadRankWorldDevice() {
        try (Communicator c = at(v229, 22902).initRank(2, 1, id())) {
            CommProperties p = c.properties();
            assertEquals(22902, v229.lastPropsVersion());
            assertEquals(1, p.rank());
            assertEquals(2, p.nRanks());
            assertEquals(0, p.cudaDev());
            assertTrue(p.deviceApiSupport());
            assertFalse(p.multimemSupport());
            assertEquals(OptionalInt.empty(), p.nLsaTeams(), "2.29.2's struct ends at ginType");
            assertEquals(OptionalInt.empty(), p.railedGinType());
        }
    }

    @Test
    void properties_onNccl2303_writeTheLibrarysVersion_andReadTheFieldsAppendedIn2297() {
        try (Communicator c = at(v2297, 23003).initRank(3, 2, id())) {
            CommProperties p = c.properties();
            assertEquals(23003, v2297.lastPropsVersion(), "a 2.30.3 library refuses any version above 2.30.3");
            assertEquals(2, p.rank());
            assertEquals(3, p.nRanks());
            assertEquals(OptionalInt.of(1), p.nLsaTeams());
            assertTrue(p.hostRmaSupport());
            assertEquals(OptionalInt.of(2), p.railedGinType());
        }
    }

    @Test
    void properties_onAReleaseNewerThanKnown_writeTheNewestKnownVersion() {
        try (Communicator c = at(v2297, 23206).initRank(2, 0, id())) {
            assertEquals(0, c.properties().rank());
            assertEquals(Nccl.NEWEST_KNOWN.code(), v2297.lastPropsVersion());
        }
    }

    @Test
    void properties_versionChoice_staysInsideWhatEachReleaseAccepts() {
        assertEquals(NcclVersion.of(2, 29, 2), CommPropertiesLayout.versionFor(NcclVersion.of(2, 29, 3)));
        assertEquals(NcclVersion.of(2, 29, 7), CommPropertiesLayout.versionFor(NcclVersion.of(2, 29, 7)));
        assertEquals(NcclVersion.of(2, 30, 7), CommPropertiesLayout.versionFor(NcclVersion.of(2, 31, 2)));
    }

    @Test
    void properties_onNccl2289_areRefusedNamingRelease2292() {
        v228.reset(22809, 0, 0);
        assertUnsupported(v228, "ncclCommQueryProperties", NcclVersion.of(2, 29, 2), Communicator::properties);
    }

    // ncclCommSuspend, ncclCommResume, ncclCommMemStats

    @Test
    void suspendThenResume_passTheMemFlag_andTheSuspendedStatFlipsWhileByteCountsStay() {
        try (Communicator c = at(v2297, 22907).initRank(2, 0, id())) {
            long suspendable = c.memStat(MemStat.GPU_MEM_SUSPEND);
            assertEquals(1 << 20, suspendable);
            assertEquals(0, c.memStat(MemStat.GPU_MEM_SUSPENDED));
            c.suspend(Communicator.SUSPEND_MEM);
            assertEquals(Communicator.SUSPEND_MEM, v2297.lastArg(1), "flags");
            assertEquals(1, c.memStat(MemStat.GPU_MEM_SUSPENDED));
            assertEquals(suspendable, c.memStat(MemStat.GPU_MEM_SUSPEND));
            c.resume();
            assertEquals(0, c.memStat(MemStat.GPU_MEM_SUSPENDED));
            assertEquals(suspendable + 4096, c.memStat(MemStat.GPU_MEM_TOTAL));
            assertTrue(v2297.calls().contains("ncclCommSuspend,ncclCommMemStats,ncclCommMemStats,ncclCommResume"), v2297.calls());
        }
    }

    @Test
    void suspendTwice_isNcclsInvalidUsage() {
        try (Communicator c = at(v2297, 22907).initRank(2, 0, id())) {
            c.suspend(Communicator.SUSPEND_MEM);
            NcclException e = assertThrows(NcclException.class, () -> c.suspend(Communicator.SUSPEND_MEM));
            assertEquals(NcclResult.INVALID_USAGE, e.result());
            c.resume();
        }
    }

    @Test
    void suspendResumeAndMemStats_onNccl2292_areRefusedNamingRelease2297() {
        v229.reset(22902, 0, 0);
        NcclVersion since = NcclVersion.of(2, 29, 7);
        assertUnsupported(v229, "ncclCommSuspend", since, c -> c.suspend(Communicator.SUSPEND_MEM));
        assertUnsupported(v229, "ncclCommSuspend", since, Communicator::resume);
        assertUnsupported(v229, "ncclCommMemStats", since, c -> c.memStat(MemStat.GPU_MEM_TOTAL));
    }

    // ncclConfig_t up to 2.30.7, NCCL_CTA_POLICY_ZERO

    private static ByteBuffer lastConfig(StubLibrary lib) {
        return ByteBuffer.wrap(lib.lastConfig()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void config_onNccl2307_isThe2307LayoutWithMaxP2pPeersAndGraphStreamOrdering() {
        InitOptions options = InitOptions.nonBlocking(Duration.ofSeconds(5)).withMaxP2pPeers(8).withGraphStreamOrdering(false);
        try (Communicator c = at(v2297, 23007).initRank(2, 0, id(), options)) {
            ByteBuffer b = lastConfig(v2297);
            assertEquals(96L, b.getLong(0), "sizeof(ncclConfig_v23000) of 2.30.7");
            assertEquals(23007, b.getInt(12), "NCCL 2.30.7 honours graphStreamOrdering only from version 2.30.5 on");
            assertEquals(UNDEF, b.getInt(84), "numRmaCtx");
            assertEquals(8, b.getInt(88), "maxP2pPeers");
            assertEquals(0, b.getInt(92), "graphStreamOrdering");
        }
    }

    @Test
    void config_onNccl2303_hasMaxP2pPeersAndRefusesGraphStreamOrdering() {
        try (Communicator c = at(v2297, 23003).initRank(2, 0, id(), InitOptions.nonBlocking(Duration.ofSeconds(5)).withMaxP2pPeers(1))) {
            ByteBuffer b = lastConfig(v2297);
            assertEquals(96L, b.getLong(0), "92 bytes of members, padded to size_t");
            assertEquals(23003, b.getInt(12), "NCCL honours maxP2pPeers from version 2.30.0 on");
            assertEquals(1, b.getInt(88));
        }
        NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> Nccl.load(v2297.path)
                .initRank(2, 0, id(), InitOptions.blockingInit().withGraphStreamOrdering(true)));
        assertEquals("ncclConfig_t.graphStreamOrdering", e.what());
        assertEquals(NcclVersion.of(2, 30, 7), e.since());
        v2297.reset(22907, 0, 0);
        e = assertThrows(NcclUnsupportedException.class, () -> Nccl.load(v2297.path)
                .initRank(2, 0, id(), InitOptions.blockingInit().withMaxP2pPeers(2)));
        assertEquals(NcclVersion.of(2, 30, 3), e.since());
    }

    @Test
    void ctaPolicyZero_isWrittenFrom2283_andRefusedBefore() {
        try (Communicator c = at(v228, 22803).initRank(2, 0, id(), InitOptions.blockingInit().withCtaPolicy(InitOptions.CTA_POLICY_ZERO))) {
            assertEquals(2, lastConfig(v228).getInt(60), "CTAPolicy");
        }
        v228.reset(22800, 0, 0);
        NcclUnsupportedException e = assertThrows(NcclUnsupportedException.class, () -> Nccl.load(v228.path)
                .initRank(2, 0, id(), InitOptions.blockingInit().withCtaPolicy(InitOptions.CTA_POLICY_ZERO)));
        assertEquals(NcclVersion.of(2, 28, 3), e.since());
        assertTrue(e.getMessage().contains("NCCL_CTA_POLICY_ZERO"), e.getMessage());
    }

    // a release newer than the binding knows

    @Test
    void aReleaseNewerThanKnown_runsWithTheNewestLayouts_andSaysSo() {
        Nccl nccl = at(v2297, 23206);
        assertTrue(nccl.newerThanKnown());
        assertEquals(Optional.of("NCCL 2.32.6, newer than this binding knows (2.30.7)"), nccl.newerThanKnownNote());
        try (Communicator c = nccl.initRank(2, 1, id(), InitOptions.nonBlocking(Duration.ofSeconds(5)).withGraphStreamOrdering(true))) {
            ByteBuffer b = lastConfig(v2297);
            assertEquals(96L, b.getLong(0), "2.30.7's ncclConfig_t, the newest the binding has");
            assertEquals(23007, b.getInt(12));
            assertEquals(1, b.getInt(92));
            c.suspend(Communicator.SUSPEND_MEM);
            c.resume();
        }
        assertFalse(at(v2297, 23007).newerThanKnown());
        assertEquals(Optional.empty(), at(v2297, 23007).newerThanKnownNote());
    }

    @Test
    void newestKnown_isTheNewestReleaseAnyLayoutOrFeatureOfTheBindingNames() {
        NcclVersion newest = Stream.of(
                        Arrays.stream(ConfigField.values()).map(ConfigField::since),
                        Arrays.stream(Feature.values()).map(Feature::since),
                        Stream.of(CommPropertiesLayout.NEWEST))
                .flatMap(s -> s).max(Comparator.naturalOrder()).orElseThrow();
        assertEquals(newest, Nccl.NEWEST_KNOWN);
    }
}
