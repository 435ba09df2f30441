package io.ncclffm.harness.verdict;

import java.util.List;
import java.util.Map;

import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Mismatch;

/**
 * One check of one cell at one world size, merged over all ranks: what the dynamic test asserts, what the grid
 * shows and what the gate counts.
 *
 * @param perRank what each rank reported for a check the ranks ran (by rank); empty for a verdict the harness makes
 *               from the run as a whole (the unique-ID agreement, ranks finished, the cell's start, the perf report)
 * @param cause  why it ended so, where the ranks said (null for a pass); a waived failure keeps the failure's cause
 * @param device whether the check needs a GPU (false for loading, version, the unique ID and the like), so that
 *               the gate can tell a run that checked the GPU path from one that never reached it
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
        Map<Integer, RankResult> perRank,
        Cause cause,
        boolean device,
        WaiverNote waived,
        WaiverNote stale) {

    /**
     * One rank's part in a check: its status and cause as it reported them (or as the merge decided, for a rank that
     * never reported or whose timeout was its peer's death), and its words.
     */
    public record RankResult(CheckStatus status, Cause cause, String message) {
        /** e.g. {@code failed: 1 of 3 elements differ}, as the reports list it. */
        @Override
        public String toString() {
            return status.name().toLowerCase() + ": " + message;
        }
    }

    /**
     * The words a short reason starts from: what the first rank that ended as this verdict did said, for a check the
     * ranks ran; else the verdict's own message.
     */
    public String firstRankMessage() {
        return perRank.values().stream().filter(p -> p.status() == status).map(RankResult::message).findFirst().orElse(message);
    }

    /** A waiver as a verdict carries it: its kind, reason and link, kept apart so nothing has to parse them back. */
    public record WaiverNote(Waiver.Kind kind, String reason, String link) {
        @Override
        public String toString() {
            return kind + ": " + reason + " (" + link + ")";
        }
    }

    public Verdict {
        params = Map.copyOf(params);
        mismatches = List.copyOf(mismatches);
        perRank = Map.copyOf(perRank);
    }

    /** A verdict the harness makes itself (cell start, perf report, fault drill): no ranks, no waiver. */
    public static Verdict of(String checkId, String group, Map<String, String> params, CheckStatus status, Cause cause,
                             String message) {
        return new Verdict(checkId, group, params, status, message, List.of(), Map.of(), cause, false, null, null);
    }

    /** The verdict with another status, cause and message (a mixed pair's clean refusal). */
    Verdict withCause(CheckStatus s, Cause c, String msg) {
        return new Verdict(checkId, group, params, s, msg, mismatches, perRank, c, device, waived, stale);
    }

    /** The verdict with another status, cause and message (a waiver turning a failure into a skip). */
    Verdict withOutcome(CheckStatus s, String msg, WaiverNote waiver, WaiverNote staleWaiver) {
        return new Verdict(checkId, group, params, s, msg, mismatches, perRank, cause, device, waiver, staleWaiver);
    }
}
