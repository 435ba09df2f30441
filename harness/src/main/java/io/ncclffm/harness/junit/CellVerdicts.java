package io.ncclffm.harness.junit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.model.CheckResult;
import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.Mismatch;
import io.ncclffm.harness.model.WorkerEvent;

/**
 * Merges what every rank reported into one verdict per check, and adds the checks only the harness can make
 * (the unique-ID fingerprints agree across ranks; every rank finished). Rules:
 * <ul>
 *   <li>a check a rank planned but never reported is broken, with how that rank ended;</li>
 *   <li>across ranks the worst status wins (broken, failed, skipped, passed);</li>
 *   <li>a timeout on a rank whose peer died is the peer's death, so it is broken, not failed;</li>
 *   <li>a failure a waiver covers becomes skipped with the waiver's reason and link; a waived check that passed
 *       stays passed and the waiver is flagged stale.</li>
 * </ul>
 */
public final class CellVerdicts {

    public static final String UNIQUE_ID_AGREEMENT = "unique-id-agreement";
    public static final String RANKS_FINISHED = "ranks-finished";
    public static final String CELL_START = "cell-start";

    private CellVerdicts() {
    }

    public static List<Verdict> of(CellRun run, Matrix matrix) {
        List<Verdict> verdicts = new ArrayList<>();
        if (run.infrastructureFailed() && run.ranks().stream().allMatch(r -> r.events().isEmpty())) {
            verdicts.add(new Verdict(CELL_START, "cell-start", Map.of("world", Integer.toString(run.world())),
                    CheckStatus.BROKEN, run.infraFailure(), List.of(), Map.of(), null, null));
            return verdicts;
        }
        String deadPeer = firstAbnormalEnding(run);
        Map<String, WorkerEvent.PlannedCheck> planned = new LinkedHashMap<>();
        Map<String, Map<Integer, CheckResult>> reported = new LinkedHashMap<>();
        Map<String, Set<Integer>> plannedBy = new LinkedHashMap<>();
        for (RankOutput rank : run.ranks()) {
            for (WorkerEvent e : rank.events()) {
                if (e instanceof WorkerEvent.Check c) {
                    planned.putIfAbsent(c.result().id(), new WorkerEvent.PlannedCheck(c.result().id(), c.result().group(), c.result().params()));
                    plannedBy.computeIfAbsent(c.result().id(), k -> new LinkedHashSet<>()).add(rank.rank());
                    reported.computeIfAbsent(c.result().id(), k -> new TreeMap<>()).put(rank.rank(), c.result());
                } else if (e instanceof WorkerEvent.Plan p) {
                    for (WorkerEvent.PlannedCheck pc : p.checks()) {
                        planned.putIfAbsent(pc.id(), pc);
                        plannedBy.computeIfAbsent(pc.id(), k -> new LinkedHashSet<>()).add(rank.rank());
                    }
                }
            }
        }
        for (var entry : planned.entrySet()) {
            String id = entry.getKey();
            verdicts.add(merge(run, matrix, entry.getValue(), plannedBy.get(id), reported.getOrDefault(id, Map.of()), deadPeer));
        }
        verdicts.add(uniqueIdAgreement(run, reported.getOrDefault("unique-id", Map.of())));
        verdicts.add(ranksFinished(run));
        return verdicts;
    }

    private static Verdict merge(CellRun run, Matrix matrix, WorkerEvent.PlannedCheck pc, Set<Integer> ranks,
                                 Map<Integer, CheckResult> results, String deadPeer) {
        CheckStatus status = CheckStatus.PASSED;
        Map<Integer, String> perRank = new TreeMap<>();
        List<Mismatch> mismatches = new ArrayList<>();
        for (int r : ranks) {
            CheckResult res = results.get(r);
            CheckStatus s;
            String msg;
            if (res == null) {
                s = CheckStatus.BROKEN;
                msg = "never reported: the rank " + run.ranks().get(r).ending();
            } else {
                s = res.status();
                msg = res.message();
                if (s == CheckStatus.FAILED && deadPeer != null && msg != null && msg.startsWith("timed out")) {
                    s = CheckStatus.BROKEN;
                    msg = msg + " (caused by " + deadPeer + ")";
                }
                if (mismatches.isEmpty()) mismatches.addAll(res.mismatches());
            }
            perRank.put(r, s.name().toLowerCase() + ": " + msg);
            status = status.worse(s);
        }
        String message = summarize(status, perRank, ranks.size());
        Map<String, String> params = new LinkedHashMap<>(pc.params());
        params.putIfAbsent("world", Integer.toString(run.world()));
        String waived = null;
        String stale = null;
        Optional<Waiver> w = matrix.waiverFor(run.cell().name(), run.world(), pc.id());
        if (w.isPresent()) {
            Waiver waiver = w.get();
            String text = waiver.kind() + ": " + waiver.reason() + " (" + waiver.link() + ")";
            if (status == CheckStatus.FAILED) {
                waived = text;
                status = CheckStatus.SKIPPED;
                message = "WAIVED " + text + "; it failed with: " + message;
            } else if (status == CheckStatus.PASSED) {
                stale = text;
            }
        }
        return new Verdict(pc.id(), pc.group(), params, status, message, mismatches, perRank, waived, stale);
    }

