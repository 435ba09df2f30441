package io.ncclffm.harness.junit;

import java.util.List;
import java.util.Map;

import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.Mismatch;

/**
 * One check of one cell at one world size, merged over all ranks: what the dynamic test asserts and what the
 * grid shows.
 *
 * @param waived the waiver's reason and link when a failure was waived (status is then SKIPPED), else null
 * @param stale  a waiver that no longer applies because the check passed, else null
 */
public record Verdict(
        String checkId,
        String group,
        Map<String, String> params,
        CheckStatus status,
        String message,
        List<Mismatch> mismatches,
        Map<Integer, String> perRank,
        String waived,
        String stale) {

    public Verdict {
        params = Map.copyOf(params);
        mismatches = List.copyOf(mismatches);
        perRank = Map.copyOf(perRank);
    }
}
