package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.semantics.HostReduction;
import io.ncclffm.harness.worker.CommStateChecks.MemSnapshot;

/**
 * The properties and suspend/resume checks can fail: every wrong answer a library or the binding could give (a rank,
 * world or device other than the cell's; a suspend that releases nothing, a flag that never flips or never flips
 * back, memory that comes back other than it went; a stale result after the resume) turns the judgement red. Against
 * the stub with NCCL 2.29.7's functions, the bodies pass through the real binding; on an older release the catalog's
 * requirements skip them naming the release they need.
 */
class CommStateModelTest {

    private static final long MIB = 1 << 20;
    private static final MemSnapshot BEFORE = new MemSnapshot(8 * MIB, 0, 2 * MIB, 10 * MIB);
    private static final MemSnapshot SUSPENDED = new MemSnapshot(8 * MIB, 1, 2 * MIB, 10 * MIB);
    private static final MemSnapshot RESUMED = BEFORE;

    @Test
    void properties_agreeingWithTheCell_pass_andEachWrongFieldIsNamed() {
        assertNull(CommStateChecks.propertiesMismatch(1, 2, 0, 1, 2, 0));
        assertTrue(CommStateChecks.propertiesMismatch(1, 2, 0, 0, 2, 0).contains("rank 0, expected 1"));
        assertTrue(CommStateChecks.propertiesMismatch(0, 2, 0, 0, 1, 0).contains("nRanks 1, expected 2"));
        assertTrue(CommStateChecks.propertiesMismatch(0, 1, 3, 0, 1, 0).contains("cudaDev 0, expected device 3"));
        assertNotNull(CommStateChecks.propertiesMismatch(0, 1, 0, 1, 0, 1), "all three wrong");
    }

    @Test
    void memory_releasedAndRegainedAsNcclCountsIt_passes() {
        Outcome o = CommStateChecks.memoryVerdict(BEFORE, SUSPENDED, RESUMED, false);
        assertEquals(CheckStatus.PASSED, o.status(), o.message());
        assertEquals("0 -> 1 -> 0", o.data().get("suspendedFlag"));
        assertEquals(Long.toString(8 * MIB), o.data().get("suspendableBytes"));
    }

    @Test
    void memory_everyWayOfNotReleasingOrNotRegaining_fails() {
        assertFailed(CommStateChecks.memoryVerdict(BEFORE, BEFORE, RESUMED, false), "after ncclCommSuspend, not 1");
        assertFailed(CommStateChecks.memoryVerdict(BEFORE, SUSPENDED, SUSPENDED, false), "after ncclCommResume, not 0");
        MemSnapshot nothing = new MemSnapshot(0, 0, 2 * MIB, 2 * MIB);
        assertFailed(CommStateChecks.memoryVerdict(nothing, new MemSnapshot(0, 1, 2 * MIB, 2 * MIB), nothing, false),
                "tracks no memory a suspend releases");
        assertFailed(CommStateChecks.memoryVerdict(SUSPENDED, SUSPENDED, RESUMED, false), "before the suspend");
        assertFailed(CommStateChecks.memoryVerdict(BEFORE, new MemSnapshot(4 * MIB, 1, 2 * MIB, 6 * MIB), RESUMED, false),
                "changed under the suspend");
        assertFailed(CommStateChecks.memoryVerdict(BEFORE, SUSPENDED, new MemSnapshot(4 * MIB, 0, 2 * MIB, 6 * MIB), false),
                "other memory than before");
    }

    @Test
    void memory_withCuMemTurnedOffByTheCell_isSkippedSayingSo_butOnlyWhenNothingIsTracked() {
        MemSnapshot none = new MemSnapshot(0, 0, 0, 0);
        Outcome o = CommStateChecks.memoryVerdict(none, new MemSnapshot(0, 1, 0, 0), none, true);
        assertEquals(CheckStatus.SKIPPED, o.status());
        assertEquals(Cause.NOT_CONFIGURED, o.cause());
        assertTrue(o.message().contains("NCCL_CUMEM_ENABLE=0"), o.message());
        assertEquals(CheckStatus.FAILED, CommStateChecks.memoryVerdict(none, none, none, false).status());
        assertFailed(CommStateChecks.memoryVerdict(BEFORE, BEFORE, RESUMED, true), "not 1");
    }

    private static void assertFailed(Outcome o, String why) {
        assertEquals(CheckStatus.FAILED, o.status(), o.message());
        assertTrue(o.message().contains(why), o.message());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void theSumAfterResume_differsFromTheOneBefore_soAStaleResultFails(int world) {
        int count = CommStateChecks.COUNT;
        List<byte[]> first = UserFeatureChecks.inputs(DataType.FLOAT32, world, count);
        List<byte[]> after = CommStateChecks.inputsAfterResume(world);
        assertFalse(Arrays.equals(HostReduction.allReduce(DataType.FLOAT32, ReduceOp.SUM, first, count),
                HostReduction.allReduce(DataType.FLOAT32, ReduceOp.SUM, after, count)));
    }

    // Through the binding, against the stub.

    private static RankSession session(StubNcclLibrary stub, int versionCode) {
        RankSession s = new RankSession(WorkerSessions.config());
        s.nccl = stub.load(versionCode);
        s.uniqueId = s.nccl.newUniqueId();
        s.comm = s.initCommunicator(1, 0, s.uniqueId);
        return s;
    }

    @Test
    void properties_onTheStubOf2307_passWithTheCellsRankWorldAndDevice() throws Exception {
        RankSession s = session(StubNcclLibrary.withNccl2297(), 23007);
        try {
            Outcome o = CommStateChecks.properties(s);
            assertEquals(CheckStatus.PASSED, o.status(), o.message());
            assertEquals("2.30.7", o.data().get("layout"));
            assertEquals("1", o.data().get("nRanks"));
        } finally {
            s.comm.close();
        }
    }

    @Test
    void suspendAndResume_onTheStubOf2297_releaseAndRegainThroughTheBinding() throws Exception {
        StubNcclLibrary stub = StubNcclLibrary.withNccl2297();
        RankSession s = session(stub, 22907);
        try {
            Outcome o = CommStateChecks.suspendAndResume(s.comm, false);
            assertEquals(CheckStatus.PASSED, o.status(), o.message());
            assertEquals(Long.toString(MIB), o.data().get("suspendableBytes"));
            assertTrue(stub.calls().matches(".*ncclCommSuspend,(ncclCommMemStats,){4}ncclCommResume,.*"), stub.calls());
        } finally {
            s.comm.close();
        }
    }

    @Test
    void onNccl2283_bothChecksAreSkippedNamingTheReleaseTheyNeed() throws Exception {
        WorkerConfig config = WorkerSessions.config();
        var nccl = StubNcclLibrary.get().load(22803);
        Gap props = Capabilities.releaseGap(nccl, CheckCatalog.entry(CheckKey.UserFeature.PROPERTIES, config).planned().requirements());
        Gap suspend = Capabilities.releaseGap(nccl, CheckCatalog.entry(CheckKey.UserFeature.SUSPEND_RESUME, config).planned().requirements());
        assertEquals(Cause.RELEASE_GAP, props.cause());
        assertEquals("ncclCommQueryProperties needs NCCL >= 2.29.2; library is NCCL 2.28.3", props.reason());
        assertEquals("ncclCommSuspend/ncclCommResume need NCCL >= 2.29.7; library is NCCL 2.28.3", suspend.reason());
    }
}
