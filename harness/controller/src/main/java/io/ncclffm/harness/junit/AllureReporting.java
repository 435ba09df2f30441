package io.ncclffm.harness.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;


import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.ReportCategory;
import io.ncclffm.harness.verdict.Verdict;

import io.qameta.allure.Allure;
import io.qameta.allure.model.Link;

/**
 * Labels, parameters and attachments of one dynamic test, for release sign-off in Allure: epic = library family,
 * feature = version, story = check family; a parameter per axis; and on anything but a pass, the evidence a
 * reviewer needs (first mismatching elements, every rank's log, NCCL's own log lines).
 */
final class AllureReporting {

    private AllureReporting() {
    }

    /**
     * Labels, parameters, history id and evidence of one verdict's test.
     *
     * @param cellRun which run of the cell at this world (1, 2, ...) when perf cells run several times, else 0: each
     *                run is a test of its own, never a retry of another
     */
    static void describe(Cell cell, int world, int cellRun, String launcher, Verdict v, CellRun run) {
        Allure.epic(cell.flavor().displayName());
        Allure.feature(cell.displayVersion());
        Allure.story(v.group());
        Allure.label("cell", cell.name());
        Allure.label("launcher", launcher);
        suites(cell.displayVersion(), cell.name(), "world " + world + (cellRun > 0 ? " run " + cellRun : ""));
        Allure.parameter("cell", cell.name());
        Allure.parameter("world", world);
        if (cellRun > 0) Allure.parameter("run", cellRun);
        for (String axis : new String[] {"dtype", "op", "count", "placement", "replays"}) {
            String value = v.params().get(axis);
            if (value != null) Allure.parameter(axis, value);
        }
        Allure.parameter("gpu", cell.gpu().toString());
        Provenance provenance = run == null ? null : Provenance.of(run);
        if (provenance != null && !provenance.files().isEmpty()) {
            // What the ranks really ran, not what the matrix names: every test of the cell run carries it.
            LibraryFile first = provenance.files().getFirst().file();
            Allure.parameter("library sha256", provenance.files().size() == 1 ? first.sha256() : "several, see the load check");
            if (first.buildLine() != null) Allure.parameter("library build", first.buildLine());
            if (first.newerThanBinding() != null) Allure.parameter("release", first.newerThanBinding());
        }
        if (provenance != null && v.checkId().equals(CheckGroup.LOAD)) {
            Allure.addAttachment("library provenance", "text/plain", String.join("\n", provenance.lines()));
            if (!provenance.parameters().isEmpty()) {
                Allure.parameter("NCCL parameters", provenance.parameterSummary());
                Allure.addAttachment("NCCL parameters", "text/plain", String.join("\n", provenance.parameterLines()));
            }
        }
        // Dynamic tests get positional history ids; a stable one keeps trends right when cells are reordered.
        String historyId = io.ncclffm.harness.report.AllureHistory.historyId(cell.name(), world, cellRun, v.checkId());
        Allure.getLifecycle().updateTestCase(tc -> tc.setHistoryId(historyId).setTestCaseId(historyId));
        Allure.description(v.message() == null ? "" : v.message());
        if (v.waived() != null) {
            Allure.getLifecycle().updateTestCase(tc -> tc.getLinks().add(new Link().setName("waiver: " + v.waived().kind())
                    .setUrl(v.waived().link()).setType("issue")));
        }
        if (v.stale() != null) Allure.addAttachment("stale waiver", "text/plain", "This check passed, so this waiver is stale: " + v.stale());
        if (v.status() == CheckStatus.PASSED) return;
        if (!v.mismatches().isEmpty()) {
            Allure.addAttachment("first mismatches", "text/plain",
                    v.mismatches().stream().map(Object::toString).collect(Collectors.joining("\n")));
        }
        Allure.addAttachment("per-rank results", "text/plain", v.perRank().entrySet().stream()
                .map(e -> "rank " + e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n")));
        if (run == null) return;
        for (RankOutput r : run.ranks()) {
            String log = tail(r.log(), LOG_TAIL_LINES);
            Allure.addAttachment("rank " + r.rank() + " log (" + r.ending() + ")", "text/plain", log.isEmpty() ? "(empty)" : log);
            String ncclLines = log.lines().filter(l -> l.contains("NCCL")).collect(Collectors.joining("\n"));
            if (!ncclLines.isEmpty()) Allure.addAttachment("rank " + r.rank() + " NCCL log (NCCL_DEBUG)", "text/plain", ncclLines);
        }
    }

    /** The message of a skipped test, led by the category Allure files it under ({@link ReportCategory#skipMessage}). */
    static String skipMessage(Verdict v) {
        return ReportCategory.skipMessage(v);
    }

    /**
     * A test's name: the check, then the cell and world, and the cell's run when it runs several times
     * ({@code cellRun} > 0), so that every name in a run is unique.
     */
    static String testName(String checkId, Cell cell, int world, int cellRun) {
        return checkId + " [" + cell.name() + ", world " + world + (cellRun > 0 ? ", run " + cellRun : "") + "]";
    }

    /** Enough of a rank's log to see what it did last, without copying megabytes into every failing test. */
    static final int LOG_TAIL_LINES = 400;

    static String tail(String log, int lines) {
        var all = collapseRepeats(log.lines().toList());
        if (all.size() <= lines) return String.join("\n", all);
        return "... (" + (all.size() - lines) + " earlier lines)\n" + String.join("\n", all.subList(all.size() - lines, all.size()));
    }

    /**
     * A line repeated back to back (blank lines between the repeats aside) kept once, with how often it came
     * again: a proxy thread that logs the same socket error in a loop must not push what the rank did before it
     * out of the tail.
     */
    static List<String> collapseRepeats(List<String> lines) {
        List<String> out = new ArrayList<>();
        String last = null;
        int repeats = 0;
        int blanks = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                blanks++;
                continue;
            }
            if (line.equals(last)) {
                repeats++;
                blanks = 0;
                continue;
            }
            if (repeats > 0) out.add("... (the line above " + repeats + " more time(s))");
            repeats = 0;
            for (; blanks > 0; blanks--) out.add("");
            out.add(line);
            last = line;
        }
        if (repeats > 0) out.add("... (the line above " + repeats + " more time(s))");
        for (; blanks > 0; blanks--) out.add("");
        return out;
    }

    /**
     * Allure's Suites tree: release, then cell, then world (and run), in place of the one class every dynamic test of the
     * matrix belongs to, which would make one flat list of thousands of tests.
     */
    static void suites(String release, String cell, String world) {
        Allure.getLifecycle().updateTestCase(tc -> {
            tc.getLabels().removeIf(l -> SUITE_LABELS.contains(l.getName()));
            tc.getLabels().add(new io.qameta.allure.model.Label().setName("parentSuite").setValue(release));
            tc.getLabels().add(new io.qameta.allure.model.Label().setName("suite").setValue(cell));
            tc.getLabels().add(new io.qameta.allure.model.Label().setName("subSuite").setValue(world));
        });
    }

    private static final java.util.Set<String> SUITE_LABELS = java.util.Set.of("parentSuite", "suite", "subSuite");

}
