package io.ncclffm.harness.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.report.RunJournal;
import io.ncclffm.harness.report.RunRebuild;

/** {@code report --rebuild RUNDIR}: the grid and gate of a run, rebuilt from its journal. */
final class ReportCommand implements Command {

    private static final String USAGE = """
            usage: %s report --rebuild RUNDIR

            Rebuilds grid.md, grid.html and gate.txt of the run in RUNDIR (e.g. reports/latest) from its journal,
            verdicts.jsonl, which a run appends each verdict to as it is known. For a run that was killed: the gate
            is never PASS for a run that did not finish, and names every cell run that never finished.

            options:
              --rebuild RUNDIR the run's folder; required
              --help, -h       print this text

            exit status: 0 the rebuilt gate passed (the run finished), 1 it did not, 2 usage error or no run's folder""".formatted(Main.LAUNCH);

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, List.of("--rebuild"), List.of(), "--rebuild RUNDIR");
        String runDir = options.get("--rebuild");
        if (runDir == null) throw new Options.UsageError("missing option --rebuild RUNDIR (the run's folder, e.g. reports/latest)");
        RunRebuild.Result r;
        try {
            r = RunRebuild.rebuild(Path.of(runDir));
        } catch (IllegalArgumentException | IOException e) {
            err.println(e instanceof NoSuchFileException ? runDir + " does not exist" : e.getMessage());
            return Main.ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        out.println("[ncclffm] gate: " + r.gate().headline());
        r.gate().unfinished().forEach(u -> out.println("[ncclffm] never finished: " + u));
        out.println("[ncclffm] rebuilt from " + r.cellRuns() + " cell run(s) in " + r.runDir().resolve(RunJournal.FILE) + ": "
                + r.runDir().resolve("grid.html") + ", " + r.runDir().resolve(RunFolder.GATE));
        return (r.gate().passed() ? Main.ExitCode.PASSED : Main.ExitCode.FAILED).code();
    }
}
