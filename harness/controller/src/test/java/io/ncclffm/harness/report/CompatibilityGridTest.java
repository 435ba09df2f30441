package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

class CompatibilityGridTest {

    private static Verdict fromRanks(CheckStatus status, Cause cause, String summary, Map<Integer, Verdict.RankResult> perRank) {
        return new Verdict("allreduce/bfloat16/sum/1/in-place", "allreduce bfloat16", Map.of(), status, summary, List.of(),
                perRank, cause, true, null, null);
    }

    @Test
    void aSkippedFamily_showsTheFirstSkippedRanksOwnWords_cutAtItsFirstClause() {
        Map<Integer, Verdict.RankResult> ranks = new TreeMap<>();
        ranks.put(0, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10; library is NCCL 2.8.4"));
        ranks.put(1, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "bfloat16 needs NCCL >= 2.10; library is NCCL 2.8.4"));
        Verdict v = fromRanks(CheckStatus.SKIPPED, Cause.RELEASE_GAP, "rank 0: bfloat16 needs ...; rank 1: bfloat16 needs ...", ranks);
        assertEquals("skipped: bfloat16 needs NCCL >= 2.10", CompatibilityGrid.entry(List.of(v)).text());
    }

    @Test
    void theRankThatEndedAsTheVerdict_speaks_notTheFirstRank() {
        Map<Integer, Verdict.RankResult> ranks = new TreeMap<>();
        ranks.put(0, new Verdict.RankResult(CheckStatus.PASSED, null, "sum matches"));
        ranks.put(1, new Verdict.RankResult(CheckStatus.SKIPPED, Cause.DEVICE_GAP, "float8 reductions need sm_90 or newer; device is sm_80"));
        Verdict skipped = fromRanks(CheckStatus.SKIPPED, Cause.DEVICE_GAP, "rank 1: float8 ...", ranks);
        Verdict passed = fromRanks(CheckStatus.PASSED, null, "sum matches", Map.of(0, new Verdict.RankResult(CheckStatus.PASSED, null, "ok")));
        assertEquals("✓ 1, 1 skipped (float8 reductions need sm_90 or newer)", CompatibilityGrid.entry(List.of(passed, skipped)).text());
    }

    @Test
    void aVerdictOfTheWholeRun_showsItsOwnMessage() {
        Verdict start = Verdict.of("cell-start", "cell-start", Map.of("world", "1"), CheckStatus.SKIPPED, Cause.NOT_STARTED,
                "Docker is not available; nothing ran");
        assertEquals("skipped: Docker is not available", CompatibilityGrid.entry(List.of(start)).text());
    }
    /** The cells of a Markdown table row: its '|' that no odd run of backslashes escapes, less the outer two. */
    private static int columns(String row) {
        int pipes = 0;
        int backslashes = 0;
        for (char c : row.toCharArray()) {
            if (c == '|' && backslashes % 2 == 0) pipes++;
            backslashes = c == '\\' ? backslashes + 1 : 0;
        }
        return pipes - 1;
    }

    @Test
    void whatTheGridEmbeds_isEscaped_soEveryTableKeepsItsColumns_andNoMarkupGetsThrough() {
        Verdict v = Verdict.of("version", "version", Map.of(), CheckStatus.FAILED, Cause.WRONG_VERSION,
                "got 2.x | <script>alert(1)</script>\nsecond line");
        CellSummary c = new CellSummary("rccl-odd", "RCCL 2.13.4 (ROCm 5.4.3 | <b>beta</b> & *more*)", true, false, 1, 0, "process",
                java.time.Duration.ofSeconds(1), List.of(v), -1, Provenance.NONE);
        Gate gate = Gate.judge(List.of(new Gate.CellRunVerdicts(c.cell(), 1, false, List.of(v))), List.of(), false);
        CompatibilityGrid grid = new CompatibilityGrid(List.of(c), gate, null);
        String md = grid.toMarkdown();
        List<List<String>> tables = new java.util.ArrayList<>();
        List<String> table = null;
        for (String line : md.lines().toList()) {
            if (!line.startsWith("|")) {
                table = null;
                continue;
            }
            if (table == null) tables.add(table = new java.util.ArrayList<>());
            table.add(line);
        }
        assertEquals(4, tables.size(), md);
        for (List<String> t : tables) {
            for (String row : t) assertEquals(columns(t.getFirst()), columns(row), "a row of the table under " + t.getFirst() + ": " + row);
        }
        assertFalse(md.contains("<b>") || md.contains("<script>"), md);
        assertTrue(md.contains("RCCL 2.13.4 (ROCm 5.4.3 \\| &lt;b&gt;beta&lt;/b&gt; &amp; \\*more\\*)"), md);
        assertTrue(md.contains("got 2.x \\| &lt;script&gt;alert(1)&lt;/script&gt; second line"), md);
        String html = grid.toHtml();
        assertFalse(html.contains("<b>beta") || html.contains("<script>"), html);
        assertTrue(html.contains("ROCm 5.4.3 | &lt;b&gt;beta&lt;/b&gt; &amp; *more*"), html);
    }

    @Test
    void theHtmlGrid_carriesEveryTableTheMarkdownHas_fromTheSameRows() {
        Verdict v = Verdict.of("load", "load", Map.of(), CheckStatus.PASSED, null, "ok");
        CellSummary c = new CellSummary("nccl-2.22.3", "NCCL 2.22.3", false, false, 2, 0, "container", java.time.Duration.ofMillis(12_345),
                List.of(v), 2_500, Provenance.NONE);
        Gate gate = Gate.judge(List.of(new Gate.CellRunVerdicts(c.cell(), 2, false, List.of(v))), List.of(), false);
        CompatibilityGrid grid = new CompatibilityGrid(List.of(c), gate, null);
        assertTrue(grid.toMarkdown().contains("| nccl-2.22.3 | NCCL 2.22.3 | container | 2 | 12.3 s | 2.5 s | – |"), grid.toMarkdown());
        String html = grid.toHtml();
        assertTrue(html.contains("<h2>Wall times</h2>"), html);
        assertTrue(html.contains("<tr><td>nccl-2.22.3</td><td>NCCL 2.22.3</td><td>container</td><td>2</td><td>12.3 s</td><td>2.5 s</td><td>–</td></tr>"),
                html);
        assertTrue(html.contains("<h2>Libraries the ranks ran</h2>") && html.contains("no rank said which file it ran"), html);
    }

    @Test
    void aPathWithABacktick_leavesItsCodeSpan_andAPipeInACodeSpanIsEscaped() {
        assertEquals("`/opt/a\\|b/libnccl.so.2`", CompatibilityGrid.code("/opt/a|b/libnccl.so.2"));
        assertEquals("/opt/a\\`b/lib\\_x.so", CompatibilityGrid.code("/opt/a`b/lib_x.so"));
    }
}
