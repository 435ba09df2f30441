package io.ncclffm.harness.perf.judge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * The binding against nccl-tests, run in the same cell on the same library: at 8 B the binding's time may be at most
 * {@value #SMALL_TIME_LIMIT} × nccl-tests', and from {@link MessageSize#LARGE} (64 MiB) up its bandwidth at least
 * {@value #LARGE_BANDWIDTH_FLOOR} × nccl-tests' (bus bandwidth; algorithm bandwidth at world 1, where bus bandwidth
 * is 0 by definition). Being faster than nccl-tests passes: the goal is that the binding adds nothing, and a few
 * percent either way is the run's noise.
 *
 * <p>Each row pairs a Java launch point with the nccl-tests point of the same cell, world, collective, element
 * type, size and placement. One rank in place is left out: NCCL then has nothing to move for most collectives and
 * returns at once, so both sides time the host's enqueue rate.
 *
 * <p>At the smallest size a call takes a few µs, and separate processes differ by more than 5% from run to run
 * (the binding's process among them). So nccl-tests measures that size in several separate runs, and its point
 * carries each run's time. A row meets the goal within 1.05 × the median run. It misses only beyond 1.05 × the
 * slowest run: slower than any nccl-tests process was. In between it is <em>undecided</em>: the binding's one
 * process cannot be told from the spread of nccl-tests' own.
 *
 * <p>Where the cell also timed the same calls from C in the binding's process (the in-process C loop), java over
 * nccl-tests splits in two: java over C in the binding's process, which is the binding's own share, and C there
 * over nccl-tests, which is the same calls into the same library from two processes. A row beyond the goal whose
 * own share is within the in-process goal is put down to the <em>process</em>. The own share comes from the trials,
 * which alternate with C's ({@link InProcessRatios}). At the smallest size it is the median over the small-message
 * band ({@link OverheadSummary#SMALL_BAND}), as the in-process goal takes it: the binding's cost per call is the
 * same at each of those sizes, while one size alone moves by more than 5%. From 64 MiB, where nccl-tests runs once,
 * it is the ratio at the size, against the in-process goal ({@link OverheadSummary#LARGE_MESSAGE_GOAL}: at most 1%
 * longer); processes differ by a few percent there too (docs/validation.md has both cases). The in-process
 * comparison ({@link OverheadSummary}) judges the binding itself.
 */
public record NcclTestsComparison(List<Row> rows) {

    /** The binding's 8-byte time may be up to 5% above nccl-tests'. */
    public static final double SMALL_TIME_LIMIT = 1.05;
    /** From 64 MiB the binding's bandwidth must reach 97% of nccl-tests'. */
    public static final double LARGE_BANDWIDTH_FLOOR = 0.97;

    /** What a row compares. */
    public enum Metric { TIME_US, ALG_BW, BUS_BW }

    /**
     * One judged size.
     *
     * @param java      the binding's value
     * @param ncclTests nccl-tests' value
     */
    public record Row(String cell, String library, int world, Collective collective, DataType dtype, long bytes,
                      Placement placement, Metric metric, double java, double ncclTests, List<Double> ncclTestsRuns,
                      double cInProcess, double ownShare, int ownShareSizes) {

        /**
         * @param ncclTestsRuns every nccl-tests run's time at this size (time rows)
         * @param cInProcess    the in-process C loop's value at this size in the row's metric, or NaN where the cell
         *                      has none
         * @param ownShare      the binding's time over C's in its own process ({@link InProcessRatios}): at the
         *                      smallest size the median over the small-message band, from 64 MiB the ratio at the
         *                      size; NaN where the cell has no C loop
         * @param ownShareSizes how many sizes {@code ownShare} was taken over (1 from 64 MiB, 0 without it)
         */
        public Row {
            ncclTestsRuns = ncclTestsRuns == null ? List.of() : List.copyOf(ncclTestsRuns);
        }

        /**
         * Beyond the goal against nccl-tests, while the binding's own share is within the in-process goal against C
         * in its own process: at most 1.05 × C's time at the smallest size (over the band), 1.01 × from 64 MiB.
         */
        public boolean process() {
            if (Double.isNaN(ownShare) || ownShare <= 0) return false;
            return metric == Metric.TIME_US
                    ? ratio() > SMALL_TIME_LIMIT && ownShare <= SMALL_TIME_LIMIT
                    : ratio() < LARGE_BANDWIDTH_FLOOR && ownShare <= OverheadSummary.LARGE_MESSAGE_GOAL;
        }

        /** java/nccl-tests. */
        public double ratio() {
            return java / ncclTests;
        }

        /** The slowest of nccl-tests' separate runs at this size (its one value when it ran once). */
        public double slowestRun() {
            return ncclTestsRuns.stream().mapToDouble(Double::doubleValue).max().orElse(ncclTests);
        }

        /** The fastest of them. */
        public double fastestRun() {
            return ncclTestsRuns.stream().mapToDouble(Double::doubleValue).min().orElse(ncclTests);
        }

        public boolean misses() {
            if (process()) return false;
            return metric == Metric.TIME_US ? java > SMALL_TIME_LIMIT * slowestRun() : ratio() < LARGE_BANDWIDTH_FLOOR;
        }

        /** A time row above the goal against the median run but within it against the slowest run. */
        public boolean undecided() {
            return metric == Metric.TIME_US && ratio() > SMALL_TIME_LIMIT && !process() && !misses();
        }

        /** {@code ok}, {@code process}, {@code undecided} or {@code misses}. */
        public String outcome() {
            return misses() ? "misses" : process() ? "process" : undecided() ? "undecided" : "ok";
        }

        /** e.g. {@code 1.031 × C (median from 8 B to 64 KiB, 14 sizes)} or {@code 0.998 × C}; {@code –} without C. */
        public String ownShareText() {
            if (Double.isNaN(ownShare)) return "–";
            return String.format(Locale.ROOT, "%.3f × C", ownShare)
                    + (metric == Metric.TIME_US ? " (median " + OverheadSummary.SMALL_BAND + ", " + ownShareSizes + " size(s))" : "");
        }

        /** e.g. {@code perf-2.28.9 (NCCL 2.28.9) world 1 allGather bfloat16 out-of-place 64 MiB: algbw 1890.12 vs 1950.00 GB/s (0.969)}. */
        public String describe() {
            String what = switch (metric) {
                case TIME_US -> String.format(Locale.ROOT, "time %.2f vs %.2f µs", java, ncclTests);
                case ALG_BW -> String.format(Locale.ROOT, "algbw %.2f vs %.2f GB/s", java, ncclTests);
                case BUS_BW -> String.format(Locale.ROOT, "busbw %.2f vs %.2f GB/s", java, ncclTests);
            };
            String runs = ncclTestsRuns.size() < 2 ? "" : String.format(Locale.ROOT, "; nccl-tests' %d runs %.2f-%.2f µs",
                    ncclTestsRuns.size(), fastestRun(), slowestRun());
            String c = (Double.isNaN(cInProcess) ? "" : String.format(Locale.ROOT, "; C in the binding's process %.2f %s", cInProcess,
                    metric == Metric.TIME_US ? "µs" : "GB/s")) + (Double.isNaN(ownShare) ? "" : "; the binding's own share " + ownShareText());
            return (cell == null ? library : cell + " (" + library + ")") + " world " + world + " " + collective + " "
                    + dtype.shortName() + " " + placement + " " + MessageSize.label(bytes) + ": " + what + String.format(Locale.ROOT, " (%.3f)", ratio())
                    + runs + c;
        }
    }

    public NcclTestsComparison {
        rows = List.copyOf(rows);
    }

    /** Whether {@code points} hold any nccl-tests point at all. */
    public static boolean hasNcclTests(List<PerfPoint> points) {
        return points.stream().anyMatch(p -> p.source() == Source.NCCL_TESTS);
    }

    /**
     * The rows of every Java launch point at the smallest size both sides measured (8 B; 16 B for a gather or scatter
     * at one rank, which nccl-tests sizes in whole elements per rank) or from 64 MiB that nccl-tests measured too.
     */
    public static NcclTestsComparison of(List<PerfPoint> points) {
        return of(points, InProcessRatios.of(points));
    }

    /**
     * The same, with the binding's own share taken from {@code inProcess} (made from every run's points, where
     * {@code points} hold one run's per measurement).
     */
    public static NcclTestsComparison of(List<PerfPoint> points, InProcessRatios inProcess) {
        List<PerfPoint> reference = points.stream().filter(p -> p.source() == Source.NCCL_TESTS).toList();
        Map<Sweep, Long> smallest = new HashMap<>();
        for (PerfPoint r : reference) {
            if (r.bytes() > 0) smallest.merge(Sweep.of(r), r.bytes(), Math::min);
        }
        Map<At, PerfPoint> bySize = new HashMap<>();
        for (PerfPoint p : points) bySize.putIfAbsent(at(p.source(), p), p);
        List<Row> rows = new ArrayList<>();
        for (PerfPoint j : points) {
            if (j.source() != Source.JAVA || j.mode() != TimingMode.LAUNCH) continue;
            if (j.world() == 1 && j.placement() == Placement.IN_PLACE) continue;
            Long first = smallest.get(Sweep.of(j));
            boolean small = first != null && j.bytes() == Math.max(8, first) && j.bytes() <= SMALLEST_JUDGED;
            if (!small && j.bytes() < MessageSize.LARGE) continue;
            PerfPoint n = bySize.get(at(Source.NCCL_TESTS, j));
            if (n == null) continue;
            Metric metric = small ? Metric.TIME_US : j.world() == 1 ? Metric.ALG_BW : Metric.BUS_BW;
            double jv = value(metric, j);
            double nv = value(metric, n);
            if (nv <= 0) continue;  // nccl-tests printed 0.00 (a rounding of a tiny bandwidth): nothing to divide by
            PerfPoint c = bySize.get(at(Source.IN_PROCESS_C, j));
            double share = Double.NaN;
            int shareSizes = 0;
            if (small) {
                InProcessRatios.Band band = inProcess.band(Sweep.of(j));
                if (band != null) {
                    share = band.ratio();
                    shareSizes = band.sizes();
                }
            } else {
                java.util.OptionalDouble at = inProcess.at(j);
                if (at.isPresent()) {
                    share = at.getAsDouble();
                    shareSizes = 1;
                }
            }
            rows.add(new Row(j.cell(), j.library(), j.world(), j.collective(), j.dtype(), j.bytes(), j.placement(), metric, jv, nv,
                    metric == Metric.TIME_US ? n.trialsUs() : List.of(), c == null ? Double.NaN : value(metric, c), share, shareSizes));
        }
        rows.sort(Comparator.comparing((Row r) -> String.valueOf(r.cell())).thenComparingInt(Row::world)
                .thenComparing(Row::collective).thenComparing(r -> r.dtype().shortName())
                .thenComparing(r -> r.placement().label(), Comparator.reverseOrder()).thenComparingLong(Row::bytes));
        return new NcclTestsComparison(rows);
    }

    /** The largest size still judged on time as the small-message row: a few elements of any type. */
    static final long SMALLEST_JUDGED = 64;

    /** One source's point of a sweep at one size: what a Java point is paired with. */
    private record At(Source source, Sweep sweep, long bytes) {
    }

    /** {@code source}'s point at the sweep and size of {@code p}. */
    private static At at(Source source, PerfPoint p) {
        return new At(source, Sweep.of(p), p.bytes());
    }

    private static double value(Metric metric, PerfPoint p) {
        return switch (metric) {
            case TIME_US -> p.timeUs();
            case ALG_BW -> p.algBwGBs();
            case BUS_BW -> p.busBwGBs();
        };
    }

    public List<Row> misses() {
        return rows.stream().filter(Row::misses).toList();
    }

    public List<Row> undecided() {
        return rows.stream().filter(Row::undecided).toList();
    }

    /** The rows put down to the binding's process (see the class comment). */
    public List<Row> process() {
        return rows.stream().filter(Row::process).toList();
    }
}