    private static String summarize(CheckStatus status, Map<Integer, String> perRank, int n) {
        if (status == CheckStatus.PASSED) {
            String first = perRank.values().iterator().next();
            return first.substring(first.indexOf(": ") + 2) + (n > 1 ? " (all " + n + " ranks)" : "");
        }
        StringBuilder sb = new StringBuilder();
        String statusName = status.name().toLowerCase();
        perRank.forEach((r, m) -> {
            if (m.startsWith(statusName)) {
                if (!sb.isEmpty()) sb.append("; ");
                sb.append("rank ").append(r).append(": ").append(m.substring(m.indexOf(": ") + 2));
            }
        });
        return sb.toString();
    }

    private static Verdict uniqueIdAgreement(CellRun run, Map<Integer, CheckResult> results) {
        Map<Integer, String> fingerprints = new TreeMap<>();
        for (RankOutput r : run.ranks()) {
            CheckResult res = results.get(r.rank());
            fingerprints.put(r.rank(), res == null ? null : res.data().get("fingerprint"));
        }
        Map<String, String> params = Map.of("world", Integer.toString(run.world()));
        Map<Integer, String> perRank = new TreeMap<>();
        fingerprints.forEach((r, f) -> perRank.put(r, String.valueOf(f)));
        if (fingerprints.containsValue(null)) {
            return new Verdict(UNIQUE_ID_AGREEMENT, "unique-id", params, CheckStatus.BROKEN,
                    "not every rank reported the fingerprint of its unique ID: " + fingerprints, List.of(), perRank, null, null);
        }
        Set<String> distinct = new LinkedHashSet<>(fingerprints.values());
        if (distinct.size() != 1) {
            return new Verdict(UNIQUE_ID_AGREEMENT, "unique-id", params, CheckStatus.FAILED,
                    "ranks used different unique IDs: " + fingerprints, List.of(), perRank, null, null);
        }
        return new Verdict(UNIQUE_ID_AGREEMENT, "unique-id", params, CheckStatus.PASSED,
                "all " + run.world() + " rank(s) used the ID with fingerprint " + distinct.iterator().next(), List.of(), perRank, null, null);
    }

    private static Verdict ranksFinished(CellRun run) {
        Map<Integer, String> perRank = new TreeMap<>();
        boolean allDone = true;
        for (RankOutput r : run.ranks()) {
            perRank.put(r.rank(), r.ending());
            allDone &= r.sawDone() && r.exitCode() != null;
        }
        Map<String, String> params = Map.of("world", Integer.toString(run.world()));
        if (allDone && run.infraFailure() == null) {
            return new Verdict(RANKS_FINISHED, "ranks-finished", params, CheckStatus.PASSED,
                    "every rank finished its checks and exited: " + perRank, List.of(), perRank, null, null);
        }
        StringBuilder sb = new StringBuilder(run.infraFailure() != null ? run.infraFailure() + "; " : "");
        perRank.forEach((r, e) -> sb.append("rank ").append(r).append(' ').append(e).append("; "));
        return new Verdict(RANKS_FINISHED, "ranks-finished", params, CheckStatus.BROKEN, sb.toString().strip(),
                List.of(), perRank, null, null);
    }

    private static String firstAbnormalEnding(CellRun run) {
        for (RankOutput r : run.ranks()) {
            if (!r.sawDone()) return "rank " + r.rank() + " " + r.ending();
        }
        return null;
    }
}
