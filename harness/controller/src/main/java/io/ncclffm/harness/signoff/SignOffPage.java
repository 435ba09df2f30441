package io.ncclffm.harness.signoff;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ncclffm.harness.perf.judge.Regression;
import io.ncclffm.harness.report.CompatibilityGrid;
import io.ncclffm.harness.report.RunManifest;

/**
 * The sign-off page, in Markdown and HTML from the same blocks: the two sides, the checks that changed by family and
 * cell run, waivers, perf, provenance and flaky checks; its last line is the verdict, {@code GO} or
 * {@code NO-GO: reasons}. Every text from a run is escaped for the form it goes into.
 */
public final class SignOffPage {

    /** The most changed perf measurements the page lists per cell, beyond those it must list. */
    private static final int LARGEST = 10;

    private sealed interface Block permits Heading, Table, Items, Text {
    }

    private record Heading(String text) implements Block {
    }

    private record Table(List<String> heads, List<List<String>> rows) implements Block {
    }

    private record Items(List<String> items) implements Block {
    }

    private record Text(String text) implements Block {
    }

    private final List<Block> blocks = new ArrayList<>();
    private final String verdict;

    public SignOffPage(SignOff s) {
        verdict = s.verdictLine();
        blocks.add(new Heading("Sign-off: " + s.base().label() + " → " + s.candidate().label()));
        sides(s);
        checks(s);
        waivers(s);
        perf(s);
        blocks.add(new Heading("Provenance changes"));
        blocks.add(s.provenance().isEmpty() ? new Text("None: the same library files, settings, GPUs, driver and CUDA.") : new Items(s.provenance()));
    }

    private void sides(SignOff s) {
        List<List<String>> rows = new ArrayList<>();
        RunManifest a = s.base().manifest(), b = s.candidate().manifest();
        rows.add(List.of("run", a.run().runId(), b.run().runId()));
        rows.add(List.of("cells", s.base().cell() == null ? "every cell" : s.base().cell(), s.candidate().cell() == null ? "every cell"
                : s.candidate().cell()));
        rows.add(List.of("matrix", a.run().matrix() + " (sha256 " + shortHash(a.run().matrixSha256()) + ")",
                b.run().matrix() + " (sha256 " + shortHash(b.run().matrixSha256()) + ")"));
        rows.add(List.of("harness commit", a.run().commit(), b.run().commit()));
        rows.add(List.of("host", host(a), host(b)));
        rows.add(List.of("gate", a.outcome().headline(), b.outcome().headline()));
        blocks.add(new Table(List.of("", "base", "candidate"), rows));
    }

    private static String host(RunManifest m) {
        if (m.host() == null) return "not recorded";
        return m.host().name() + " · GPUs " + (m.host().gpus().isEmpty() ? "none" : String.join("; ", m.host().gpus())) + " · driver "
                + m.host().driver() + " · CUDA " + m.host().cuda();
    }

    private static String shortHash(String h) {
        return h == null ? "unknown" : h.substring(0, Math.min(12, h.length()));
    }

    private void checks(SignOff s) {
        blocks.add(new Heading("Checks"));
        Map<CheckChange.Kind, int[]> counts = new LinkedHashMap<>();
        for (CheckChange c : s.checks()) {
            int[] n = counts.computeIfAbsent(c.kind(), k -> new int[2]);
            n[0]++;
            if (c.flaky()) n[1]++;
        }
        List<String> summary = new ArrayList<>();
        summary.add(s.compared() + " check(s) on both sides");
        counts.forEach((k, n) -> summary.add(k.words() + ": " + n[0] + (n[1] > 0 ? " (" + n[1] + " flaky)" : "")));
        blocks.add(new Items(summary));
        Map<String, List<CheckChange>> groups = new LinkedHashMap<>();
        for (CheckChange c : s.checks()) groups.computeIfAbsent(c.family() + "\u0000" + c.slot() + "\u0000" + c.kind(), k -> new ArrayList<>()).add(c);
        List<List<String>> rows = new ArrayList<>();
        for (List<CheckChange> g : groups.values()) {
            CheckChange first = g.getFirst();
            long flaky = g.stream().filter(CheckChange::flaky).count();
            rows.add(List.of(first.family(), first.slot(), first.kind().words() + (first.blocks() || g.stream().anyMatch(CheckChange::blocks)
                    ? " ✗" : ""), Integer.toString(g.size()), flaky > 0 ? flaky + " flaky" : "", example(first)));
        }
        if (!rows.isEmpty()) blocks.add(new Table(List.of("family", "cell run", "change", "checks", "flaky", "e.g."), rows));
    }

    private static String example(CheckChange c) {
        RunManifest.Check now = c.candidate() != null ? c.candidate() : c.base();
        String was = c.base() == null ? "—" : c.base().status().name().toLowerCase(Locale.ROOT);
        String is = c.candidate() == null ? "—" : c.candidate().status().name().toLowerCase(Locale.ROOT);
        String why = now.message() == null || now.message().isBlank() ? "" : ": " + now.message();
        return c.check() + " (" + was + " → " + is + why + ")";
    }

