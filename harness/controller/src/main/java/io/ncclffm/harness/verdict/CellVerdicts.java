package io.ncclffm.harness.verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.Waiver;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.UniqueIdFingerprint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Merges what every rank reported into one verdict per check, and adds the checks only the harness can make
 * (the unique-ID fingerprints agree across ranks; every rank finished). Rules:
 * <ul>
 *   <li>every rank reports {@code load}; a check a rank planned but never reported is broken, with how that rank
 *       ended;</li>
 *   <li>a rank that ran another file than the one the matrix pins ({@link Cell#pinnedSha256()}) is broken in every
 *       check it took part in, its load naming both hashes;</li>
 *   <li>a rank whose events do not add up ({@link RankReconciliation}: a line on its event pipe that is no event, a
 *       check reported twice or never planned, counts or an exit status its results contradict) is broken in every
 *       check it took part in, and {@value #RANK_EVENTS} says why;</li>
 *   <li>across ranks the worst status wins (broken, failed, skipped, passed);</li>
 *   <li>a timeout on a rank whose peer died is the peer's death, so it is broken, not failed; a rank killed
 *       because a peer hung did not die of its own accord, so it is no such peer;</li>
 *   <li>a rank that said a call did not return ({@link WorkerEvent.Hung}) reported the check it hung in as a timeout
 *       that names the call; {@value #RANKS_FINISHED} names the call too;</li>
 *   <li>a check is a device check unless it is one of {@link #HOST_GROUPS}, which need no GPU;</li>
 *   <li>a failure a waiver covers becomes skipped with the waiver's reason and link; a waived check that passed
 *       stays passed and the waiver is flagged stale.</li>
 * </ul>
 */
public final class CellVerdicts {

    public static final String UNIQUE_ID_AGREEMENT = "unique-id-agreement";
    public static final String RANKS_FINISHED = "ranks-finished";
    /** The check that every rank's events add up ({@link RankReconciliation}). */
    public static final String RANK_EVENTS = "rank-events";
    public static final String CELL_START = "cell-start";
    public static final String MIXED_PAIR = "mixed-pair";
    /** The check, and its group, that a rank's communicator was made and is right. */
    public static final String COMM_INIT = CheckGroup.COMM_INIT;

    /** Check families that need no GPU: loading, version, error strings, the unique ID, and the harness's own. */
    public static final Set<String> HOST_GROUPS = union(CheckGroup.HOST, Set.of(CELL_START, RANKS_FINISHED, RANK_EVENTS, MIXED_PAIR));

    private CellVerdicts() {
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    public static List<Verdict> of(CellRun run, Matrix matrix) {
        List<Verdict> verdicts = new ArrayList<>();
        if (run.infrastructureFailed() && run.ranks().stream().allMatch(r -> r.events().isEmpty())) {
            verdicts.add(Verdict.of(CELL_START, CELL_START, Map.of("world", Integer.toString(run.world())),
                    CheckStatus.BROKEN, Cause.INFRASTRUCTURE, run.infraFailure()));
            return verdicts;
        }
        String deadPeer = firstAbnormalEnding(run);
        Map<Integer, List<String>> problems = new TreeMap<>();
        Map<Integer, String> notPinned = new TreeMap<>();
        Map<String, WorkerEvent.PlannedCheck> planned = new LinkedHashMap<>();
        Map<String, Map<Integer, CheckResult>> reported = new LinkedHashMap<>();
        Map<String, Set<Integer>> plannedBy = new LinkedHashMap<>();
        for (RankOutput rank : run.ranks()) {
            List<String> wrong = RankReconciliation.problems(rank, run.cell().mode() == WorkerConfig.Mode.CHECK);
            if (!wrong.isEmpty()) problems.put(rank.rank(), wrong);
            String mismatch = pinMismatch(rank, run.cell().forRank(rank.rank()).pinnedSha256());
            if (mismatch != null) notPinned.put(rank.rank(), mismatch);
            // Every rank reports load, before anything else it plans: a rank that never does is broken in it.
            planned.putIfAbsent(RankReconciliation.LOAD, new WorkerEvent.PlannedCheck(RankReconciliation.LOAD, RankReconciliation.LOAD,
                    Map.of(), List.of()));
            plannedBy.computeIfAbsent(RankReconciliation.LOAD, k -> new LinkedHashSet<>()).add(rank.rank());
            // A rank whose load passed owes every check its configuration calls for, whatever plan it sent.
            if (rank.expected() instanceof CheckCatalog.Expected.Planned due && loadPassed(rank)) {
                for (WorkerEvent.PlannedCheck pc : due.checks()) {
                    planned.putIfAbsent(pc.id(), pc);
                    plannedBy.computeIfAbsent(pc.id(), k -> new LinkedHashSet<>()).add(rank.rank());
                }
            }
            for (WorkerEvent e : rank.events()) {
                if (e instanceof WorkerEvent.Check c) {
                    planned.putIfAbsent(c.result().id(), new WorkerEvent.PlannedCheck(c.result().id(), c.result().group(), c.result().params(), List.of()));
                    plannedBy.computeIfAbsent(c.result().id(), k -> new LinkedHashSet<>()).add(rank.rank());
                    // The first report counts; a second one is a problem of the rank's stream, never a correction.
                    reported.computeIfAbsent(c.result().id(), k -> new TreeMap<>()).putIfAbsent(rank.rank(), c.result());
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
            verdicts.add(merge(run, matrix, entry.getValue(), plannedBy.get(id), reported.getOrDefault(id, Map.of()), deadPeer,
                    problems, notPinned));
        }
        verdicts.add(uniqueIdAgreement(run, reported.getOrDefault(CheckGroup.UNIQUE_ID, Map.of())));
        verdicts.add(ranksFinished(run));
        verdicts.add(rankEvents(run, problems));
        if (run.cell().mixed()) {
            // The pair's own verdicts (and the checks its judgement turned into failures) meet the waivers too.
            return MixedPair.judge(run, verdicts, reported.getOrDefault(COMM_INIT, Map.of())).stream()
                    .map(v -> v.waived() != null || v.stale() != null ? v : waive(matrix, run, v)).toList();
        }
        return verdicts;
    }

    private static Verdict merge(CellRun run, Matrix matrix, WorkerEvent.PlannedCheck pc, Set<Integer> ranks,
                                 Map<Integer, CheckResult> results, String deadPeer, Map<Integer, List<String>> problems,
                                 Map<Integer, String> notPinned) {
        Map<Integer, Verdict.RankResult> parts = new TreeMap<>();
        List<Mismatch> mismatches = new ArrayList<>();
        for (int r : ranks) {
            CheckResult res = results.get(r);
            if (problems.containsKey(r)) {
                parts.put(r, new Verdict.RankResult(CheckStatus.BROKEN, Cause.INFRASTRUCTURE, "rank " + r
                        + "'s events cannot be trusted (" + problems.get(r).getFirst() + ")"
                        + (res == null ? "" : "; it reported " + res.status().name().toLowerCase() + ": " + res.message())));
                continue;
            }
            if (notPinned.containsKey(r)) {
                parts.put(r, new Verdict.RankResult(CheckStatus.BROKEN, Cause.INFRASTRUCTURE, notPinned.get(r)
                        + (res == null ? "" : "; it reported " + res.status().name().toLowerCase() + ": " + res.message())));
                continue;
            }
            if (res == null) {
                parts.put(r, new Verdict.RankResult(CheckStatus.BROKEN, Cause.INFRASTRUCTURE,
                        "never reported: the rank " + run.ranks().get(r).ending()));
                continue;
            }
            if (res.status() == CheckStatus.FAILED && deadPeer != null && res.cause() == Cause.TIMEOUT) {
                parts.put(r, new Verdict.RankResult(CheckStatus.BROKEN, Cause.INFRASTRUCTURE, res.message() + " (caused by " + deadPeer + ")"));
            } else {
                parts.put(r, new Verdict.RankResult(res.status(), res.cause(), res.message()));
            }
            if (mismatches.isEmpty()) mismatches.addAll(res.mismatches());
        }
        CheckStatus status = CheckStatus.PASSED;
        for (Verdict.RankResult p : parts.values()) status = status.worse(p.status());
        CheckStatus worst = status;
        Cause cause = parts.values().stream().filter(p -> p.status() == worst).map(Verdict.RankResult::cause).filter(Objects::nonNull)
                .findFirst().orElse(null);
        String message = summarize(status, parts);
        Map<String, String> params = new LinkedHashMap<>(pc.params());
        params.putIfAbsent("world", Integer.toString(run.world()));
        Verdict v = new Verdict(pc.id(), pc.group(), params, status, message, mismatches, parts,
                status == CheckStatus.PASSED ? null : cause, !HOST_GROUPS.contains(pc.group()), null, null);
        return waive(matrix, run, v);
    }

    /**
     * The verdict under the matrix's waiver for it, if any: a failure becomes a waived skip with the waiver's
     * reason, a pass keeps its status and flags the waiver as stale; anything else stays as it is.
     */
    private static Verdict waive(Matrix matrix, CellRun run, Verdict v) {
        Optional<Waiver> w = matrix.waiverFor(run.cell().name(), run.world(), v.checkId());
        if (w.isEmpty()) return v;
        Verdict.WaiverNote note = new Verdict.WaiverNote(w.get().kind(), w.get().reason(), w.get().link());
        if (v.status() == CheckStatus.FAILED) {
            return v.withOutcome(CheckStatus.SKIPPED, ReportCategory.waivedMessage(note, v.message()), note, null);
        }
        return v.status() == CheckStatus.PASSED ? v.withOutcome(v.status(), v.message(), null, note) : v;
    }

    /** A pass says what the first rank said; anything else lists the ranks that ended worst, with their words. */
    private static String summarize(CheckStatus status, Map<Integer, Verdict.RankResult> parts) {
        if (status == CheckStatus.PASSED) {
            return parts.values().iterator().next().message() + (parts.size() > 1 ? " (all " + parts.size() + " ranks)" : "");
        }
        StringBuilder sb = new StringBuilder();
        parts.forEach((rank, p) -> {
            if (p.status() != status) return;
            if (!sb.isEmpty()) sb.append("; ");
            sb.append("rank ").append(rank).append(": ").append(p.message());
        });
        return sb.toString();
    }

    private static Verdict uniqueIdAgreement(CellRun run, Map<Integer, CheckResult> results) {
        Map<Integer, UniqueIdFingerprint> fingerprints = new TreeMap<>();
        for (RankOutput r : run.ranks()) {
            CheckResult res = results.get(r.rank());
            fingerprints.put(r.rank(), res == null ? null : res.fingerprint());
        }
        Map<String, String> params = Map.of("world", Integer.toString(run.world()));
        boolean noneHasAnId = !results.isEmpty() && results.size() == run.ranks().size()
                && results.values().stream().allMatch(r -> r.status() == CheckStatus.SKIPPED);
        if (noneHasAnId) {
            // No rank could have an ID (a release that needs a device to make one, on a cell without a GPU): nothing
            // to compare, and the unique-ID check itself says why.
            CheckResult first = results.values().iterator().next();
            return new Verdict(UNIQUE_ID_AGREEMENT, CheckGroup.UNIQUE_ID, params, CheckStatus.SKIPPED,
                    "no rank has a unique ID to compare: " + first.message(), List.of(), Map.of(),
                    first.cause() == Cause.DEVICE_GAP ? Cause.DEVICE_GAP : Cause.BLOCKED, false, null, null);
        }
        if (fingerprints.containsValue(null)) {
            return new Verdict(UNIQUE_ID_AGREEMENT, CheckGroup.UNIQUE_ID, params, CheckStatus.BROKEN,
                    "not every rank reported the fingerprint of its unique ID: " + fingerprints, List.of(), Map.of(),
                    Cause.INFRASTRUCTURE, false, null, null);
        }
        Set<UniqueIdFingerprint> distinct = new LinkedHashSet<>(fingerprints.values());
        if (distinct.size() != 1) {
            return new Verdict(UNIQUE_ID_AGREEMENT, CheckGroup.UNIQUE_ID, params, CheckStatus.FAILED,
                    "ranks used different unique IDs: " + fingerprints, List.of(), Map.of(), Cause.WRONG_VALUES, false, null, null);
        }
        return new Verdict(UNIQUE_ID_AGREEMENT, CheckGroup.UNIQUE_ID, params, CheckStatus.PASSED,
                "all " + run.world() + " rank(s) used the ID with fingerprint " + distinct.iterator().next(), List.of(), Map.of(),
                null, false, null, null);
    }

    private static Verdict ranksFinished(CellRun run) {
        Map<Integer, String> endings = new TreeMap<>();
        boolean allDone = true;
        for (RankOutput r : run.ranks()) {
            WorkerEvent.Hung hung = r.hungCall();
            endings.put(r.rank(), r.ending().toString() + (hung == null ? "" : " after " + hung.call() + " did not return within "
                    + hung.boundMillis() / 1000 + " s during " + hung.phase()));
            allDone &= r.sawDone() && r.exitCode() != null && hung == null;
        }
        Map<String, String> params = Map.of("world", Integer.toString(run.world()));
        if (allDone && run.infraFailure() == null) {
            return new Verdict(RANKS_FINISHED, RANKS_FINISHED, params, CheckStatus.PASSED,
                    "every rank finished its checks and exited: " + endings, List.of(), Map.of(), null, false, null, null);
        }
        StringBuilder sb = new StringBuilder(run.infraFailure() != null ? run.infraFailure() + "; " : "");
        endings.forEach((r, e) -> sb.append("rank ").append(r).append(' ').append(e).append("; "));
        return new Verdict(RANKS_FINISHED, RANKS_FINISHED, params, CheckStatus.BROKEN, sb.toString().strip(),
                List.of(), Map.of(), Cause.INFRASTRUCTURE, false, null, null);
    }

    /**
     * Why the file {@code rank} says it ran is not the one the matrix pins, naming both hashes; {@code null} when it
     * is, when nothing is pinned, or when the rank named no file (its load did not pass, or its events say why not).
     */
    static String pinMismatch(RankOutput rank, String pin) {
        if (pin == null) return null;
        WorkerEvent.Loaded loaded = rank.events().stream().filter(e -> e instanceof WorkerEvent.Loaded).map(e -> (WorkerEvent.Loaded) e)
                .findFirst().orElse(null);
        if (loaded == null || pin.equalsIgnoreCase(loaded.library().sha256())) return null;
        return "rank " + rank.rank() + " ran " + loaded.library().path() + " with sha256 " + loaded.library().sha256()
                + ", but the matrix pins sha256 " + pin + ": nothing it reported is about the pinned library";
    }

    private static boolean loadPassed(RankOutput rank) {
        return rank.events().stream().anyMatch(e -> e instanceof WorkerEvent.Check c && c.result().id().equals(RankReconciliation.LOAD)
                && c.result().status() == CheckStatus.PASSED);
    }

    /** Whether every rank's events add up; broken, with each rank's problems, when one's do not. */
    private static Verdict rankEvents(CellRun run, Map<Integer, List<String>> problems) {
        Map<String, String> params = Map.of("world", Integer.toString(run.world()));
        if (problems.isEmpty()) {
            return Verdict.of(RANK_EVENTS, RANK_EVENTS, params, CheckStatus.PASSED, null, "the events of all " + run.world()
                    + " rank(s) add up: whole lines only, each check once and as planned, counts and exit status as reported");
        }
        StringBuilder sb = new StringBuilder();
        problems.forEach((r, list) -> {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append("rank ").append(r).append(": ").append(String.join("; ", list));
        });
        return Verdict.of(RANK_EVENTS, RANK_EVENTS, params, CheckStatus.BROKEN, Cause.INFRASTRUCTURE,
                "the events of " + problems.size() + " rank(s) cannot be trusted, so none of their results count: " + sb);
    }

    /**
     * The first rank that ended without finishing, in words; {@code null} when none did. A rank the supervisor killed
     * because a peer hung is not counted: the hang, which its own rank reports, is the cause.
     */
    private static String firstAbnormalEnding(CellRun run) {
        for (RankOutput r : run.ranks()) {
            if (r.ending().killReason() == RankEnding.KillReason.PEER_HUNG) continue;
            if (!r.sawDone()) return "rank " + r.rank() + " " + r.ending();
        }
        return null;
    }
}
