package io.ncclffm.harness.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;

/**
 * The rolling-upgrade question for a mixed-release cell: ranks on different releases either work together, or
 * refuse cleanly, every rank with NCCL's own error, within their timeouts. A pair where one side is refused and
 * the other waits out its timeout, where no side gets an answer, or that forms and then computes wrong values, is
 * a defect of that pair. The answer is one more verdict, {@value CellVerdicts#MIXED_PAIR}; a clean refusal turns
 * the failed init into a not-run {@link Cause#REFUSED_PAIR}. A pair that does not refuse cleanly fails its init
 * (and, where a rank waiting for its peer was killed, its ranks-finished) with the ranks' words, instead of
 * breaking them; the checks after init, which never had a communicator, are not run. So the matrix can waive a pair
 * NCCL cannot run (its mixed-pair, comm-init and ranks-finished), and every other outcome stays loud.
 */
final class MixedPair {

    private MixedPair() {
    }

    static List<Verdict> judge(CellRun run, List<Verdict> verdicts, Map<Integer, CheckResult> inits) {
        List<Verdict> out = new ArrayList<>();
        Map<String, String> params = Map.of("world", Integer.toString(run.world()),
                "releases", run.cell().displayVersion());
        Map<Integer, Verdict.RankResult> perRank = new TreeMap<>();
        inits.forEach((r, c) -> perRank.put(r, new Verdict.RankResult(c.status(), c.cause(), c.message())));
        boolean formed = !inits.isEmpty() && inits.size() == run.world()
                && inits.values().stream().allMatch(c -> c.status() == CheckStatus.PASSED);
        boolean refusedCleanly = inits.size() == run.world()
                && inits.values().stream().allMatch(c -> c.status() == CheckStatus.FAILED && c.cause() == Cause.NCCL_ERROR);
        Verdict pair;
        if (refusedCleanly) {
            pair = new Verdict(CellVerdicts.MIXED_PAIR, CellVerdicts.MIXED_PAIR, params, CheckStatus.PASSED,
                    "refuses cleanly: " + words(inits), List.of(), perRank, null, false, null, null);
        } else if (formed) {
            List<Verdict> bad = verdicts.stream().filter(v -> v.status() == CheckStatus.FAILED).toList();
            pair = bad.isEmpty()
                    ? new Verdict(CellVerdicts.MIXED_PAIR, CellVerdicts.MIXED_PAIR, params, CheckStatus.PASSED,
                            "works: the communicator formed and " + verdicts.stream().filter(v -> v.status() == CheckStatus.PASSED).count()
                                    + " checks passed", List.of(), perRank, null, false, null, null)
                    : new Verdict(CellVerdicts.MIXED_PAIR, CellVerdicts.MIXED_PAIR, params, CheckStatus.FAILED,
                            "forms a communicator but " + bad.size() + " check(s) failed, first " + bad.getFirst().checkId() + ": "
                                    + bad.getFirst().message(), List.of(), perRank, Cause.WRONG_VALUES, false, null, null);
        } else if (inits.isEmpty()) {
            pair = new Verdict(CellVerdicts.MIXED_PAIR, CellVerdicts.MIXED_PAIR, params, CheckStatus.SKIPPED,
                    "no rank reached communicator init", List.of(), perRank, Cause.BLOCKED, false, null, null);
        } else {
            pair = new Verdict(CellVerdicts.MIXED_PAIR, CellVerdicts.MIXED_PAIR, params, CheckStatus.FAILED,
                    "does not refuse cleanly: " + words(inits), List.of(), perRank,
                    inits.values().stream().anyMatch(c -> c.cause() == Cause.TIMEOUT) ? Cause.TIMEOUT : Cause.OTHER_FAILURE,
                    false, null, null);
        }
        boolean unclean = !refusedCleanly && !formed && !inits.isEmpty();
        boolean afterInit = false;
        for (Verdict v : verdicts) {
            boolean init = v.checkId().equals(CellVerdicts.COMM_INIT);
            if (refusedCleanly && init) {
                out.add(v.withCause(CheckStatus.SKIPPED, Cause.REFUSED_PAIR, "the mixed pair refused to form a communicator: " + v.message()));
            } else if (unclean && (init || v.checkId().equals(CellVerdicts.RANKS_FINISHED)) && v.status() == CheckStatus.BROKEN) {
                // A rank killed while it waited for a peer that had given up is how this pair fails, not the
                // harness's breakage: the pair's defect, shown (and waivable) as a failure with the rank's words.
                out.add(v.withCause(CheckStatus.FAILED, pair.cause(), "the mixed pair did not refuse cleanly: " + v.message()));
            } else if (unclean && afterInit && !v.checkId().equals(CellVerdicts.RANKS_FINISHED)
                    && !v.checkId().equals(CellVerdicts.UNIQUE_ID_AGREEMENT) && !v.checkId().equals(CellVerdicts.RANK_EVENTS)
                    && v.status() != CheckStatus.PASSED) {
                out.add(v.withCause(CheckStatus.SKIPPED, Cause.BLOCKED,
                        "not run: the mixed pair formed no communicator (" + CellVerdicts.MIXED_PAIR + " says how it ended)"));
            } else {
                out.add(v);
            }
            afterInit |= init;
        }
        out.add(pair);
        return out;
    }

    private static String words(Map<Integer, CheckResult> inits) {
        StringBuilder sb = new StringBuilder();
        inits.forEach((r, c) -> {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append("rank ").append(r).append(": ").append(c.status() == CheckStatus.PASSED ? "formed" : c.message());
        });
        return sb.toString();
    }
}
