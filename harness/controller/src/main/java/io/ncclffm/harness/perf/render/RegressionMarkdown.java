package io.ncclffm.harness.perf.render;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.judge.CandidateJudgement;
import io.ncclffm.harness.perf.judge.CandidateJudgement.RunValues;
import io.ncclffm.harness.perf.judge.MessageSize;
import io.ncclffm.harness.perf.judge.Regression;
import io.ncclffm.harness.perf.judge.RegressionCheck;
import io.ncclffm.harness.perf.judge.RegressionJudgement;
import io.ncclffm.harness.perf.judge.TrialComparison;
import io.ncclffm.harness.protocol.PerfPoint;

/**
 * The regression check's report ({@code regressions.md}), written from its judgement: the rule, how the sides were
 * had, then each candidate cell's section with what counts and what was seen but not counted, and why.
 */
public final class RegressionMarkdown {

    private RegressionMarkdown() {
    }

    public static String of(RegressionJudgement judgement) {
        StringBuilder out = new StringBuilder();
        Matrix.PerfPolicy policy = judgement.policy();
        out.append("# Regression check against ").append(policy.baseline()).append(" (")
                .append(policy.baselineCells().stream().sorted().collect(Collectors.joining(", "))).append(")\n\n");
        out.append(rule(judgement)).append(pairing(judgement));
        if (!policy.notJudgedWorlds().isEmpty()) {
            out.append("Not judged: world(s) ").append(policy.notJudgedWorlds().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" (").append(policy.notJudgedReason()).append(").\n\n");
        }
        for (CandidateJudgement candidate : judgement.candidates()) section(out, candidate, judgement.alpha());
        if (judgement.candidates().isEmpty()) out.append("No perf cell besides the baseline measured anything to compare.\n");
        return out.toString();
    }

    private static String rule(RegressionJudgement judgement) {
        return String.format(Locale.ROOT, "A change counts when the candidate's median is worse by more than %d%% "
                        + "(time up to %s, bandwidth above), its trials are slower %s at alpha = %s, and the in-process C "
                        + "loop (c-inproc) of the same cells is worse the same way at the same size (a graph row is "
                        + "confirmed by C's launch row), and at least %d neighbouring sizes of the same sweep regressed "
                        + "with it (all of them, where the sweep has fewer in that range): a slower NCCL is slower from C "
                        + "too, a change seen through the binding alone is that run's JVM, and one size slower in one "
                        + "process, C included, is that process.\n\n",
                Math.round(judgement.policy().threshold() * 100), MessageSize.label(RegressionCheck.LATENCY_BOUND_LIMIT),
                judgement.paired() ? "pair by pair by a one-sided Wilcoxon signed-rank test on the log of each pair's ratio "
                        + "(n pairs reach p = 2^-n at best; " + TrialComparison.MIN_PAIRS + " are needed)"
                        : "by a one-sided Mann-Whitney U test (5 trials against 5 reach p = 1/252 = 0.004 at best)",
                judgement.alpha(), RegressionCheck.BAND);
    }

    private static String pairing(RegressionJudgement judgement) {
        String runs = judgement.runs().stream().map(r -> r.cell() + " " + r.runs()).collect(Collectors.joining(", "));
        if (judgement.paired()) {
            return String.format(Locale.ROOT, "Pairing: in process. Each candidate process loaded the baseline's "
                    + "library beside its own, each with a communicator on the same device, buffers and stream, and timed "
                    + "every trial of a size from both, one right after the other (the baseline first in every other "
                    + "trial): whatever the host does to both trials of a pair cancels in their ratio. Each side of a size "
                    + "is the trials of all %d run(s) pooled; the baseline's own cell is not what the candidate is "
                    + "compared with. Runs measured: %s.%n%n", judgement.policy().runs(), runs);
        }
        List<String> once = judgement.runs().stream().filter(r -> r.runs() < 2).map(RegressionJudgement.CellRuns::cell).toList();
        return String.format(Locale.ROOT, "Pairing: across processes. Each perf cell runs %d time(s) (perf.runs), "
                        + "each in a new process, in turn with the others, and each size is judged on each side's median "
                        + "run: one process can be slower than the next for its whole life, C in it included. Runs "
                        + "measured: %s.%s%n%n", judgement.policy().runs(), runs,
                once.isEmpty() ? "" : " With one run, " + String.join(", ", once) + " cannot tell a slower process from a "
                        + "slower release.");
    }

    /** One candidate's section: its heading, what counts, then what was seen but not counted. */
    private static void section(StringBuilder out, CandidateJudgement c, double alpha) {
        out.append("## ").append(c.summary()).append("\n\n");
        for (CandidateJudgement.Confirmed r : c.confirmed()) {
            out.append("- ").append(r.java().describe())
                    .append(String.format(Locale.ROOT, "; C: %+.1f%% (p=%s)", r.c().change() * 100, Regression.p(r.c().pValue())))
                    .append(runs(r.runs())).append('\n');
        }
        if (!c.unconfirmed().isEmpty()) {
            out.append("\nNot confirmed by the in-process C loop (C's change for the same collective in brackets):\n\n");
            for (CandidateJudgement.Unconfirmed r : c.unconfirmed()) {
                out.append("- ").append(r.java().describe()).append(" [C: ")
                        .append(r.cChange() == null ? "not measured (set NCCLFFM_PERF_C_LOOP)" : change(r.cChange()))
                        .append("]").append(runs(r.runs())).append('\n');
            }
        }
        if (!c.isolated().isEmpty()) {
            out.append("\nSignificant, but they stand alone: fewer than ").append(RegressionCheck.BAND)
                    .append(" neighbouring sizes of the same sweep regressed with them, so they are not counted:\n\n");
            for (CandidateJudgement.Isolated r : c.isolated()) out.append("- ").append(r.java().describe()).append(runs(r.runs())).append('\n');
        }
        if (!c.notSignificant().isEmpty()) {
            out.append("\nBeyond the threshold, but the trials overlap too much to tell from noise (p > ").append(alpha).append("):\n\n");
            for (Regression r : c.notSignificant()) out.append("- ").append(r.describe()).append('\n');
        }
        if (!c.unpaired().isEmpty()) {
            out.append("\nNot timed beside the baseline, so not compared (the cell's perf/paired-baseline checks say why):\n\n");
            for (PerfPoint p : c.unpaired()) out.append("- ").append(CandidateJudgement.measurement(p)).append('\n');
        }
        out.append('\n');
    }

    /** C's change for a row it did not confirm, as the C loop's comparison of the same two sides found it. */
    private static String change(Regression r) {
        return String.format(Locale.ROOT, "%s %.2f %s -> %.2f %s (%+.1f%%, p=%s)", r.metric().shortName(), r.baseline(),
                r.metric().unit(), r.candidate(), r.metric().unit(), r.change() * 100, Regression.p(r.pValue()));
    }

    /**
     * Each run's value on both sides, e.g. {@code ; runs: perf-a 4.07, 4.42, 4.18 µs; perf-b 6.10, 5.02, 6.22 µs}:
     * what the median run was taken from. Empty where each side ran once.
     */
    private static String runs(RunValues runs) {
        if (!runs.several()) return "";
        StringBuilder out = new StringBuilder();
        for (RunValues.Side side : runs.sides()) {
            out.append(out.isEmpty() ? "; runs: " : "; ").append(side.label()).append(' ')
                    .append(side.values().stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(", ")))
                    .append(' ').append(side.metric().unit());
        }
        return out.toString();
    }
}
