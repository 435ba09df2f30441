package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.Verdict;

class CompatibilityGridTest {

    private static Verdict fromRanks(CheckStatus status, Cause cause, String summary, Map<Integer, Verdict.RankResult> perRank) {
        return new Verdict("allreduce/bfloat16/sum/1/in-place", "allreduce bfloat16", Map.of(), status, summary, List.of(),
                perRank, cause, true, null, null);
    }

    @Test
    void aSkippedFamily_showsTheFirstSkippedRanksOwnWords_cutAtItsFirstClause() {
        Map<Integer, Verdict.RankResult> ranks = new TreeMap<>();
        ranks.put(0, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10; library is NCCL 2.8.4"));
        ranks.put(1, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10; library is NCCL 2.8.4"));
        Verdict v = fromRanks(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "rank 0: bfloat16 needs ...; rank 1: bfloat16 needs ...", ranks);
        assertEquals("skipped: bfloat16 needs NCCL >= 2.10", CompatibilityGrid.entry(List.of(v)).text());
    }

    @Test
    void theRankThatEndedAsTheVerdict_speaks_notTheFirstRank() {
        Map<Integer, Verdict.RankResult> ranks = new TreeMap<>();
        ranks.put(0, new Verdict.RankResult(CheckStatus.PASSED, null, "sum matches"));
        ranks.put(1, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.DEVICE_GAP, "float8 reductions need sm_90 or newer; device is sm_80"));
        Verdict skipped = fromRanks(CheckStatus.SKIPPED, Cause.DEVICE_GAP, "rank 1: float8 ...", ranks);
        Verdict passed = fromRanks(CheckStatus.PASSED, null, "sum matches", Map.of(0, new Verdict.RankResult(CheckStatus.PASSED, null, "ok")));
        assertEquals("✓ 1, 1 skipped (float8 reductions need sm_90 or newer)", CompatibilityGrid.entry(List.of(passed, skipped)).text());
    }

    @Test
    void aVerdictOfTheWholeRun_showsItsOwnMessage() {
        Verdict start = Verdict.of("cell-start", "cell-start", Map.of("world", "1"), CheckStatus.SKIPPED, Cause.NOT_STARTED,
                "Docker is not available; nothing ran");
        assertEquals("skipped: Docker is not available", CompatibilityGrid.entry(List.of(start)).text());
    }
}
