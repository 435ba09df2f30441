package io.ncclffm.harness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The sign-off grid: the gate's verdict, date, commit and matrix file on top; check families down, cell runs
 * across (named by cell, with the release and launcher under the name). Each entry says ✓, ✗ (with how many of
 * the family's checks failed), ⚠ broken (both counts when a family has both), or skipped/waived with the reason.
 * Markdown for the merge request, HTML beside the Allure report.
 */
public final class CompatibilityGrid {

    /** One grid entry. */
    public record Entry(CheckStatus status, String text, String detail) {
    }

    private final List<CellSummary> columns;
    private final List<String> rows;
    private final Map<String, Map<String, Entry>> entries = new LinkedHashMap<>();
    private final Gate gate;
    private final RunInfo info;
    /** What the heading says of the previous run's grid, or {@code null} when it was not asked. */
    private String since;

    public CompatibilityGrid(List<CellSummary> columns, Gate gate, RunInfo info) {
        this.gate = gate;
        this.info = info;
        this.columns = List.copyOf(columns);
        Set<String> rowSet = new LinkedHashSet<>();
        for (CellSummary c : columns) for (Verdict v : c.verdicts()) rowSet.add(v.group());
        this.rows = new ArrayList<>(rowSet);
        for (CellSummary c : columns) {
            Map<String, List<Verdict>> byGroup = new LinkedHashMap<>();
            for (Verdict v : c.verdicts()) byGroup.computeIfAbsent(v.group(), k -> new ArrayList<>()).add(v);
            byGroup.forEach((group, vs) -> entries.computeIfAbsent(group, k -> new LinkedHashMap<>()).put(c.column(), entry(vs)));
        }
    }

    static Entry entry(List<Verdict> vs) {
        int passed = 0, failed = 0, broken = 0, skipped = 0, waived = 0;
        Verdict firstFailed = null, firstBroken = null, firstSkipped = null;
        for (Verdict v : vs) {
            switch (v.status()) {
                case PASSED -> passed++;
                case FAILED -> { failed++; if (firstFailed == null) firstFailed = v; }
                case BROKEN -> { broken++; if (firstBroken == null) firstBroken = v; }
                case SKIPPED -> {
                    skipped++;
                    if (v.waived() != null) waived++;
                    if (firstSkipped == null) firstSkipped = v;
                }
            }
        }
        int n = vs.size();
        if (broken > 0 && failed > 0) {
            return new Entry(CheckStatus.BROKEN, "✗ " + failed + "/" + n + " failed, ⚠ " + broken + "/" + n + " broken",
                    firstFailed.checkId() + ": " + firstFailed.message() + " | " + firstBroken.checkId() + ": " + firstBroken.message());
        }
        if (broken > 0) {
            return new Entry(CheckStatus.BROKEN, "⚠ " + broken + "/" + n + " broken", firstBroken.checkId() + ": " + firstBroken.message());
        }
        if (failed > 0) {
            return new Entry(CheckStatus.FAILED, "✗ " + failed + "/" + n + " failed", firstFailed.checkId() + ": " + firstFailed.message());
        }
        if (skipped == n) {
            String reason = shortReason(firstSkipped);
            return new Entry(CheckStatus.SKIPPED, (waived > 0 ? "waived: " : "skipped: ") + reason, firstSkipped.message());
        }
        if (skipped > 0) {
            return new Entry(CheckStatus.PASSED, "✓ " + passed + ", " + skipped + " skipped (" + shortReason(firstSkipped) + ")",
                    firstSkipped.checkId() + ": " + firstSkipped.message());
        }
        return new Entry(CheckStatus.PASSED, "✓ " + passed, passed + " check(s) passed");
    }

    private static String shortReason(Verdict v) {
        String m = v.waived() != null ? v.waived().reason() : v.firstRankMessage() == null ? "" : v.firstRankMessage();
        if (v.waived() == null) {
            int semi = m.indexOf("; ");
            if (semi > 0) m = m.substring(0, semi);
        }
        return m.length() > 90 ? m.substring(0, 87) + "..." : m;
    }

    /**
     * Marks each entry whose checks ended otherwise in {@code previous} (the run before this one in its reports folder):
     * its text gains {@code Δ}, its detail what it was. An entry the previous run does not have is not marked.
     *
     * @param previous the previous run's record, or {@code null} when there is none
     * @return this grid
     */
    public CompatibilityGrid markChangesSince(RunManifest previous) {
        if (previous == null) {
            since = "No earlier run in this reports folder to mark changes against";
            return this;
        }
        int changed = 0;
        for (RunManifest.CellRun cr : previous.cellRuns()) {
            Map<String, Map<String, CheckStatus>> was = new LinkedHashMap<>();
            for (RunManifest.Check k : cr.checks()) was.computeIfAbsent(k.family(), f -> new java.util.TreeMap<>()).put(k.id(), k.status());
            CellSummary now = columns.stream().filter(c -> c.column().equals(cr.column())).findFirst().orElse(null);
            if (now == null) continue;
            Map<String, Map<String, CheckStatus>> is = new LinkedHashMap<>();
            for (Verdict v : now.verdicts()) is.computeIfAbsent(v.group(), f -> new java.util.TreeMap<>()).put(v.checkId(), v.status());
            for (Map.Entry<String, Map<String, CheckStatus>> e : is.entrySet()) {
                Map<String, CheckStatus> before = was.get(e.getKey());
                Entry current = entry(e.getKey(), cr.column());
                if (before == null || before.equals(e.getValue()) || current == null) continue;
                entries.get(e.getKey()).put(cr.column(), new Entry(current.status(), current.text() + " Δ",
                        "changed since run " + previous.run().runId() + ", which had " + counts(before) + " | " + current.detail()));
                changed++;
            }
        }
        since = "Δ: " + changed + " entr" + (changed == 1 ? "y" : "ies") + " changed since the previous run, " + previous.run().runId()
                + " (" + previous.outcome().result() + ")";
        return this;
    }

    private static String counts(Map<String, CheckStatus> statuses) {
        Map<CheckStatus, Integer> n = new java.util.EnumMap<>(CheckStatus.class);
        statuses.values().forEach(s -> n.merge(s, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        n.forEach((s, k) -> parts.add(k + " " + s.name().toLowerCase(java.util.Locale.ROOT)));
        return String.join(", ", parts);
    }

    public Entry entry(String row, String column) {
        return entries.getOrDefault(row, Map.of()).get(column);
    }

    public List<String> rows() {
        return rows;
    }

    /** The lines above the table: the gate and what was run, when and from which commit. */
    private List<String> heading() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("Gate: " + gate.headline());
        lines.add(gate.counts().toString());
        if (info != null) {
            lines.add("Run " + info.runId() + " · matrix " + info.matrixFile() + " · started " + info.started() + " · harness commit "
                    + info.commit());
        }
        if (!gate.unfinished().isEmpty()) lines.add("Never finished: " + String.join(", ", gate.unfinished()));
        if (since != null) lines.add(since);
        return lines;
    }

    /** A column's heading: the cell's name, then its release and launcher, then the world size (and run, if several). */
    private static String[] heads(CellSummary c) {
        return new String[] {c.cell(), c.release() + " · " + c.launcher(),
                "world " + c.world() + (c.run() > 0 ? " · run " + c.run() : "")};
    }

    /**
     * The grid in Markdown. Everything it takes from the matrix file or the ranks (names, releases, messages, paths)
     * is escaped ({@link #md}, {@link #code}), so that a release written as {@code ROCm 5.4 | <b>} stays one cell of
     * its table and is shown as written.
     */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("# ncclffm compatibility grid\n\n");
        for (String line : heading()) sb.append("- ").append(md(line)).append('\n');
        sb.append('\n');
        markdownGrid(sb);
        markdownWallTimes(sb);
        markdownLibraries(sb);
        markdownPairs(sb);
        return sb.toString();
    }

    private void markdownGrid(StringBuilder sb) {
        sb.append("| check |");
        for (CellSummary c : columns) {
            String[] h = heads(c);
            sb.append(" **").append(md(h[0])).append("**<br>").append(md(h[1])).append("<br>").append(md(h[2])).append(" |");
        }
        sb.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
        for (String row : rows) {
            sb.append("| ").append(md(row)).append(" |");
            for (CellSummary c : columns) {
                Entry e = entry(row, c.column());
                sb.append(' ').append(e == null ? "–" : md(e.text())).append(" |");
            }
            sb.append('\n');
        }
    }

    /** The intro of the wall-time table, in both forms. */
    private static final String WALL_TIMES = "Wall time of each cell run, rank 0's communicator init (the first run of a release whose"
            + " kernels the driver compiles from PTX shows that one-time cost there), and the host each rank ran on, as its"
            + " worker named it (under Slurm, the nodes and placement Slurm decided):";
    private static final List<String> WALL_HEADS = List.of("cell", "release", "launcher", "world", "wall time", "comm init", "placement");
    private static final String LIBRARIES = "The file each rank really ran, as its worker hashed it after loading it, beside the sha256"
            + " the matrix pins:";
    private static final List<String> LIBRARY_HEADS = List.of("cell run", "ranks", "file", "size", "sha256", "NCCL build", "pin");
    /** The columns of the libraries' table that are code (a path, a hash). */
    private static final Set<Integer> LIBRARY_CODE = Set.of(2, 4);
    private static final List<String> PAIR_HEADS = List.of("pair", "world", "outcome");

    /** Each cell run's wall time and rank 0's communicator init, as text, one row per column of the grid. */
    private List<List<String>> wallTimeRows() {
        List<List<String>> rows = new ArrayList<>();
        for (CellSummary c : columns) {
            rows.add(List.of(c.cell(), c.release(), c.launcher(), c.world() + (c.run() > 0 ? " (run " + c.run() + ")" : ""),
                    String.format("%.1f s", c.wall().toMillis() / 1000.0),
                    c.initMillis() < 0 ? "–" : String.format("%.1f s", c.initMillis() / 1000.0), c.placement().toString()));
        }
        return rows;
    }

    /** Every file each cell run's ranks ran, with its pin, as text. */
    private List<List<String>> libraryRows() {
        List<List<String>> rows = new ArrayList<>();
        for (CellSummary c : columns) {
            if (c.provenance().files().isEmpty()) rows.add(List.of(c.column(), "–", "", "", "", "", "no rank said which file it ran"));
            for (Provenance.RankFiles f : c.provenance().files()) {
                rows.add(List.of(c.column(), String.join(", ", f.ranks().stream().map(String::valueOf).toList()), f.file().path(),
                        Long.toString(f.file().size()), f.file().sha256(), buildText(f.file()),
                        pinText(c.provenance(), f)));
            }
        }
        return rows;
    }

    /** NCCL's build line, and the binding's note where the release is newer than it knows. */
    private static String buildText(LibraryFile file) {
        String build = file.buildLine() == null ? "–" : file.buildLine();
        return file.newerThanBinding() == null ? build : build + " (" + file.newerThanBinding() + ")";
    }

    /** The mixed-release pairs and their outcome, as text. */
    private List<List<String>> pairRows() {
        List<List<String>> rows = new ArrayList<>();
        for (CellSummary c : columns.stream().filter(CellSummary::mixed).toList()) {
            Verdict pair = c.verdicts().stream().filter(v -> v.checkId().equals(io.ncclffm.harness.verdict.CellVerdicts.MIXED_PAIR))
                    .findFirst().orElse(null);
            String outcome = pair == null ? "not judged: " + c.verdicts().getFirst().message()
                    : (pair.status() == CheckStatus.PASSED ? "" : pair.status().name() + ": ") + pair.message();
            rows.add(List.of(c.release(), Integer.toString(c.world()), outcome));
        }
        return rows;
    }

    /** A Markdown table; the columns in {@code code} as code spans, the rest escaped. */
    private static void markdownTable(StringBuilder sb, List<String> heads, Set<Integer> code, List<List<String>> rows) {
        sb.append("| ").append(String.join(" | ", heads)).append(" |\n|").append("---|".repeat(heads.size())).append('\n');
        for (List<String> r : rows) {
            sb.append('|');
            for (int i = 0; i < r.size(); i++) {
                String v = r.get(i);
                sb.append(' ').append(v.isEmpty() ? "" : code.contains(i) ? code(v) : md(v)).append(" |");
            }
            sb.append('\n');
        }
    }

    /** An HTML table, every text escaped; the columns in {@code code} in {@code <code>}. */
    private static void htmlTable(StringBuilder sb, List<String> heads, Set<Integer> code, List<List<String>> rows) {
        sb.append("<table><tr>");
        heads.forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr>\n");
        for (List<String> r : rows) {
            sb.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                String v = esc(r.get(i));
                sb.append("<td>").append(code.contains(i) && !v.isEmpty() ? "<code>" + v + "</code>" : v).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private void markdownWallTimes(StringBuilder sb) {
        sb.append('\n').append(WALL_TIMES).append("\n\n");
        markdownTable(sb, WALL_HEADS, Set.of(), wallTimeRows());
    }

    private void markdownLibraries(StringBuilder sb) {
        sb.append("\n## Libraries the ranks ran\n\n").append(LIBRARIES).append("\n\n");
        markdownTable(sb, LIBRARY_HEADS, LIBRARY_CODE, libraryRows());
        List<List<String>> parameters = parameterRows();
        if (parameters.isEmpty()) return;
        sb.append("\n## NCCL parameters\n\n").append(PARAMETERS).append("\n\n");
        markdownTable(sb, PARAMETER_HEADS, Set.of(), parameters);
    }

    /** The intro of the parameters table, in both forms. */
    private static final String PARAMETERS = "Where the release has NCCL's parameter API (2.30.4 and later): how many parameters"
            + " NCCL listed, and those not at its default, with their source. Every key with its value and source is in the"
            + " run's manifest.json and in the Allure report's load check.";
    private static final List<String> PARAMETER_HEADS = List.of("cell run", "ranks", "parameters", "not at NCCL's default");

    /** One row per cell run and set of ranks that reported the same parameters. */
    private List<List<String>> parameterRows() {
        List<List<String>> rows = new ArrayList<>();
        for (CellSummary c : columns) {
            for (Provenance.RankParameters p : c.provenance().parameters()) {
                List<String> set = p.notDefault();
                rows.add(List.of(c.column(), String.join(", ", p.ranks().stream().map(String::valueOf).toList()),
                        Integer.toString(p.settings().size()), set.isEmpty() ? "–" : String.join(", ", set)));
            }
        }
        return rows;
    }

    private void markdownPairs(StringBuilder sb) {
        List<List<String>> rows = pairRows();
        if (rows.isEmpty()) return;
        sb.append("\n## Mixed-release pairs\n\n");
        markdownTable(sb, PAIR_HEADS, Set.of(), rows);
    }

    /** The tables below the grid, in HTML: what {@link #toMarkdown} has below it, from the same rows. */
    private void htmlTables(StringBuilder sb) {
        sb.append("<h2>Wall times</h2>\n<p>").append(esc(WALL_TIMES)).append("</p>\n");
        htmlTable(sb, WALL_HEADS, Set.of(), wallTimeRows());
        sb.append("<h2>Libraries the ranks ran</h2>\n<p>").append(esc(LIBRARIES)).append("</p>\n");
        htmlTable(sb, LIBRARY_HEADS, LIBRARY_CODE, libraryRows());
        List<List<String>> parameters = parameterRows();
        if (!parameters.isEmpty()) {
            sb.append("<h2>NCCL parameters</h2>\n<p>").append(esc(PARAMETERS)).append("</p>\n");
            htmlTable(sb, PARAMETER_HEADS, Set.of(), parameters);
        }
        List<List<String>> pairs = pairRows();
        if (pairs.isEmpty()) return;
        sb.append("<h2>Mixed-release pairs</h2>\n");
        htmlTable(sb, PAIR_HEADS, Set.of(), pairs);
    }

    /**
     * Text for a Markdown table cell or list item: what would end the cell ({@code |}, a line break), start HTML
     * ({@code <}, {@code >}, {@code &}) or format ({@code \}, {@code `}, {@code *}, {@code _}, {@code [}, {@code ]}) is
     * escaped, so it reads as written.
     */
    public static String md(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\n', '\r' -> sb.append(' ');
                case '\\', '|', '`', '*', '_', '[', ']' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Text as a Markdown code span, with the table's {@code |} escaped (GitHub's tables read {@code \|} inside code
     * too); text a code span cannot hold (a backtick, a line break) is escaped as plain text instead.
     */
    public static String code(String s) {
        if (s == null) return "";
        if (s.indexOf('`') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) return md(s);
        return "`" + s.replace("|", "\\|") + "`";
    }

    public String toHtml() {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>ncclffm compatibility grid</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:2em}
                table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;vertical-align:top}
                th{background:#f4f4f4}.passed{background:#e6f4ea}.failed{background:#fce8e6}.broken{background:#fef7e0}
                .skipped{background:#f1f3f4;color:#555}.gate{font-size:16px;padding:6px}
                </style></head><body><h1>ncclffm compatibility grid</h1>
                """);
        List<String> head = heading();
        sb.append("<p class=\"gate ").append(gate.passed() ? "passed" : "failed").append("\"><b>").append(esc(head.get(0)))
                .append("</b></p>\n<p>").append(esc(String.join(" · ", head.subList(1, head.size())))).append("</p>\n");
        sb.append("""
                <p>✓ passed · ✗ failed (product defect) · ⚠ broken (infrastructure) · skipped/waived with the reason. Hover a cell for the first failing check.</p>
                <table><tr><th>check</th>""");
        for (CellSummary c : columns) {
            String[] h = heads(c);
            sb.append("<th>").append(esc(h[0])).append("<br><small>").append(esc(h[1])).append("<br>").append(esc(h[2]))
                    .append(String.format(" · %.1f s", c.wall().toMillis() / 1000.0)).append("</small></th>");
        }
        sb.append("</tr>\n");
        sb.append("<tr><th>library as run</th>");
        for (CellSummary c : columns) {
            List<Provenance.RankFiles> files = c.provenance().files();
            boolean differs = files.stream().anyMatch(f -> c.provenance().pinState(f) == Provenance.PinState.DIFFERS);
            String cls = files.isEmpty() ? "skipped" : differs ? "broken" : "passed";
            StringBuilder text = new StringBuilder();
            StringBuilder title = new StringBuilder();
            for (Provenance.RankFiles f : files) {
                if (!text.isEmpty()) text.append("; ");
                text.append(f.file().sha256(), 0, 12).append(" · ").append(pinText(c.provenance(), f));
                if (f.file().newerThanBinding() != null) text.append(" · ").append(f.file().newerThanBinding());
                title.append(Provenance.ranks(f.ranks())).append(": ").append(f.file().path()).append(", sha256 ")
                        .append(f.file().sha256()).append(", ").append(f.file().buildLine() == null ? "no build line" : f.file().buildLine())
                        .append(f.file().newerThanBinding() == null ? "" : "; " + f.file().newerThanBinding()).append('\n');
            }
            sb.append("<td class=\"").append(cls).append("\" title=\"").append(esc(title.toString().strip())).append("\">")
                    .append(esc(files.isEmpty() ? "–" : text.toString())).append("</td>");
        }
        sb.append("</tr>\n");
        for (String row : rows) {
            sb.append("<tr><th>").append(esc(row)).append("</th>");
            for (CellSummary c : columns) {
                Entry e = entry(row, c.column());
                if (e == null) {
                    sb.append("<td>–</td>");
                } else {
                    sb.append("<td class=\"").append(e.status().name().toLowerCase()).append("\" title=\"")
                            .append(esc(e.detail())).append("\">").append(esc(e.text())).append("</td>");
                }
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
        htmlTables(sb);
        return sb.append("</body></html>\n").toString();
    }

    /** Whether the file is the one the matrix pins, in the grid's words. */
    private static String pinText(Provenance p, Provenance.RankFiles f) {
        return switch (p.pinState(f)) {
            case MATCHES -> "✓ pinned";
            case DIFFERS -> "✗ not the pinned file";
            case UNPINNED -> "unpinned";
        };
    }

    /** Text for HTML, in an element or a double- or single-quoted attribute. */
    public static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
