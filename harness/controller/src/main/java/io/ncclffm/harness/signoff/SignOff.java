package io.ncclffm.harness.signoff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.report.RunManifest;

/**
 * May we move from what the base ran to the candidate? Two runs, or two cells, compared check by check, perf point by
 * perf point and in what they ran on, ending in GO or NO-GO with the reasons ({@link #reasons()}).
 *
 * <p>NO-GO when either run did not finish; when a check that was not failing now fails, the base passed a check that
 * a waiver now hides or that is no longer run or no longer there, a check fails on both sides, or a check only the
 * candidate has fails (each unless flaky, {@link History}); when perf regressed by the perf gate's own rules
 * ({@link PerfDelta}) or a base measurement is missing; and when the sides share no check. Fixes, newly run checks,
 * stale waivers and provenance changes are listed, and stop nothing.
 *
 * @param compared the checks both sides have
 */
public record SignOff(Side base, Side candidate, List<CheckChange> checks, int compared, List<String> staleWaivers,
                      List<PerfDelta> perf, List<String> provenance) {

    /** The perf gate's threshold when neither run's matrix names one (docs/perf.md). */
    public static final double DEFAULT_THRESHOLD = 0.10;

    /**
     * Compares the two sides.
     *
     * @param window    how many recent runs of a library on a host decide whether a check is flaky
     * @param threshold the tolerated perf slowdown, or {@code null} for the candidate's matrix's (else the base's, else
     *                  {@value #DEFAULT_THRESHOLD})
     * @throws IllegalArgumentException when one side names a cell and the other does not
     */
    public static SignOff compare(Side base, Side candidate, int window, Double threshold) {
        if ((base.cell() == null) != (candidate.cell() == null)) {
            throw new IllegalArgumentException("name a cell on both sides (RUNDIR@CELL) or on neither; got " + base.label() + " and "
                    + candidate.label());
        }
        History history = History.of(List.of(base.dir(), candidate.dir()), window);
        Map<String, RunManifest.CellRun> b = bySlot(base), c = bySlot(candidate);
        Set<String> slots = new LinkedHashSet<>(b.keySet());
        slots.addAll(c.keySet());
        List<CheckChange> changes = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        int compared = 0;
        for (String slot : slots) {
            compared += compareSlot(slot, b.get(slot), c.get(slot), base, candidate, history, changes);
            RunManifest.CellRun cr = c.get(slot);
            if (cr != null) cr.checks().stream().filter(k -> k.stale() != null).forEach(k -> stale.add(slot + " " + k.id() + ": " + k.stale()));
        }
        return new SignOff(base, candidate, changes, compared, stale, perf(base, candidate, threshold), Provenances.changes(base, candidate, b, c));
    }

    private static Map<String, RunManifest.CellRun> bySlot(Side side) {
        Map<String, RunManifest.CellRun> out = new LinkedHashMap<>();
        for (RunManifest.CellRun cr : side.cellRuns()) out.putIfAbsent(side.slot(cr), cr);
        return out;
    }

    /** Adds the changes of one slot; returns how many checks both sides have there. */
    private static int compareSlot(String slot, RunManifest.CellRun b, RunManifest.CellRun c, Side base, Side candidate,
                                   History history, List<CheckChange> out) {
        Map<String, RunManifest.Check> before = checks(b), after = checks(c);
        Set<String> ids = new LinkedHashSet<>(before.keySet());
        ids.addAll(after.keySet());
        int both = 0;
        for (String id : ids) {
            RunManifest.Check x = before.get(id), y = after.get(id);
            if (x != null && y != null) both++;
            CheckChange.Kind kind = CheckChange.kindOf(x, y);
            if (kind == null) continue;
            boolean flaky = x != null && y != null && (history.flaky(candidate.manifest(), c, id)
                    || history.flaky(base.manifest(), b, id));
            String family = y != null ? y.family() : x.family();
            out.add(new CheckChange(family, label(slot, b, c, base, candidate), id, kind, x, y, flaky));
        }
        return both;
    }

    private static String label(String slot, RunManifest.CellRun b, RunManifest.CellRun c, Side base, Side candidate) {
        if (base.cell() == null) return slot;
        return base.cell() + " → " + candidate.cell() + " " + slot;
    }

    private static Map<String, RunManifest.Check> checks(RunManifest.CellRun cr) {
        Map<String, RunManifest.Check> out = new LinkedHashMap<>();
        if (cr != null) cr.checks().forEach(k -> out.putIfAbsent(k.id(), k));
        return out;
    }

    /** Each cell's perf on both sides, for the cells both sides measured. */
    private static List<PerfDelta> perf(Side base, Side candidate, Double threshold) {
        double t = threshold != null ? threshold : Objects.requireNonNullElse(candidate.manifest().run().perfThreshold(),
                Objects.requireNonNullElse(base.manifest().run().perfThreshold(), DEFAULT_THRESHOLD));
        List<PerfDelta> out = new ArrayList<>();
        Set<String> cells = new LinkedHashSet<>();
        for (PerfPoint p : base.manifest().perf()) if (p.cell() != null) cells.add(p.cell());
        for (String cell : cells) {
            if (base.cell() != null && !base.cell().equals(cell)) continue;
            String other = base.cell() != null ? candidate.cell() : cell;
            List<PerfPoint> before = base.manifest().perf().stream().filter(p -> cell.equals(p.cell())).toList();
            List<PerfPoint> after = candidate.manifest().perf().stream().filter(p -> other.equals(p.cell())).toList();
            if (after.isEmpty()) continue;
            out.add(PerfDelta.judge(cell.equals(other) ? cell : cell + " → " + other, before, after, t));
        }
        return out;
    }

    /** Why the sign-off is NO-GO; empty for GO. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (!base.manifest().outcome().finished()) out.add("the base run did not finish (" + base.manifest().outcome().result() + ")");
        if (!candidate.manifest().outcome().finished()) {
            out.add("the candidate run did not finish (" + candidate.manifest().outcome().result() + ")");
        }
        if (compared == 0) out.add("the two sides share no check: nothing was compared");
        Map<CheckChange.Kind, List<CheckChange>> blocking = new LinkedHashMap<>();
        for (CheckChange ch : checks) if (ch.blocks()) blocking.computeIfAbsent(ch.kind(), k -> new ArrayList<>()).add(ch);
        blocking.forEach((kind, list) -> out.add(list.size() + " check(s) " + kind.words() + ": " + examples(list)));
        for (PerfDelta d : perf) {
            if (!d.comparison().regressions().isEmpty()) {
                out.add(d.comparison().regressions().size() + " perf regression(s) beyond " + Math.round(d.threshold() * 100) + "% in "
                        + d.pair() + ", e.g. " + d.comparison().regressions().getFirst().describe());
            }
            if (!d.missing().isEmpty()) out.add(d.missing().size() + " perf measurement(s) of the base missing from the candidate in " + d.pair());
        }
        return out;
    }

    private static String examples(List<CheckChange> list) {
        List<String> names = list.stream().limit(3).map(ch -> ch.check() + " [" + ch.slot() + "]").toList();
        return String.join(", ", names) + (list.size() > 3 ? " and " + (list.size() - 3) + " more" : "");
    }

    public boolean go() {
        return reasons().isEmpty();
    }

    /** The last line of the sign-off page: {@code GO}, or {@code NO-GO: reason; reason}. */
    public String verdictLine() {
        List<String> reasons = reasons();
        return reasons.isEmpty() ? "GO" : "NO-GO: " + String.join("; ", reasons);
    }
}
