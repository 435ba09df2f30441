package io.ncclffm.harness.perf.judge;

import java.util.List;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * What the regression check found for one candidate cell against the baseline: the regressions that count, and
 * everything it saw but did not count, each with why.
 *
 * @param cell           the candidate cell
 * @param library        its library, e.g. {@code NCCL 2.28.9}
 * @param paired         whether it was judged pair by pair, against the baseline's library timed in its own processes
 * @param compared       how many of its measurements had a baseline to be compared with
 * @param confirmed      the regressions that count: significant, sustained over a band of sizes, and confirmed by
 *                       the in-process C loop of the same cells
 * @param unconfirmed    significant and sustained through the binding, but not confirmed by the C loop
 * @param isolated       significant, but without {@link RegressionCheck#BAND} neighbouring sizes regressed beside them
 * @param notSignificant beyond the threshold, but the trials overlap too much to tell from noise
 * @param missing        baseline points the candidate did not measure
 * @param unpaired       the candidate's measurements its processes did not time beside the baseline (in process)
 */
public record CandidateJudgement(String cell, String library, boolean paired, int compared, List<Confirmed> confirmed,
                                 List<Unconfirmed> unconfirmed, List<Isolated> isolated, List<Regression> notSignificant,
                                 List<PerfPoint> missing, List<PerfPoint> unpaired) {

    public CandidateJudgement {
        confirmed = List.copyOf(confirmed);
        unconfirmed = List.copyOf(unconfirmed);
        isolated = List.copyOf(isolated);
        notSignificant = List.copyOf(notSignificant);
        missing = List.copyOf(missing);
        unpaired = List.copyOf(unpaired);
    }

    /** A regression that counts, with the C loop's regression that confirms it and each run's values. */
    public record Confirmed(Regression java, Regression c, RunValues runs) {
    }

    /**
     * A regression through the binding that the C loop does not confirm, with C's change for the same collective
     * ({@code null} where the C loop did not time it) and each run's values.
     */
    public record Unconfirmed(Regression java, Regression cChange, RunValues runs) {
    }

    /** A significant regression that stands alone, with each run's values. */
    public record Isolated(Regression java, RunValues runs) {
    }

    /**
     * Each run's value, in run order, of what a regression compares, on both sides: what the median run was taken
     * from. Where the pairing is in process, the baseline's side is its values timed in the candidate's processes.
     */
    public record RunValues(List<Side> sides) {

        public RunValues {
            sides = List.copyOf(sides);
        }

        /** One side's values, labelled by its cell ({@code perf-a}, or {@code perf-a in perf-b's processes}). */
        public record Side(String label, List<Double> values, Regression.Metric metric) {
        }

        /** Whether any side ran more than once: otherwise there is nothing to show beside the medians. */
        public boolean several() {
            return sides.stream().anyMatch(s -> s.values().size() > 1);
        }
    }

    /** The regressions that count. */
    public List<Regression> regressions() {
        return confirmed.stream().map(Confirmed::java).toList();
    }

    /** One line: what the check found for this cell, the heading of its section of the report. */
    public String summary() {
        return cell + " (" + library + "): "
                + (confirmed.isEmpty() ? "no regression" : confirmed.size() + " regression(s)")
                + " in " + compared + " measurement(s) compared" + (paired ? " pair by pair" : "")
                + (unconfirmed.isEmpty() ? "" : ", " + unconfirmed.size() + " not confirmed by the in-process C loop")
                + (isolated.isEmpty() ? "" : ", " + isolated.size()
                        + " significant but standing alone (fewer than " + RegressionCheck.BAND + " neighbouring sizes)")
                + (notSignificant.isEmpty() ? "" : ", " + notSignificant.size() + " beyond the threshold but not significant")
                + (missing.isEmpty() ? "" : ", " + missing.size() + " baseline point(s) not measured")
                + (unpaired.isEmpty() ? "" : ", " + unpaired.size() + " measurement(s) not timed beside the baseline");
    }

    /** Why nothing of this cell was compared, or {@code null} when something was: a check that compared nothing fails. */
    public String uncompared() {
        if (compared > 0) return null;
        return cell + " (" + library + "): nothing was compared with the baseline"
                + (paired ? ": its processes timed no measurement of the baseline's library beside their own" : "");
    }

    /** What a point measured, for a report line: source, world, collective, type, size, placement and mode. */
    public static String measurement(PerfPoint p) {
        return p.source() + " world " + p.world() + " " + p.collective() + " " + p.dtype().shortName() + " " + p.placement()
                + " " + p.mode() + " " + MessageSize.label(p.bytes());
    }
}
