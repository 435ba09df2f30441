package io.ncclffm.harness.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.signoff.Side;
import io.ncclffm.harness.signoff.SignOff;
import io.ncclffm.harness.signoff.SignOffPage;

/** {@code compare BASE CANDIDATE}: the sign-off of moving from one run (or cell) to another. */
final class CompareCommand implements Command {

    static final String MARKDOWN = "signoff.md";
    static final String HTML = "signoff.html";

    private static final String USAGE = """
            usage: %s compare BASE CANDIDATE [--out DIR] [--flaky-window N] [--threshold FRACTION]

            May we move from what BASE ran to CANDIDATE? Each is a run's folder (RUNDIR, e.g. reports/latest) or one
            cell of a run (RUNDIR@CELL), so that two runs, or two releases of one run, are compared. Lists per check
            family and cell run what now fails, what was fixed, what is newly skipped or not run, what only one side
            has; waivers no longer needed and failures a waiver now hides; perf per collective, type and size,
            judged by the perf gate's statistics where both sides have trials; and provenance changes (library
            hash, NCCL settings, GPUs, driver, CUDA). A check that both passed and failed in the last N runs of the
            same library on the same host (the runs beside BASE and CANDIDATE) is flaky: neither a regression nor a
            fix. Writes signoff.md and signoff.html, whose last line is GO or NO-GO with the reasons.

            options:
              --out DIR             where the page goes (default: CANDIDATE's run folder)
              --flaky-window N      how many recent runs decide flakiness (default 5)
              --threshold FRACTION  the tolerated perf slowdown, e.g. 0.10 (default: the candidate matrix's perf
                                    threshold, else 0.10)
              --help, -h            print this text

            exit status: 0 GO, 1 NO-GO, 2 usage error or a folder that is no run's""".formatted(Main.LAUNCH);

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                options.add(args[i]);
                if (i + 1 < args.length) options.add(args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 2) {
            throw new Options.UsageError("expected two runs, BASE and CANDIDATE (RUNDIR or RUNDIR@CELL); got " + positional.size() + ": " + positional);
        }
        Options o = Options.parse(options.toArray(String[]::new), List.of("--out", "--flaky-window", "--threshold"), List.of(),
                "--out DIR, --flaky-window N or --threshold FRACTION");
        int window = positive(o.getOrDefault("--flaky-window", "5"));
        Double threshold = o.has("--threshold") ? fraction(o.get("--threshold")) : null;
        SignOff signOff;
        try {
            signOff = SignOff.compare(Side.parse(positional.get(0)), Side.parse(positional.get(1)), window, threshold);
        } catch (IllegalArgumentException | IOException e) {
            err.println(e.getMessage());
            return Main.ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        SignOffPage page = new SignOffPage(signOff);
        Path dir = o.has("--out") ? Path.of(o.get("--out")) : signOff.candidate().dir();
        RunFolder.writeAtomically(dir.resolve(MARKDOWN), page.toMarkdown());
        RunFolder.writeAtomically(dir.resolve(HTML), page.toHtml());
        out.println("[ncclffm] sign-off: " + dir.resolve(MARKDOWN) + ", " + dir.resolve(HTML));
        out.println(page.verdict());
        return (signOff.go() ? Main.ExitCode.PASSED : Main.ExitCode.FAILED).code();
    }

    private static int positive(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new Options.UsageError("--flaky-window '" + s + "': expected a whole number of runs, at least 1");
    }

    private static double fraction(String s) {
        try {
            double d = Double.parseDouble(s);
            if (d > 0 && d < 1) return d;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new Options.UsageError("--threshold '" + s + "': expected a fraction in (0, 1), e.g. 0.10 for 10%");
    }
}
