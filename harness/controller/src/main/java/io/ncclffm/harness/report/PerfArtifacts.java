package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.DataType;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.BandwidthChart;
import io.ncclffm.harness.perf.InProcessRatios;
import io.ncclffm.harness.perf.InitPoint;
import io.ncclffm.harness.perf.MedianRun;
import io.ncclffm.harness.perf.MessageSize;
import io.ncclffm.harness.perf.NcclTestsComparison;
import io.ncclffm.harness.perf.OverheadSummary;
import io.ncclffm.harness.perf.PerfJsonLines;
import io.ncclffm.harness.perf.PerfTable;
import io.ncclffm.harness.perf.Regression;
import io.ncclffm.harness.perf.RegressionCheck;
import io.ncclffm.harness.perf.TrialComparison;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * What perf mode produces from a matrix run's points (and the C baseline's, when given): a table per release, a
 * chart of bus bandwidth against size, the binding's overhead against C, and the regression check of every
 * release against the matrix's baseline release. Where a cell ran several times ({@code perf.runs}), each is
 * judged on its median run at each size ({@link MedianRun}).
 *
 * @param points     what the tables, charts and checks judge: one point per measurement, the median run's; a cell's own
 *                   points only (the baseline's points timed in a candidate's processes serve the regression check)
 * @param measured   every point as measured, every run of every cell (what {@code points.jsonl} keeps)
 * @param uncompared the candidate cells of the regression check that had nothing to compare, each with why: a check
 *                   that compared nothing fails rather than pass
 * @param vsNcclTests the binding against nccl-tests in the same cells, with its own share from every run's in-process
 *                   trials
 */
