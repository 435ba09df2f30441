package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * Compares a candidate's perf points with a baseline's, collective by collective (same source, world, collective,
 * element type, size, placement and mode), and reports what got worse by more than a threshold <em>and</em> beyond
 * chance: the candidate's median must be worse than the baseline's by the threshold (the minimum effect size), and
 * the candidate's trials slower than the baseline's by a one-sided Mann-Whitney test at {@link #alpha()}
 * ({@link TrialComparison}). Either alone fails on noise: medians of a few trials of an 8-byte call differ by more
 * than the threshold between runs minutes apart (docs/validation.md), and a significant difference of 1% is no
 * regression.
 *
 * <p>Sizes up to {@link #LATENCY_BOUND_LIMIT} are judged on time and larger ones on bus bandwidth. For one size
 * and world the two are reciprocal, so judging both would report every slowdown twice; time is what a reader of
 * small messages cares about (latency), bandwidth what a reader of large ones does. A one-rank world has no bus
 * bandwidth (its factor is 0), so its large sizes are judged on algorithm bandwidth. The rank test is the same
 * either way, since ranks do not change when time is turned into bandwidth.
 *
 * <p>A change must also be <em>sustained</em>: it counts only inside a band of at least {@link #BAND} consecutive
 * measured sizes of the same series (source, world, collective, element type, placement, mode and metric) that all
 * regressed beyond the threshold and significantly; a series with fewer sizes in that regime needs all of them.
 * The trials of one cell run come from one process, so the rank test sees how much they vary within that process,
 * not how much a process varies from the next: one process of an A/A pair can be slower at one size for its whole
 * life, with every trial slower. A slower release, a slower transport or a slower binding moves neighbouring
 * sizes together; a lone size is listed apart ({@link Comparison#isolated()}) and does not count.
 *
 * <p>Only slowdowns are regressions: a candidate that is faster by any amount passes.
 *
 * <p>Where the candidate's processes timed the baseline's library beside their own ({@code perf.pairing:
 * in-process}, {@link #judgePaired}), the two sides of a size are every run's trials pooled, and the rank test is
 * the signed-rank test on the pairs ({@link TrialComparison#pSlowerPaired}): the threshold, the band and the
 * confirmation stay as they are.
 */
public final class RegressionCheck {

    /** Up to here a message is latency-bound on every transport the matrix uses. */
    public static final long LATENCY_BOUND_LIMIT = 64L << 10;

    /** How many consecutive sizes of one series must regress together for any of them to count. */
    public static final int BAND = 3;

    private final double threshold;
    private final double alpha;

    private RegressionCheck(double threshold, double alpha) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold is a fraction in (0, 1), e.g. 0.10 for 10%; got " + threshold);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha is a significance level in (0, 1), e.g. 0.01; got " + alpha);
        }
        this.threshold = threshold;
        this.alpha = alpha;
    }

    /**
     * A check that tolerates changes up to {@code threshold} (0.10: 10% more time or 10% less bandwidth), and
     * needs significance at {@link TrialComparison#ALPHA} for anything beyond it.
     */
    public static RegressionCheck withThreshold(double threshold) {
        return new RegressionCheck(threshold, TrialComparison.ALPHA);
    }

    /** The same threshold at another significance level. */
    public RegressionCheck withAlpha(double alpha) {
        return new RegressionCheck(threshold, alpha);
    }

    public double threshold() {
        return threshold;
    }

    public double alpha() {
        return alpha;
    }

    /**
     * What the comparison found: the regressions (beyond the threshold, significant and sustained over a band of
     * sizes), the changes beyond the threshold whose trials overlap too much to tell from noise, and the significant
     * ones that stand alone (fewer than {@link #BAND} neighbouring sizes with them); and every measurement both
     * sides have, beyond the threshold or not, with its change ({@code changes}, what a report shows beside a row it
     * does not count).
     */
    public record Comparison(List<Regression> regressions, List<Regression> notSignificant, List<Regression> isolated,
                             List<Regression> changes) {
    }

    /**
     * The collectives the candidate does worse than the baseline, beyond the threshold and significantly, in the
     * baseline's order. Points without a counterpart are not compared; {@link #missingFromCandidate} lists those.
     */
    public List<Regression> compare(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        return judge(baseline, candidate).regressions();
    }

    /** Every change beyond the threshold, split by whether the trials make it significant. */
    public Comparison judge(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        Map<Key, PerfPoint> candidates = index(candidate, "candidate");
        List<Matched> matched = new ArrayList<>();
        for (Map.Entry<Key, PerfPoint> entry : index(baseline, "baseline").entrySet()) {
            PerfPoint before = entry.getValue();
            PerfPoint after = candidates.get(entry.getKey());
            if (after != null) matched.add(new Matched(before, after, TrialComparison.pSlower(before, after)));
        }
        return judged(matched, baseline);
    }

    /**
     * Every change beyond the threshold between the perf baseline's points timed in the candidate's own processes
     * ({@link PerfPoint#pairedBaseline()}) and the candidate's points, split as {@link #judge} splits them. Each side
     * of a measurement is its trials of every run pooled, in run order; the baseline's value is the median of its
     * trials, the candidate's that times the median of the pairs' ratios (the paired estimate of the change), and
     * the p is the signed-rank test on the pairs ({@link TrialComparison#pSlowerPaired}); a run that measured one side
     * only adds nothing.
     *
     * @param pairedBaseline the baseline's points from the candidate's processes, any number of runs
     * @param candidate      the candidate's own points of the same runs
     * @param baselineCell   the baseline's matrix cell, which the report names as the baseline side
     * @throws IllegalArgumentException when a run holds two points of one measurement on a side, or the two points of
     *                                  a pair differ in their number of trials
     */
    public Comparison judgePaired(List<PerfPoint> pairedBaseline, List<PerfPoint> candidate, String baselineCell) {
        List<Matched> matched = matchPaired(pairedBaseline, candidate, baselineCell);
        return judged(matched, matched.stream().map(Matched::before).toList());
    }

    private static List<Matched> matchPaired(List<PerfPoint> pairedBaseline, List<PerfPoint> candidate, String baselineCell) {
        Map<Key, Map<Integer, PerfPoint>> after = byRun(candidate, "candidate");
        List<Matched> matched = new ArrayList<>();
        for (Map.Entry<Key, Map<Integer, PerfPoint>> entry : byRun(pairedBaseline, "paired baseline").entrySet()) {
            Map<Integer, PerfPoint> theirs = after.get(entry.getKey());
            if (theirs == null) continue;
            List<Double> b = new ArrayList<>();
            List<Double> c = new ArrayList<>();
            PerfPoint first = null;
            PerfPoint firstCandidate = null;
            for (Map.Entry<Integer, PerfPoint> run : entry.getValue().entrySet()) {
                PerfPoint mine = theirs.get(run.getKey());
                if (mine == null) continue;
                PerfPoint base = run.getValue();
                if (base.trialsUs().size() != mine.trialsUs().size()) {
                    throw new IllegalArgumentException("run " + run.getKey() + " of " + mine.cell() + " paired " + base.trialsUs().size()
                            + " baseline trial(s) with " + mine.trialsUs().size() + " of its own: " + base + " and " + mine);
                }
                if (first == null) {
                    first = base;
                    firstCandidate = mine;
                }
                b.addAll(base.trialsUs().isEmpty() ? List.of(base.timeUs()) : base.trialsUs());
                c.addAll(mine.trialsUs().isEmpty() ? List.of(mine.timeUs()) : mine.trialsUs());
            }
            if (first == null) continue;
            PerfPoint before = pooled(first, b, baselineCell);
            double[] ratios = new double[b.size()];
            for (int i = 0; i < ratios.length; i++) ratios[i] = c.get(i) / b.get(i);
            // The candidate's time is the baseline's median times the median ratio of the pairs: on a host whose
            // call time sits at one of two levels, the median of a side's pooled trials can jump from one level to
            // the other on one trial, while the pairs' ratios do not.
            PerfPoint now = PerfPoint.of(firstCandidate.library(), firstCandidate.source(), firstCandidate.world(),
                    firstCandidate.collective(), firstCandidate.bytes(), firstCandidate.dtype(), firstCandidate.placement(),
                    firstCandidate.mode(), firstCandidate.iterations(), before.timeUs() * PerfPoint.median(ratios), c)
                    .inCell(firstCandidate.cell(), 0);
            matched.add(new Matched(before, now, TrialComparison.pSlowerPaired(before.trials(), now.trials())));
        }
        return matched;
    }

    /**
     * The candidate's measurements that no paired baseline point of any of its runs matches: a candidate timed without
     * the baseline beside it, or a collective the baseline's release lacks.
     */
    public List<PerfPoint> unpaired(List<PerfPoint> pairedBaseline, List<PerfPoint> candidate) {
        Map<Key, Map<Integer, PerfPoint>> theirs = byRun(pairedBaseline, "paired baseline");
        Map<Key, Map<Integer, PerfPoint>> mine = byRun(candidate, "candidate");
        List<PerfPoint> out = new ArrayList<>();
        for (Map.Entry<Key, Map<Integer, PerfPoint>> e : mine.entrySet()) {
            Map<Integer, PerfPoint> b = theirs.get(e.getKey());
            if (b == null || e.getValue().keySet().stream().noneMatch(b::containsKey)) out.add(e.getValue().values().iterator().next());
        }
        return out;
    }

    /** A measurement's trials of several runs as one point: the median of them all, attributed to {@code cell}. */
    private static PerfPoint pooled(PerfPoint first, List<Double> trials, String cell) {
        return PerfPoint.ofTrials(first.library(), first.source(), first.world(), first.collective(), first.bytes(),
                first.dtype(), first.placement(), first.mode(), first.iterations(), trials).inCell(cell, 0);
    }

    /** Points by measurement, then by run in run order. */
    private static Map<Key, Map<Integer, PerfPoint>> byRun(List<PerfPoint> points, String side) {
        Map<Key, Map<Integer, PerfPoint>> out = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            PerfPoint previous = out.computeIfAbsent(Key.of(p), k -> new java.util.TreeMap<>()).putIfAbsent(p.run(), p);
            if (previous != null) {
                throw new IllegalArgumentException("the " + side + " holds two points for one collective in run " + p.run()
                        + ": " + previous + " and " + p);
            }
        }
        return out;
    }

    /** A baseline point, the candidate's point of the same measurement, and the p of the candidate being slower. */
    private record Matched(PerfPoint before, PerfPoint after, double pSlower) {
    }

    /** The change of one matched measurement, in the metric its size is judged on. */
    private static Regression regression(Matched m) {
        PerfPoint before = m.before();
        PerfPoint after = m.after();
        Regression.Metric metric = metricFor(before);
        return new Regression(before.library(), after.library(), before.source(), before.world(), before.collective(),
                before.dtype(), before.bytes(), before.placement(), before.mode(), metric, metric.of(before), metric.of(after),
                m.pSlower(), before.cell(), after.cell());
    }

    /** The matched points split into regressions (sustained or standing alone) and changes the trials cannot tell. */
    private Comparison judged(List<Matched> matched, List<PerfPoint> baseline) {
        List<Regression> regressions = new ArrayList<>();
        List<Regression> noise = new ArrayList<>();
        List<Regression> changes = new ArrayList<>();
        for (Matched m : matched) {
            Regression r = regression(m);
            changes.add(r);
            boolean worse = r.metric().higherIsWorse() ? r.candidate() > r.baseline() * (1 + threshold)
                    : r.candidate() < r.baseline() * (1 - threshold);
            if (worse) (r.significant(alpha) ? regressions : noise).add(r);
        }
        Set<Regression> sustained = sustained(regressions, baseline);
        List<Regression> counted = regressions.stream().filter(sustained::contains).toList();
        List<Regression> isolated = regressions.stream().filter(r -> !sustained.contains(r)).toList();
        return new Comparison(counted, List.copyOf(noise), isolated, List.copyOf(changes));
    }

    /**
     * The regressions that lie in a run of at least {@link #BAND} consecutive sizes of their series, all of them
     * regressed; a series that has fewer sizes in the regression's regime (time or bandwidth) needs every one.
     */
    private static Set<Regression> sustained(List<Regression> regressions, List<PerfPoint> baseline) {
        Map<Series, TreeSet<Long>> sizes = new HashMap<>();
        for (PerfPoint p : baseline) sizes.computeIfAbsent(Series.of(p, metricFor(p)), k -> new TreeSet<>()).add(p.bytes());
        Map<Series, Set<Long>> regressed = new HashMap<>();
        for (Regression r : regressions) regressed.computeIfAbsent(Series.of(r), k -> new HashSet<>()).add(r.bytes());
        Set<Regression> sustained = new HashSet<>();
        for (Regression r : regressions) {
            Series series = Series.of(r);
            List<Long> measured = List.copyOf(sizes.getOrDefault(series, new TreeSet<>(List.of(r.bytes()))));
            Set<Long> hit = regressed.get(series);
            int at = measured.indexOf(r.bytes());
            int from = at;
            while (from > 0 && hit.contains(measured.get(from - 1))) from--;
            int to = at;
            while (to < measured.size() - 1 && hit.contains(measured.get(to + 1))) to++;
            if (to - from + 1 >= Math.min(BAND, measured.size())) sustained.add(r);
        }
        return sustained;
    }

    /** A collective's sweep over sizes in one regime (what {@link #metricFor} judges it on). */
    private record Series(Source source, int world, Collective collective, DataType dtype, Placement placement, TimingMode mode,
                          Regression.Metric metric) {
        static Series of(PerfPoint p, Regression.Metric metric) {
            return new Series(p.source(), p.world(), p.collective(), p.dtype(), p.placement(), p.mode(), metric);
        }

        static Series of(Regression r) {
            return new Series(r.source(), r.world(), r.collective(), r.dtype(), r.placement(), r.mode(), r.metric());
        }
    }

    /**
     * Baseline points the candidate has no point for. A release that crashes at 1 GiB would otherwise pass the
     * comparison by having nothing to compare.
     */
    public List<PerfPoint> missingFromCandidate(List<PerfPoint> baseline, List<PerfPoint> candidate) {
        Map<Key, PerfPoint> candidates = index(candidate, "candidate");
        return index(baseline, "baseline").entrySet().stream()
                .filter(e -> !candidates.containsKey(e.getKey()))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** What a point's size is judged on: time up to {@link #LATENCY_BOUND_LIMIT}, bandwidth above. */
    public static Regression.Metric metricFor(PerfPoint p) {
        if (p.bytes() <= LATENCY_BOUND_LIMIT) return Regression.Metric.TIME_US;
        return p.world() == 1 ? Regression.Metric.ALGORITHM_BANDWIDTH : Regression.Metric.BUS_BANDWIDTH;
    }

    private static Map<Key, PerfPoint> index(List<PerfPoint> points, String side) {
        Map<Key, PerfPoint> index = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            PerfPoint previous = index.putIfAbsent(Key.of(p), p);
            if (previous != null) {
                throw new IllegalArgumentException("the " + side + " holds two points for one collective; compare one "
                        + "run of one cell with another: " + previous + " and " + p);
            }
        }
        return index;
    }

    /** A collective, regardless of the release or cell that ran it. */
    private record Key(Source source, int world, Collective collective, DataType dtype, long bytes, Placement placement,
                       TimingMode mode) {
        static Key of(PerfPoint p) {
            return new Key(p.source(), p.world(), p.collective(), p.dtype(), p.bytes(), p.placement(), p.mode());
        }
    }
}