    private void waivers(SignOff s) {
        blocks.add(new Heading("Waivers"));
        List<String> items = new ArrayList<>();
        s.staleWaivers().forEach(w -> items.add("no longer needed (the check passed): " + w));
        s.checks().stream().filter(c -> c.kind() == CheckChange.Kind.HIDDEN_BY_WAIVER)
                .forEach(c -> items.add("now hides a failure the base passed: " + c.slot() + " " + c.check() + ": " + c.candidate().waiver()));
        blocks.add(items.isEmpty() ? new Text("No waiver went stale, and none hides a check the base passed.") : new Items(items));
    }

    private void perf(SignOff s) {
        blocks.add(new Heading("Perf"));
        if (s.perf().isEmpty()) {
            blocks.add(new Text("No cell has perf points on both sides."));
            return;
        }
        for (PerfDelta d : s.perf()) {
            var c = d.comparison();
            blocks.add(new Text(d.pair() + ": " + c.changes().size() + " measurement(s) on both sides, threshold " + Math.round(d.threshold() * 100)
                    + "%; " + c.regressions().size() + " regression(s), " + c.notSignificant().size() + " beyond the threshold but not"
                    + " significant, " + c.isolated().size() + " significant but isolated, " + d.missing().size() + " missing from the"
                    + " candidate" + (d.fewTrials() > 0 ? "; " + d.fewTrials() + " with fewer than " + PerfDelta.MIN_TRIALS
                    + " trials a side, which can never be significant" : "")));
            List<Regression> shown = new ArrayList<>(c.regressions());
            c.notSignificant().forEach(r -> { if (!shown.contains(r)) shown.add(r); });
            c.isolated().forEach(r -> { if (!shown.contains(r)) shown.add(r); });
            c.changes().stream().sorted(Comparator.comparingDouble((Regression r) -> -Math.abs(r.change()))).limit(LARGEST)
                    .forEach(r -> { if (!shown.contains(r)) shown.add(r); });
            List<List<String>> rows = new ArrayList<>();
            for (Regression r : shown) {
                String judged = c.regressions().contains(r) ? "regression ✗" : c.notSignificant().contains(r) ? "beyond threshold, not significant"
                        : c.isolated().contains(r) ? "significant, isolated" : "within threshold";
                rows.add(List.of(r.describe(), String.format(Locale.ROOT, "%+.1f%%", r.change() * 100), Regression.p(r.pValue()), judged));
            }
            blocks.add(new Table(List.of("measurement", "change", "p", "judged"), rows));
        }
    }

    public String verdict() {
        return verdict;
    }

    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> sb.append(sb.isEmpty() ? "# " : "\n## ").append(CompatibilityGrid.md(h.text())).append("\n\n");
                case Text t -> sb.append(CompatibilityGrid.md(t.text())).append("\n\n");
                case Items i -> {
                    i.items().forEach(x -> sb.append("- ").append(CompatibilityGrid.md(x)).append('\n'));
                    sb.append('\n');
                }
                case Table t -> {
                    sb.append("| ").append(String.join(" | ", t.heads().stream().map(CompatibilityGrid::md).toList())).append(" |\n|");
                    t.heads().forEach(x -> sb.append("---|"));
                    sb.append('\n');
                    t.rows().forEach(r -> sb.append("| ").append(String.join(" | ", r.stream().map(CompatibilityGrid::md).toList())).append(" |\n"));
                    sb.append('\n');
                }
            }
        }
        return sb.append(CompatibilityGrid.md(verdict)).append('\n').toString();
    }

    public String toHtml() {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>ncclffm sign-off</title>
                <style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}
                td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.go{color:#1a7f37}.nogo{color:#cf222e}
                p.verdict{font-size:1.3em;font-weight:bold}</style></head><body>
                """);
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> {
                    String tag = sb.indexOf("<h1>") < 0 ? "h1" : "h2";
                    sb.append('<').append(tag).append('>').append(CompatibilityGrid.esc(h.text())).append("</").append(tag).append(">\n");
                }
                case Text t -> sb.append("<p>").append(CompatibilityGrid.esc(t.text())).append("</p>\n");
                case Items i -> {
                    sb.append("<ul>\n");
                    i.items().forEach(x -> sb.append("<li>").append(CompatibilityGrid.esc(x)).append("</li>\n"));
                    sb.append("</ul>\n");
                }
                case Table t -> {
                    sb.append("<table><tr>");
                    t.heads().forEach(x -> sb.append("<th>").append(CompatibilityGrid.esc(x)).append("</th>"));
                    sb.append("</tr>\n");
                    for (List<String> r : t.rows()) {
                        sb.append("<tr>");
                        r.forEach(x -> sb.append("<td>").append(CompatibilityGrid.esc(x)).append("</td>"));
                        sb.append("</tr>\n");
                    }
                    sb.append("</table>\n");
                }
            }
        }
        sb.append("<p class=\"verdict ").append(verdict.equals("GO") ? "go" : "nogo").append("\">").append(CompatibilityGrid.esc(verdict))
                .append("</p>\n</body></html>\n");
        return sb.toString();
    }
}