public record PerfArtifacts(List<PerfPoint> points, List<PerfPoint> measured, String table, java.util.Map<String, String> charts,
                            OverheadSummary overhead, OverheadSummary inProcessOverhead, List<Regression> regressions,
                            String regressionReport, List<String> regressionSummaries, List<InitPoint> inits,
                            List<String> uncompared, NcclTestsComparison vsNcclTests) {

    /**
     * One chart per world size, of out-of-place launches, a line per release and source. A line must be one
     * sequence of sizes, so each chart takes one world, placement and mode; one rank moves nothing over a bus, so
     * world 1 shows algorithm bandwidth.
     */
    static java.util.Map<String, String> charts(List<PerfPoint> all) {
        java.util.Map<String, String> charts = new java.util.LinkedHashMap<>();
        record Kind(Collective collective, DataType dtype) { }
        List<Kind> kinds = all.stream().map(p -> new Kind(p.collective(), p.dtype())).distinct().toList();
        for (int world : all.stream().map(PerfPoint::world).distinct().sorted().toList()) {
            for (Kind kind : kinds) {
                List<PerfPoint> line = all.stream().filter(p -> p.world() == world && p.collective() == kind.collective()
                        && p.dtype() == kind.dtype() && p.placement() == Placement.OUT_OF_PLACE && p.mode() == TimingMode.LAUNCH).toList();
                if (line.isEmpty()) continue;
                BandwidthChart.Bandwidth bw = world == 1 ? BandwidthChart.Bandwidth.ALGORITHM : BandwidthChart.Bandwidth.BUS;
                boolean classic = kind.collective() == Collective.ALL_REDUCE && kind.dtype() == DataType.FLOAT32;
                String name = classic ? "busbw-w" + world + ".svg" : "busbw-" + kind.collective() + "-" + kind.dtype().shortName() + "-w" + world + ".svg";
                charts.put(name, BandwidthChart.svg(line, kind.collective() + " " + kind.dtype().shortName()
                        + (kind.collective().reduces() ? " sum" : "") + ", out-of-place, world " + world
                        + (world == 1 ? " (algorithm bandwidth: one rank has no bus)" : " (bus bandwidth)"), bw));
            }
        }
        return charts;
    }

    /**
     * The separate C baseline's points, which know their library but no matrix cell, as points of every cell that
     * measured that library at that world, so that tables and overhead rows pair them with each cell's Java points.
     * A point no cell matches stays without one.
     */
    static List<PerfPoint> attachToCells(List<PerfPoint> c, List<PerfPoint> java) {
        List<PerfPoint> out = new ArrayList<>();
        for (PerfPoint p : c) {
            if (p.cell() != null) {
                out.add(p);
                continue;
            }
            List<String> cells = java.stream().filter(j -> j.cell() != null && j.library().equals(p.library())
                    && j.world() == p.world()).map(PerfPoint::cell).distinct().toList();
            if (cells.isEmpty()) out.add(p);
            else for (String cell : cells) out.add(p.inCell(cell));
        }
        return out;
    }

    /** What the C baseline's JSON lines hold: its perf points and its init lines (init time, device memory). */
    public record CBaseline(List<PerfPoint> points, List<InitPoint> inits) {
    }

    /** Reads the C baseline's JSON lines, each file once: files, or folders of {@code *.jsonl}, comma-separated. */
    public static CBaseline readBaseline(String paths) {
        List<PerfPoint> points = new ArrayList<>();
        List<InitPoint> inits = new ArrayList<>();
        if (paths == null || paths.isBlank()) return new CBaseline(points, inits);
        for (String p : paths.split(",")) {
            Path path = Path.of(p.strip());
            try {
                List<Path> files = Files.isDirectory(path)
                        ? Files.walk(path).filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()
                        : List.of(path);
                for (Path f : files) {
                    List<String> lines = Files.readAllLines(f);
                    points.addAll(PerfJsonLines.points(lines));
                    inits.addAll(PerfJsonLines.inits(lines));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read C baseline points from " + path + ": " + e.getMessage(), e);
            }
        }
        return new CBaseline(points, inits);
    }

    /**
     * Whether NCCL does any work for the point: with one rank and the same buffer in and out, ncclAllReduce returns
     * without launching anything, so its time is only the host's enqueue rate (fractions of a microsecond) and
     * its ratios say nothing about moving data. Such points stay in the table and charts, and are left out of the
     * overhead goals and the regression check.
     */
    static boolean movesData(PerfPoint p) {
        return !(p.world() == 1 && p.placement() == Placement.IN_PLACE);
    }

    static PerfArtifacts of(List<PerfPoint> java, List<PerfPoint> c, Matrix.PerfPolicy policy) {
        return of(java, c, policy, List.of());
    }

    static PerfArtifacts of(List<PerfPoint> measured, List<PerfPoint> separateC, Matrix.PerfPolicy policy, List<InitPoint> inits) {
        List<PerfPoint> own = measured.stream().filter(p -> !p.pairedBaseline()).toList();
        List<PerfPoint> java = MedianRun.of(own);
        List<PerfPoint> c = attachToCells(separateC, java);
        List<PerfPoint> all = new ArrayList<>(java);
        all.addAll(c);
        // A build slowed on purpose (expect: regression) says nothing about the binding's overhead: its delay is
        // spent in the same calls from both sides, with the jitter of the delay. Only the baseline cells are judged.
        java.util.function.Predicate<PerfPoint> judged = policy == null || policy.expect() == Matrix.PerfPolicy.Expectation.NONE
                ? p -> true : p -> p.cell() == null || policy.isBaseline(p.cell());
        OverheadSummary overhead = c.isEmpty() ? null
                : OverheadSummary.of(all.stream().filter(PerfArtifacts::movesData).filter(judged).toList());
        // in process, every run's trials are pairs: the ratios pool them (InProcessRatios), not the median runs
        List<PerfPoint> everyRun = own.stream().filter(PerfArtifacts::movesData).filter(judged).toList();
        OverheadSummary inProcess = java.stream().noneMatch(p -> p.source() == Source.IN_PROCESS_C) ? null
                : OverheadSummary.of(everyRun, Source.IN_PROCESS_C);
        NcclTestsComparison vsNcclTests = NcclTestsComparison.of(all, InProcessRatios.of(own));
        List<Regression> regressions = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        List<String> summaries = new ArrayList<>();
        List<String> uncompared = new ArrayList<>();
        if (policy != null) regressions.addAll(regressionCheck(java, policy, measured, report, summaries, uncompared));
        List<PerfPoint> raw = new ArrayList<>(measured);
        raw.addAll(c);
        return new PerfArtifacts(all, List.copyOf(raw), PerfTable.markdown(all), charts(all), overhead, inProcess, regressions, report.toString(),
                List.copyOf(summaries), List.copyOf(inits), List.copyOf(uncompared), vsNcclTests);
    }

    /**
     * Judges every candidate cell's Java points against the baseline cells', and writes the report.
     *
     * <p>A Java point is a regression candidate when its median is worse by the threshold and its trials are slower
     * beyond chance at {@link RegressionCheck#alpha()} ({@link RegressionCheck}). A slower NCCL is slower from C too;
     * a difference that shows through the binding alone comes from the JVM of that one run (its JIT tiers, GC,
     * safepoints), which is noise, not the release. The in-process C loop's trials alternate with the binding's on
     * the same communicator and stream, so a Java regression counts only when C, in the same cells, is also worse by
     * the threshold with significance (for a graph row, C's launch row of the same size: the loop times launches
     * only). Otherwise it is listed as not confirmed, with C's change, and does not fail the check; without a C loop
     * nothing can be confirmed, and the report says so. One process can also be slower at one size for its whole
     * life, C included; so a regression counts only within a band of neighbouring sizes that all regressed
     * ({@link RegressionCheck#BAND}), and a lone size is listed apart. Worlds the policy excludes are not judged.
     *
     * <p>How the two sides are had depends on {@link Matrix.PerfPolicy#pairing()}. In process (the default), each
     * candidate process timed the baseline's library beside its own, trial by trial; each size is judged on the
     * pairs of all its runs ({@link RegressionCheck#judgePaired}), and whatever the host does to both trials of a pair
     * cancels. Across processes, the baseline's points come from its own cell, and each side is judged on its median
     * run ({@link MedianRun}), which outvotes one slow process but not a host whose speed changes from process to
     * process; an A/A matrix (one build as two cells) shows whether that is enough on a host.
     *
     * @param points     the worker's own points: {@code java} and {@code c-inproc}, each with its cell; one per
     *                   measurement (the median run's, {@link MedianRun})
     * @param measured   every run's points, the baseline's timed in candidate processes included
     * @param summaries  gets one line per candidate cell, the heading of its section of the report
     * @param uncompared gets one line per candidate cell that had nothing to compare
     * @return the regressions that count
     */
    static List<Regression> regressionCheck(List<PerfPoint> points, Matrix.PerfPolicy policy, List<PerfPoint> measured,
                                            StringBuilder report, List<String> summaries, List<String> uncompared) {
        RegressionCheck check = RegressionCheck.withThreshold(policy.threshold());
        boolean paired = policy.pairing() == Matrix.PerfPolicy.Pairing.IN_PROCESS;
        List<PerfPoint> own = measured.stream().filter(p -> !p.pairedBaseline()).toList();
        Map<String, Integer> runs = MedianRun.runsByCell(own);
        java.util.function.Function<Regression, String> perRun = r -> runValues(r, measured, paired);
        java.util.function.Predicate<PerfPoint> isJudged = p -> p.cell() != null && movesData(p) && policy.judges(p.world());
        List<PerfPoint> judged = points.stream().filter(isJudged).toList();
        List<PerfPoint> java = judged.stream().filter(p -> p.source() == Source.JAVA).toList();
        List<PerfPoint> c = judged.stream().filter(p -> p.source() == Source.IN_PROCESS_C).toList();
        List<PerfPoint> baseline = java.stream().filter(p -> policy.isBaseline(p.cell())).toList();
        List<PerfPoint> baselineC = c.stream().filter(p -> policy.isBaseline(p.cell())).toList();
        // every run of the candidates, both sides, for the paired comparison
        List<PerfPoint> allRuns = measured.stream().filter(isJudged).filter(p -> !policy.isBaseline(p.cell())).toList();
        report.append("# Regression check against ").append(policy.baseline()).append(" (")
                .append(policy.baselineCells().stream().sorted().collect(Collectors.joining(", "))).append(")\n\n")
                .append(String.format(Locale.ROOT, "A change counts when the candidate's median is worse by more than %d%% "
                        + "(time up to %s, bandwidth above), its trials are slower %s at alpha = %s, and the in-process C "
                        + "loop (c-inproc) of the same cells is worse the same way at the same size (a graph row is "
                        + "confirmed by C's launch row), and at least %d neighbouring sizes of the same sweep regressed "
                        + "with it (all of them, where the sweep has fewer in that range): a slower NCCL is slower from C "
                        + "too, a change seen through the binding alone is that run's JVM, and one size slower in one "
                        + "process, C included, is that process.\n\n",
                        Math.round(policy.threshold() * 100), MessageSize.label(RegressionCheck.LATENCY_BOUND_LIMIT),
                        paired ? "pair by pair by a one-sided Wilcoxon signed-rank test on the log of each pair's ratio "
                                + "(n pairs reach p = 2^-n at best; " + TrialComparison.MIN_PAIRS + " are needed)"
                                : "by a one-sided Mann-Whitney U test (5 trials against 5 reach p = 1/252 = 0.004 at best)",
                        check.alpha(), RegressionCheck.BAND));
        List<String> cells = java.stream().map(PerfPoint::cell).distinct().toList();
        if (paired) {
            report.append(String.format(Locale.ROOT, "Pairing: in process. Each candidate process loaded the baseline's "
                    + "library beside its own, each with a communicator on the same device, buffers and stream, and timed "
                    + "every trial of a size from both, one right after the other (the baseline first in every other "
                    + "trial): whatever the host does to both trials of a pair cancels in their ratio. Each side of a size "
                    + "is the trials of all %d run(s) pooled; the baseline's own cell is not what the candidate is "
                    + "compared with. Runs measured: %s.%n%n", policy.runs(),
                    cells.stream().map(cell -> cell + " " + runs.getOrDefault(cell, 1)).collect(Collectors.joining(", "))));
        } else {
            List<String> once = cells.stream().filter(cell -> runs.getOrDefault(cell, 1) < 2).toList();
            report.append(String.format(Locale.ROOT, "Pairing: across processes. Each perf cell runs %d time(s) (perf.runs), "
                            + "each in a new process, in turn with the others, and each size is judged on each side's median "
                            + "run: one process can be slower than the next for its whole life, C in it included. Runs "
                            + "measured: %s.%s%n%n", policy.runs(),
                    cells.stream().map(cell -> cell + " " + runs.getOrDefault(cell, 1)).collect(Collectors.joining(", ")),
                    once.isEmpty() ? "" : " With one run, " + String.join(", ", once) + " cannot tell a slower process from a "
                            + "slower release."));
        }
        if (!policy.notJudgedWorlds().isEmpty()) {
            report.append("Not judged: world(s) ").append(policy.notJudgedWorlds().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" (").append(policy.notJudgedReason()).append(").\n\n");
        }
        List<Regression> counted = new ArrayList<>();
        List<String> candidates = java.stream().map(PerfPoint::cell).distinct().filter(cell -> !policy.isBaseline(cell)).toList();
        for (String cell : candidates) {
            List<PerfPoint> candidate = on(java, cell);
            java.util.Set<Integer> worlds = candidate.stream().map(PerfPoint::world).collect(Collectors.toSet());
            List<PerfPoint> before = baseline.stream().filter(p -> worlds.contains(p.world())).toList();
            Judged outcome = paired ? judgeInProcess(check, cell, worlds, before, allRuns, policy)
                    : judgeAcross(check, before, candidate, baselineC, on(c, cell));
            RegressionCheck.Comparison found = outcome.java();
            Map<String, Regression> cFound = outcome.cRegressions();
            List<PerfPoint> unpaired = outcome.unpaired();
            int compared = outcome.compared();
            List<Regression> cAll = outcome.cChanges();
            // C's change beside each Java row it does not confirm (the loop times launches only)
            Map<String, String> cChange = cAll.stream().filter(r -> r.mode() == TimingMode.LAUNCH)
                    .collect(Collectors.toMap(PerfArtifacts::confirmingKey, PerfArtifacts::changeText, (x, y) -> x));
            List<Regression> confirmed = new ArrayList<>();
            List<Regression> unconfirmed = new ArrayList<>();
            for (Regression r : found.regressions()) (cFound.containsKey(confirmingKey(r)) ? confirmed : unconfirmed).add(r);
            counted.addAll(confirmed);
            List<PerfPoint> missing = check.missingFromCandidate(before, candidate);
            String library = candidate.getFirst().library();
            String summary = cell + " (" + library + "): "
                    + (confirmed.isEmpty() ? "no regression" : confirmed.size() + " regression(s)")
                    + " in " + compared + " measurement(s) compared" + (paired ? " pair by pair" : "")
                    + (unconfirmed.isEmpty() ? "" : ", " + unconfirmed.size() + " not confirmed by the in-process C loop")
                    + (found.isolated().isEmpty() ? "" : ", " + found.isolated().size()
                            + " significant but standing alone (fewer than " + RegressionCheck.BAND + " neighbouring sizes)")
                    + (found.notSignificant().isEmpty() ? "" : ", " + found.notSignificant().size()
                            + " beyond the threshold but not significant")
                    + (missing.isEmpty() ? "" : ", " + missing.size() + " baseline point(s) not measured")
                    + (unpaired.isEmpty() ? "" : ", " + unpaired.size() + " measurement(s) not timed beside the baseline");
            summaries.add(summary);
            if (compared == 0) {
                uncompared.add(cell + " (" + library + "): nothing was compared with the baseline"
                        + (paired ? ": its processes timed no measurement of the baseline's library beside their own" : ""));
            }
            report.append("## ").append(summary).append("\n\n");
            for (Regression r : confirmed) {
                Regression inC = cFound.get(confirmingKey(r));
                report.append("- ").append(r.describe())
                        .append(String.format(Locale.ROOT, "; C: %+.1f%% (p=%s)", inC.change() * 100, Regression.p(inC.pValue())))
                        .append(perRun.apply(r)).append('\n');
            }
            if (!unconfirmed.isEmpty()) {
                report.append("\nNot confirmed by the in-process C loop (C's change for the same collective in brackets):\n\n");
                for (Regression r : unconfirmed) {
                    String inC = cChange.get(confirmingKey(r));
                    report.append("- ").append(r.describe()).append(" [C: ")
                            .append(inC == null ? "not measured (set NCCLFFM_PERF_C_LOOP)" : inC)
                            .append("]").append(perRun.apply(r)).append('\n');
                }
            }
            if (!found.isolated().isEmpty()) {
                report.append("\nSignificant, but they stand alone: fewer than ").append(RegressionCheck.BAND)
                        .append(" neighbouring sizes of the same sweep regressed with them, so they are not counted:\n\n");
                for (Regression r : found.isolated()) report.append("- ").append(r.describe()).append(perRun.apply(r)).append('\n');
            }
            if (!found.notSignificant().isEmpty()) {
                report.append("\nBeyond the threshold, but the trials overlap too much to tell from noise (p > ")
                        .append(check.alpha()).append("):\n\n");
                for (Regression r : found.notSignificant()) report.append("- ").append(r.describe()).append('\n');
            }
            if (!unpaired.isEmpty()) {
                report.append("\nNot timed beside the baseline, so not compared (the cell's perf/paired-baseline checks say why):\n\n");
                for (PerfPoint p : unpaired) report.append("- ").append(measurement(p)).append('\n');
            }
            report.append('\n');
        }
        if (candidates.isEmpty()) report.append("No perf cell besides the baseline measured anything to compare.\n");
        return counted;
    }

    /** The points of one source. */
    private static List<PerfPoint> source(List<PerfPoint> points, Source source) {
        return points.stream().filter(p -> p.source() == source).toList();
    }

    /** What a point measured, for a report line: source, world, collective, type, size, placement and mode. */
    private static String measurement(PerfPoint p) {
        return p.source() + " world " + p.world() + " " + p.collective() + " " + p.dtype().shortName() + " " + p.placement() + " "
                + p.mode() + " " + MessageSize.label(p.bytes());
    }

    /**
     * Each run's value, in run order, of what {@code r} compares, on both sides, e.g. {@code ; runs: perf-a 4.07,
     * 4.42, 4.18 µs; perf-b 6.10, 5.02, 6.22 µs}: what the median run was taken from. Where the pairing is in process,
     * the baseline's values are those timed in the candidate's processes, and are named so. Empty where each side ran
     * once.
     */
    static String runValues(Regression r, List<PerfPoint> measured, boolean paired) {
        StringBuilder out = new StringBuilder();
        boolean several = false;
        String candidateCell = r.candidateCell() == null ? "" : r.candidateCell();
        for (boolean baselineSide : new boolean[] {true, false}) {
            String cell = baselineSide && !paired ? (r.baselineCell() == null ? "" : r.baselineCell()) : candidateCell;
            boolean pairedPoints = baselineSide && paired;
            List<PerfPoint> runs = measured.stream().filter(p -> cell.equals(p.cell()) && p.pairedBaseline() == pairedPoints
                    && p.source() == r.source()
                    && p.world() == r.world() && p.collective() == r.collective() && p.dtype() == r.dtype()
                    && p.bytes() == r.bytes() && p.placement() == r.placement() && p.mode() == r.mode())
                    .sorted(java.util.Comparator.comparingInt(PerfPoint::run)).toList();
            several |= runs.size() > 1;
            String label = pairedPoints ? r.baselineCell() + " in " + candidateCell + "'s processes" : cell;
            out.append(out.isEmpty() ? "; runs: " : "; ").append(label).append(' ')
                    .append(runs.stream().map(p -> String.format(Locale.ROOT, "%.2f", r.metric().of(p))).collect(Collectors.joining(", ")))
                    .append(' ').append(r.metric().unit());
        }
        return several ? out.toString() : "";
    }

    private static List<PerfPoint> on(List<PerfPoint> points, String cell) {
        return points.stream().filter(p -> cell.equals(p.cell())).toList();
    }

    /**
     * The collective whose C loop row confirms a Java row: the same world, collective, element type, size and
     * placement, launched (the loop has no graph mode).
     */
    private static String confirmingKey(int world, Collective collective, DataType dtype, long bytes, Placement placement) {
        return world + "/" + collective + "/" + dtype + "/" + bytes + "/" + placement + "/launch";
    }

    /**
     * One candidate cell's comparison with the baseline.
     *
     * @param java         the binding's
     * @param cRegressions the in-process C loop's regressions, by {@link #confirmingKey}: what confirms a Java one
     * @param cChanges     every change the C loop's comparison matched, for the rows C does not confirm
     * @param compared     how many of the candidate's measurements had a baseline to be compared with
     * @param unpaired     the candidate's measurements its processes did not time beside the baseline (in process)
     */
    private record Judged(RegressionCheck.Comparison java, Map<String, Regression> cRegressions, List<Regression> cChanges,
                          int compared, List<PerfPoint> unpaired) {
    }

    /**
     * In process: each world's pairs, every run of {@code cell} pooled, against the baseline's library timed in the
     * same processes ({@link RegressionCheck#judgePaired}), from Java and from the C loop alike.
     */
    private static Judged judgeInProcess(RegressionCheck check, String cell, java.util.Set<Integer> worlds, List<PerfPoint> before,
                                         List<PerfPoint> allRuns, Matrix.PerfPolicy policy) {
        List<Regression> regressions = new ArrayList<>();
        List<Regression> notSignificant = new ArrayList<>();
        List<Regression> isolated = new ArrayList<>();
        List<Regression> changes = new ArrayList<>();
        List<Regression> cRegressions = new ArrayList<>();
        List<Regression> cChanges = new ArrayList<>();
        List<PerfPoint> gaps = new ArrayList<>();
        int pairs = 0;
        for (int world : worlds.stream().sorted().toList()) {
            String baselineCell = before.stream().filter(p -> p.world() == world).map(PerfPoint::cell).findFirst()
                    .orElse(policy.baseline());
            List<PerfPoint> runsOf = allRuns.stream().filter(p -> cell.equals(p.cell()) && p.world() == world).toList();
            List<PerfPoint> theirs = runsOf.stream().filter(PerfPoint::pairedBaseline).toList();
            List<PerfPoint> mine = runsOf.stream().filter(p -> !p.pairedBaseline()).toList();
            RegressionCheck.Comparison j = check.judgePaired(source(theirs, Source.JAVA), source(mine, Source.JAVA), baselineCell);
            regressions.addAll(j.regressions());
            notSignificant.addAll(j.notSignificant());
            isolated.addAll(j.isolated());
            changes.addAll(j.changes());
            RegressionCheck.Comparison inC = check.judgePaired(source(theirs, Source.IN_PROCESS_C),
                    source(mine, Source.IN_PROCESS_C), baselineCell);
            cRegressions.addAll(inC.regressions());
            cChanges.addAll(inC.changes());
            List<PerfPoint> g = check.unpaired(source(theirs, Source.JAVA), source(mine, Source.JAVA));
            gaps.addAll(g);
            pairs += (int) source(mine, Source.JAVA).stream().map(PerfArtifacts::measurement).distinct().count() - g.size();
        }
        return new Judged(new RegressionCheck.Comparison(regressions, notSignificant, isolated, changes), byConfirmingKey(cRegressions),
                cChanges, pairs, gaps);
    }

    /** Across processes: each side's median run, the candidate cell's against the baseline cell's, Java and C apart. */
    private static Judged judgeAcross(RegressionCheck check, List<PerfPoint> before, List<PerfPoint> candidate,
                                      List<PerfPoint> baselineC, List<PerfPoint> candidateC) {
        RegressionCheck.Comparison inC = check.judge(baselineC, candidateC);
        int compared = (int) candidate.stream().filter(p -> before.stream().anyMatch(b -> measurement(b).equals(measurement(p)))).count();
        return new Judged(check.judge(before, candidate), byConfirmingKey(inC.regressions()), inC.changes(), compared, List.of());
    }

    private static Map<String, Regression> byConfirmingKey(List<Regression> regressions) {
        return regressions.stream().collect(Collectors.toMap(PerfArtifacts::confirmingKey, r -> r, (a, b) -> a));
    }

    private static String confirmingKey(Regression r) {
        return confirmingKey(r.world(), r.collective(), r.dtype(), r.bytes(), r.placement());
    }

    /** C's change for a row it did not confirm, as the C loop's comparison of the same two sides found it. */
    private static String changeText(Regression r) {
        return String.format(Locale.ROOT, "%s %.2f %s -> %.2f %s (%+.1f%%, p=%s)", r.metric().shortName(), r.baseline(),
                r.metric().unit(), r.candidate(), r.metric().unit(), r.change() * 100, Regression.p(r.pValue()));
    }

    /**
     * The table against the separate C process; when an in-process table exists, with the note that its 8-byte
     * ratios are shown but judged in process (perf/overhead-vs-c-in-process).
     */
    public String overheadMarkdown() {
        if (overhead == null) return "";
        return overhead.markdown() + (inProcessOverhead == null ? "" : "\nThe 8 B ratios above compare two processes, "
                + "which differ by far more than 5% from run to run at 8 B; the 8 B goal is judged on the in-process C loop "
                + "(overhead-in-process.md), whose trials alternate with the binding's. The 64 MiB goal is judged here.\n");
    }

    /** The raw points, written before anything derived from them can fail. */
    static void writePoints(Path dir, List<PerfPoint> points) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("points.jsonl"), points.stream()
                .map(p -> EventCodec.mapper().valueToTree(p).toString()).collect(Collectors.joining("\n", "", "\n")));
    }

    void write(Path dir) throws IOException {
        writePoints(dir, measured);
        Files.writeString(dir.resolve("table.md"), table);
        for (var chart : charts.entrySet()) Files.writeString(dir.resolve(chart.getKey()), chart.getValue());
        if (overhead != null) Files.writeString(dir.resolve("overhead.md"), overheadMarkdown());
        if (!inits.isEmpty()) Files.writeString(dir.resolve("init.md"), InitPoint.markdown(inits));
        if (inProcessOverhead != null) Files.writeString(dir.resolve("overhead-in-process.md"), inProcessOverhead.markdown());
        if (!regressionReport.isEmpty()) Files.writeString(dir.resolve("regressions.md"), regressionReport);
        if (!vsNcclTests.rows().isEmpty()) Files.writeString(dir.resolve("vs-nccl-tests.md"), vsNcclTests.markdown());
    }
}
