package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.codec.digest.DigestUtils;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;

/**
 * Allure's history, made from the records of the earlier runs in the same reports folder ({@link RunManifest}): Allure
 * 2's single-file report keeps none of its own, so the run writes {@code allure-results/history/history.json} (each
 * check's outcomes in earlier runs, by its history id) and {@code history-trend.json} (each earlier run's counts, its
 * gate in the name) before the report is generated, and the report shows the trend of every check and of the gate.
 * The run records, not earlier reports, are the source: a run whose report was never generated (the standalone jar)
 * still counts, and a deleted report loses nothing.
 */
public final class AllureHistory {

    /** How many earlier runs a history holds (Allure's own default). */
    public static final int KEEP = 20;

    /** The gate test's history id: one for every run, whatever its verdict. */
    public static final String GATE = historyId("gate");

    private AllureHistory() {
    }

    /** The first 16 bytes of the text's SHA-256, in hex: Allure's history and test-case id. */
    public static String historyId(String text) {
        return DigestUtils.sha256Hex(text).substring(0, 32);
    }

    /** A check's history id: its cell, world, run and check, so that reordering cells keeps trends right. */
    public static String historyId(String cell, int world, int run, String checkId) {
        return historyId(cell + "|" + world + (run > 0 ? "|run " + run : "") + "|" + checkId);
    }

    /**
     * Writes the history of the runs that began before {@code runId} in {@code reportsRoot} (newest first, at most
     * {@link #KEEP}) into {@code allureResults/history}; a folder whose record cannot be read is left out.
     *
     * @return how many earlier runs it holds
     */
    public static int write(Path allureResults, Path reportsRoot, String runId) throws IOException {
        List<RunManifest> earlier = earlier(reportsRoot, runId);
        ObjectNode history = EventCodec.mapper().createObjectNode();
        ArrayNode trend = EventCodec.mapper().createArrayNode();
        int order = earlier.size();
        for (RunManifest m : earlier) {
            long start = started(m);
            String url = "../../" + m.run().runId() + "/allure-report/index.html";
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (RunManifest.CellRun c : m.cellRuns()) {
                java.util.Set<String> ids = new java.util.HashSet<>();
                Map<String, Integer> notRunByReason = new java.util.HashMap<>();
                for (RunManifest.Check k : c.checks()) if (notRun(k)) notRunByReason.merge(reason(k), 1, Integer::sum);
                for (RunManifest.Check k : c.checks()) {
                    String status = status(k.status());
                    String id = historyId(c.cell(), c.world(), c.run(), testCheckId(k, notRunByReason));
                    // Counted as the run's report counts its tests: checks not run for one reason are one test.
                    if (!ids.add(id)) continue;
                    counts.merge(status, 1, Integer::sum);
                    item(history, id, m, status, start, url);
                }
            }
            String gate = switch (m.outcome().result()) {
                case PASS -> "passed";
                case FAIL -> "failed";
                case INCOMPLETE -> "broken";
            };
            item(history, GATE, m, gate, start, url);
            ObjectNode t = trend.addObject();
            t.put("buildOrder", order--);
            t.put("reportName", m.run().runId() + " · " + m.outcome().result());
            t.put("reportUrl", url);
            statistic(t.putObject("data"), counts);
        }
        Path dir = allureResults.resolve("history");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("history.json"), history.toString());
        Files.writeString(dir.resolve("history-trend.json"), trend.toString());
        return earlier.size();
    }

    /**
     * The check id of the test a check was reported in: its own, or its cell run's summary of checks not run for its
     * reason ({@link NotRunSummary}, with the count of the cell run's not-run checks by reason), as the run's tests were
     * made.
     */
    private static String testCheckId(RunManifest.Check k, Map<String, Integer> notRunByReason) {
        if (!notRun(k)) return k.id();
        return notRunByReason.getOrDefault(reason(k), 0) >= NotRunSummary.AT_LEAST ? NotRunSummary.checkId(reason(k)) : k.id();
    }

    private static String reason(RunManifest.Check k) {
        return io.ncclffm.harness.verdict.Gate.notRunReason(k.cause());
    }

    private static boolean notRun(RunManifest.Check k) {
        return k.status() == CheckStatus.SKIPPED && k.waiver() == null && k.cause() != io.ncclffm.harness.protocol.Cause.RELEASE_GAP;
    }

    private static void item(ObjectNode history, String id, RunManifest m, String status, long start, String url) {
        ObjectNode entry = history.has(id) ? (ObjectNode) history.get(id) : history.putObject(id);
        ObjectNode stat = entry.has("statistic") ? (ObjectNode) entry.get("statistic") : entry.putObject("statistic");
        for (String s : List.of("failed", "broken", "skipped", "passed", "unknown", "total")) if (!stat.has(s)) stat.put(s, 0);
        stat.put(status, stat.get(status).asInt() + 1);
        stat.put("total", stat.get("total").asInt() + 1);
        ArrayNode items = entry.has("items") ? (ArrayNode) entry.get("items") : entry.putArray("items");
        ObjectNode item = items.addObject();
        item.put("uid", historyId(m.run().runId() + "|" + id));
        item.put("reportUrl", url);
        item.put("status", status);
        ObjectNode time = item.putObject("time");
        time.put("start", start);
        time.put("stop", start);
        time.put("duration", 0);
    }

    private static void statistic(ObjectNode data, Map<String, Integer> counts) {
        int total = 0;
        for (String s : List.of("failed", "broken", "skipped", "passed", "unknown")) {
            int n = counts.getOrDefault(s, 0);
            data.put(s, n);
            total += n;
        }
        data.put("total", total);
    }

    private static String status(CheckStatus s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static long started(RunManifest m) {
        try {
            return Instant.parse(m.run().started()).toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The records of the runs in {@code reportsRoot} whose ids sort before {@code runId}, newest first. */
    static List<RunManifest> earlier(Path reportsRoot, String runId) throws IOException {
        List<Path> dirs;
        try (Stream<Path> children = Files.list(reportsRoot)) {
            dirs = children.filter(p -> Files.isRegularFile(p.resolve(RunManifest.FILE)))
                    .filter(p -> p.getFileName().toString().compareTo(runId) < 0 && !p.getFileName().toString().equals(RunFolder.LATEST))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).limit(KEEP).toList();
        }
        List<RunManifest> out = new ArrayList<>();
        for (Path d : dirs) {
            try {
                out.add(RunManifest.read(d));
            } catch (IOException | RuntimeException e) {
                System.err.println("[ncclffm] history: left out " + d + ": " + e.getMessage());
            }
        }
        return out;
    }
}
