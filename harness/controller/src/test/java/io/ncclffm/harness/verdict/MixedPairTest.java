package io.ncclffm.harness.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.launch.WorkerStreams;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * A mixed-release pair's verdicts, from rank outputs through the real codec: a pair that refuses cleanly, one where
 * a rank waited for a peer that had given up and was killed, and the waivers a matrix may set for the latter.
 */
class MixedPairTest {

    private static Cell member(String name, int minor, int patch) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, minor, patch))
                .source(new Cell.HostLibrary("/" + name + ".so"), "/" + name + ".so").worlds(List.of(1, 2))
                .timeout(Duration.ofMinutes(1)).line(1).build();
    }

    private static final Cell PAIR = Cell.builder("mix-2.22.3-2.29.7", Flavor.NCCL, NcclVersion.of(2, 22, 3))
            .source(new Cell.HostLibrary("/a.so"), "/a.so").worlds(List.of(2)).timeout(Duration.ofMinutes(1)).line(9).build()
            .withMix(List.of(member("nccl-2.22.3", 22, 3), member("nccl-2.29.7", 29, 7)));

    private static WorkerEvent check(int rank, String id, CheckStatus s, Cause cause, String msg) {
        return new WorkerEvent.Check(rank, new CheckResult(rank, id, id.split("/")[0], Map.of(), s, msg, 1, List.of(),
                Map.of(), cause));
    }

    private static WorkerEvent plan(int rank) {
        return new WorkerEvent.Plan(rank, java.util.stream.Stream.of("load", "comm-init", "allreduce/a")
                .map(id -> new WorkerEvent.PlannedCheck(id, id.split("/")[0], Map.of(), List.of())).toList());
    }

    /** A rank that loaded its library, then sent {@code events}; finished when {@code ending} says it was done. */
    private static RankOutput rank(int r, RankEnding ending, WorkerEvent... events) {
        return ending.equals(RankEnding.exited(0, true, "done")) ? WorkerStreams.finished(r, events) : WorkerStreams.ended(r, ending, events);
    }

    private static Map<String, Verdict> judge(Matrix m, RankOutput... ranks) {
        return CellVerdicts.of(new CellRun(PAIR, 2, "process", List.of(ranks), Duration.ofSeconds(1), null), m)
                .stream().collect(Collectors.toMap(Verdict::checkId, v -> v));
    }

    /** Rank 0 refused in the bootstrap with NCCL's words; rank 1 waited in init and was killed as hung there. */
    private static RankOutput[] oneSideRefused() {
        return new RankOutput[] {
                rank(0, RankEnding.exited(0, true, "done"), plan(0),
                        check(0, "comm-init", CheckStatus.FAILED, Cause.NCCL_ERROR, "ncclSystemError: Connection refused"),
                        check(0, "allreduce/a", CheckStatus.SKIPPED, Cause.BLOCKED, "no communicator")),
                rank(1, RankEnding.killed(RankEnding.KillReason.HUNG, "hung in comm-init 180 s after rank 0 went on", "comm-init"),
                        plan(1))};
    }

    @Test
    void aPairThatDoesNotRefuseCleanly_failsItsInitAndRanksFinished_andTheChecksAfterAreNotRun() {
        Map<String, Verdict> v = judge(new Matrix(Path.of("m.yaml"), List.of(PAIR), List.of()), oneSideRefused());
        assertEquals(CheckStatus.FAILED, v.get("mixed-pair").status());
        assertTrue(v.get("mixed-pair").message().startsWith("does not refuse cleanly"), v.get("mixed-pair").message());
        assertEquals(CheckStatus.FAILED, v.get("comm-init").status(), v.get("comm-init").message());
        assertTrue(v.get("comm-init").message().startsWith("the mixed pair did not refuse cleanly: "), v.get("comm-init").message());
        assertEquals(CheckStatus.FAILED, v.get(CellVerdicts.RANKS_FINISHED).status(), v.get(CellVerdicts.RANKS_FINISHED).message());
        assertEquals(CheckStatus.SKIPPED, v.get("allreduce/a").status());
        assertEquals(Cause.BLOCKED, v.get("allreduce/a").cause());
        assertEquals(CheckStatus.PASSED, v.get("load").status(), "what passed before init stays passed");
    }

    @Test
    void theMatrixCanWaiveSuchAPair_andEachWaivedVerdictCarriesTheReason() {
        List<Waiver> waivers = java.util.stream.Stream.of("mixed-pair", "comm-init", "ranks-finished")
                .map(c -> new Waiver("mix-2.22.3-*", c, List.of(2), "2.22.3 has no version check", "https://x", Waiver.Kind.KNOWN_GAP, 1))
                .toList();
        Map<String, Verdict> v = judge(new Matrix(Path.of("m.yaml"), List.of(PAIR), waivers), oneSideRefused());
        for (String id : List.of("mixed-pair", "comm-init", CellVerdicts.RANKS_FINISHED)) {
            assertEquals(CheckStatus.SKIPPED, v.get(id).status(), id);
            assertNotNull(v.get(id).waived(), id);
            assertEquals("2.22.3 has no version check", v.get(id).waived().reason());
        }
        assertNull(v.get("load").stale(), "a waiver for named checks leaves the others alone");
    }

    @Test
    void aCleanRefusal_passesThePair_andTurnsInitIntoARefusal() {
        Map<String, Verdict> v = judge(new Matrix(Path.of("m.yaml"), List.of(PAIR), List.of()),
                rank(0, RankEnding.exited(0, true, "done"), plan(0),
                        check(0, "comm-init", CheckStatus.FAILED, Cause.NCCL_ERROR, "Mismatched NCCL version detected")),
                rank(1, RankEnding.exited(0, true, "done"), plan(1),
                        check(1, "comm-init", CheckStatus.FAILED, Cause.NCCL_ERROR, "Mismatched NCCL version detected")));
        assertEquals(CheckStatus.PASSED, v.get("mixed-pair").status());
        assertEquals(Cause.REFUSED_PAIR, v.get("comm-init").cause());
    }
}
