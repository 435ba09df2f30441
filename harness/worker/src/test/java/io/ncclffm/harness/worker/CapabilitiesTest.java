package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.protocol.WorkerConfig;

/** Why a planned check cannot run, from the requirements it was planned with, against the stub library. */
class CapabilitiesTest {

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    private static RankSession session(int versionCode) {
        RankSession s = new RankSession(WorkerConfig.fromEnvironment(Map.of(WorkerConfig.RANK, "0", WorkerConfig.WORLD, "1")));
        s.nccl = stub.load(versionCode);
        return s;
    }

    /** The worker's own plan, so that the test sees the requirements every check is planned with. */
    private static CheckSpec planned(RankSession s, String id) {
        CheckBodies bodies = new CheckBodies(s);
        return CheckCatalog.plan(s.config).stream().filter(e -> e.id().equals(id)).findFirst().map(bodies::spec)
                .orElseThrow(() -> new AssertionError("not planned: " + id));
    }

    @Test
    void withoutGpu_aTypeTheReleaseLacks_isAReleaseGap() {
        RankSession s = session(22203);
        assertEquals(new Gap(Cause.RELEASE_GAP, "float8e4m3 needs NCCL >= 2.24.0; library is NCCL 2.22.3"),
                Capabilities.withoutGpu(s, planned(s, "allreduce/float8e4m3/sum/1021/out-of-place")));
    }

    @Test
    void withoutGpu_aFunctionTheReleaseLacks_namesEveryAcceptedName() {
        RankSession s = session(22203);
        assertEquals(new Gap(Cause.RELEASE_GAP, "ncclAlltoAll or ncclAllToAll needs NCCL >= 2.28.0; library is NCCL 2.22.3"),
                Capabilities.withoutGpu(s, planned(s, "alltoall/float32")));
    }

    @Test
    void withoutGpu_whatTheReleaseHas_needsAGpu() {
        RankSession s = session(22203);
        Gap noGpu = new Gap(Cause.NO_GPU, "needs a GPU: the cell assigns none");
        assertEquals(noGpu, Capabilities.withoutGpu(s, planned(s, "sendrecv/float32")));
        assertEquals(noGpu, Capabilities.withoutGpu(s, planned(s, "allreduce/bfloat16/avg/1/in-place")));
        assertEquals(noGpu, Capabilities.withoutGpu(s, planned(s, "abort-hung-init")));
    }

    @Test
    void withoutGpu_onAnOldRelease_namesTheOperatorAndGraphGaps() {
        RankSession s = session(2804);
        assertEquals(new Gap(Cause.RELEASE_GAP, "avg needs NCCL >= 2.10.0; library is NCCL 2.8.4"),
                Capabilities.withoutGpu(s, planned(s, "allreduce/float32/avg/1/out-of-place")));
        assertEquals(new Gap(Cause.RELEASE_GAP, "capturing NCCL collectives in CUDA graphs needs NCCL >= 2.9.0; library is NCCL 2.8.4"),
                Capabilities.withoutGpu(s, planned(s, "graph/allreduce/float32/sum/1021")));
        assertEquals(new Gap(Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10.0; library is NCCL 2.8.4"),
                Capabilities.withoutGpu(s, planned(s, "broadcast/bfloat16")));
    }

    @Test
    void withoutGpu_readsRequirementsNotTheCheckId() {
        RankSession s = session(22203);
        CheckSpec unnamed = CheckSpec.of("x", "x", Map.of(), List.of(Requirement.function(Feature.ALL_TO_ALL)), () -> null);
        assertEquals(Cause.RELEASE_GAP, Capabilities.withoutGpu(s, unnamed).cause());
        CheckSpec misleadingId = CheckSpec.of("alltoall/float32", "alltoall", Map.of(), List.of(), () -> null);
        assertEquals(Cause.NO_GPU, Capabilities.withoutGpu(s, misleadingId).cause());
    }

    @Test
    void gap_withAGpu_isTheReleaseGap_orNoneWhenItCanRun() {
        RankSession s = session(22203);
        assertEquals(Cause.RELEASE_GAP, Capabilities.gap(s, planned(s, "reduce/float8e5m2/max")).cause());
        assertNull(Capabilities.gap(s, planned(s, "reduce/float32/max")));
        assertNull(Capabilities.gap(s, CheckSpec.of("x", "x", Map.of(), List.of(Requirement.type(DataType.INT8)), () -> null)));
    }
}
