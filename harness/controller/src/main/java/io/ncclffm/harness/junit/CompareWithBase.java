package io.ncclffm.harness.junit;

import java.io.IOException;
import java.nio.file.Path;

import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.signoff.Side;
import io.ncclffm.harness.signoff.SignOff;
import io.ncclffm.harness.signoff.SignOffPage;

/**
 * {@value #BASE}: after a matrix run under Maven ({@code -Pgpu-matrix -Dncclffm.compare.base=reports/RUN-ID}), the
 * sign-off of moving from that run to this one, as {@code compare BASE CANDIDATE} makes it, written into this run's
 * folder. A NO-GO fails the build, after the run's own reports are written.
 */
final class CompareWithBase {

    /** The base run's folder ({@code RUNDIR}, or {@code RUNDIR@CELL} with this run's cell named the same). */
    static final String BASE = "ncclffm.compare.base";

    /** How many recent runs decide flakiness, as {@code compare} takes it by default. */
    private static final int WINDOW = 5;

    private CompareWithBase() {
    }

    /**
     * Compares {@code base} with the run in {@code runDir} and writes the page there.
     *
     * @throws AssertionError on NO-GO, with its reasons, or when {@code base} is no run's folder
     */
    static void signOff(String base, Path runDir) {
        SignOff s;
        try {
            Side b = Side.parse(base);
            String cell = b.cell();
            s = SignOff.compare(b, Side.parse(cell == null ? runDir.toString() : runDir + "@" + cell), WINDOW, null);
        } catch (IllegalArgumentException | IOException e) {
            throw new AssertionError(BASE + "=" + base + ": " + e.getMessage(), e);
        }
        SignOffPage page = new SignOffPage(s);
        RunFolder.writeAtomically(runDir.resolve("signoff.md"), page.toMarkdown());
        RunFolder.writeAtomically(runDir.resolve("signoff.html"), page.toHtml());
        System.out.printf("[ncclffm] sign-off against %s: %s%n[ncclffm] %s%n", base, runDir.resolve("signoff.html"), page.verdict());
        if (!s.go()) throw new AssertionError("sign-off against " + base + ": " + page.verdict());
    }
}
