package io.ncclffm.harness.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * What the README and the docs show must be what the product is: the binding's snippet is taken from the example
 * project and must still be there, a gate shown as output must be in the words the gate writes, and every link
 * between the pages must lead somewhere.
 */
class ReadmeTest {

    private static final Path README = ProjectFiles.ROOT.resolve("README.md");
    private static final Path EXAMPLE = ProjectFiles.ROOT.resolve(
            "examples/allreduce/src/main/java/io/ncclffm/examples/allreduce/AllReduceExample.java");
    /** A note the README adds after a line of code: two spaces or more, then a line comment. */
    private static final Pattern NOTE = Pattern.compile("\\s{2,}//.*$");

    @Test
    void bindingSnippet_isTakenFromTheAllReduceExample_lineByLineInOrder() throws IOException {
        List<String> snippet = block(Files.readString(README), "## The binding", "java");
        List<String> example = Files.readAllLines(EXAMPLE).stream().map(String::strip).toList();
        int at = 0;
        int code = 0;
        for (String line : snippet) {
            String stripped = NOTE.matcher(line).replaceFirst("").strip();
            if (stripped.isEmpty() || stripped.startsWith("//")) continue;
            int found = -1;
            for (int i = at; i < example.size(); i++) {
                if (example.get(i).equals(stripped)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, "README's binding snippet has a line that " + EXAMPLE.getFileName()
                    + " no longer has (or not after the line before it): " + stripped);
            at = found + 1;
            code++;
        }
        assertTrue(code >= 8, "the snippet shows the binding in about a dozen lines of code, found " + code);
    }

    @Test
    void gateShownAsOutput_isInTheWordsTheGateWrites() throws IOException {
        int shown = 0;
        for (Path page : List.of(README, ProjectFiles.ROOT.resolve("docs/reports.md"))) {
            for (List<String> gate : gateBlocks(Files.readString(page))) {
                String text = String.join("\n", gate) + "\n";
                assertEquals(text, regenerate(gate), page + ": this gate.txt is not what Gate writes for its own counts");
                shown++;
            }
        }
        assertTrue(shown >= 2, "the README and docs/reports.md each show a gate.txt");
    }

    @Test
    void everyRelativeLink_leadsToAFileAndHeadingThatExist() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.walk(ProjectFiles.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        for (Path page : pages) {
            Matcher m = link.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) continue;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                assertTrue(Files.exists(resolved), page + " links to " + target + ", which does not exist");
                if (hash >= 0) {
                    String anchor = target.substring(hash + 1);
                    assertTrue(anchors(resolved).contains(anchor), page + " links to " + target + ", a heading "
                            + resolved.getFileName() + " does not have");
                }
            }
        }
    }

    /** The lines of the first fenced block of {@code language} after the line {@code heading}. */
    private static List<String> block(String page, String heading, String language) {
        List<String> lines = page.lines().toList();
        int start = lines.indexOf(heading);
        assertTrue(start >= 0, "no '" + heading + "' in the page");
        int open = -1;
        for (int i = start + 1; i < lines.size(); i++) {
            if (lines.get(i).equals("```" + language)) {
                open = i;
                break;
            }
        }
        assertTrue(open >= 0, "no ```" + language + " block after '" + heading + "'");
        List<String> out = new ArrayList<>();
        for (int i = open + 1; i < lines.size() && !lines.get(i).equals("```"); i++) out.add(lines.get(i));
        return out;
    }

    /** Every ```text block whose first line is a gate's headline. */
    private static List<List<String>> gateBlocks(String page) {
        List<List<String>> out = new ArrayList<>();
        List<String> lines = page.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals("```text") || i + 1 >= lines.size()) continue;
            if (!lines.get(i + 1).matches("(PASS|FAIL|INCOMPLETE) \\(.*")) continue;
            List<String> block = new ArrayList<>();
            for (int k = i + 1; k < lines.size() && !lines.get(k).equals("```"); k++) block.add(lines.get(k));
            out.add(block);
        }
        return out;
    }

    private static final Pattern CPU_HEADLINE = Pattern.compile("PASS \\(CPU scope: ([^;]+)(; .*)?\\)");
    private static final Pattern COUNTS = Pattern.compile(
            "(\\d+) passed, (\\d+) failed, (\\d+) broken, (\\d+) waived, (\\d+) skipped for a release gap, (\\d+) not run");
    private static final Pattern NOT_RUN = Pattern.compile("not run: (\\d+) \\((.+)\\)");

    /**
     * The gate.txt that {@link Gate} writes for a CPU run with the counts, passed groups and not-run reasons that
     * {@code shown} states; its second line (the run's context) is taken as it is.
     */
    private static String regenerate(List<String> shown) {
        Matcher head = CPU_HEADLINE.matcher(shown.getFirst());
        assertTrue(head.matches(), "a CPU-scope PASS headline: " + shown.getFirst());
        Matcher counts = COUNTS.matcher(shown.get(2));
        assertTrue(counts.matches(), "the counts line: " + shown.get(2));
        List<String> groups = List.of(head.group(1).split(", "));
        int passed = Integer.parseInt(counts.group(1));
        assertTrue(passed >= groups.size(), "each group in the CPU scope has a check that passed");
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < passed; i++) verdicts.add(host(groups.get(Math.min(i, groups.size() - 1)), CheckStatus.PASSED, null));
        add(verdicts, Integer.parseInt(counts.group(2)), CheckStatus.FAILED, Cause.WRONG_VALUES);
        add(verdicts, Integer.parseInt(counts.group(3)), CheckStatus.BROKEN, Cause.INFRASTRUCTURE);
        add(verdicts, Integer.parseInt(counts.group(5)), CheckStatus.SKIPPED, Cause.RELEASE_GAP);
        Map<String, Cause> byReason = new java.util.HashMap<>();
        for (Cause c : Cause.values()) byReason.put(Gate.notRunReason(c), c);
        Set<String> reasons = new LinkedHashSet<>();
        for (String line : shown.subList(3, shown.size())) {
            Matcher m = NOT_RUN.matcher(line);
            assertTrue(m.matches(), "a not-run line: " + line);
            Cause cause = byReason.get(m.group(2));
            assertTrue(cause != null, "a reason the gate gives: " + m.group(2));
            assertTrue(reasons.add(m.group(2)), "each reason once: " + m.group(2));
            add(verdicts, Integer.parseInt(m.group(1)), CheckStatus.SKIPPED, cause);
        }
        assertFalse(Integer.parseInt(counts.group(4)) > 0, "a CPU run shown with waivers would need them built here too");
        Gate gate = Gate.judge(List.of(new Gate.CellRunVerdicts("shown", 1, false, verdicts)), List.of(), false);
        return gate.toText(shown.get(1));
    }

    private static Verdict host(String group, CheckStatus status, Cause cause) {
        return new Verdict(group, group, Map.of(), status, group, List.of(), Map.of(), cause, false, null, null);
    }

    private static void add(List<Verdict> to, int n, CheckStatus status, Cause cause) {
        for (int i = 0; i < n; i++) {
            to.add(new Verdict("gpu/" + i, "gpu", Map.of(), status, "gpu", List.of(), Map.of(), cause, true, null, null));
        }
    }

    /** The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (String line : Files.readAllLines(page)) {
            if (!line.startsWith("#")) continue;
            String title = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
            out.add(title.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return out;
    }
}
