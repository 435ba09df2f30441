package io.ncclffm.harness.report;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.ncclffm.harness.junit.MatrixSettings;
import io.ncclffm.harness.junit.Verdict;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.WorkerEvent;
import io.ncclffm.harness.perf.InitPoint;
import io.ncclffm.harness.perf.PerfPoint;

/**
 * Collects every cell's verdicts during a matrix run and, at the end, writes what release sign-off reads: the
 * grid (Markdown and HTML), Allure's {@code environment.properties} and {@code categories.json}, the perf
 * points, and a one-line gate verdict.
 */
public final class MatrixReport {

    private final List<CellSummary> cells = new ArrayList<>();
    private final List<PerfPoint> perf = new ArrayList<>();
    private final List<InitPoint> inits = new ArrayList<>();
    private final List<Verdict> extra = new ArrayList<>();
    private final Map<String, String> deviceFacts = new TreeMap<>();
    private MatrixSettings settings;
    private Matrix matrix;

    public synchronized void begin(MatrixSettings settings, Matrix matrix) {
        this.settings = settings;
        this.matrix = matrix;
        cells.clear();
        perf.clear();
        inits.clear();
        extra.clear();
    }

    public synchronized void record(Cell cell, int world, String launcher, Duration wall, List<Verdict> verdicts, CellRun run) {
        Map<String, String> facts = new LinkedHashMap<>();
        if (run != null) {
            for (RankOutput r : run.ranks()) {
                for (WorkerEvent e : r.events()) {
                    if (e instanceof WorkerEvent.Check c && c.result().id().equals("comm-init") && r.rank() == 0) {
                        facts.putAll(c.result().data());
                        if (cell.mode().equals("perf")) initPoint(cell, world, c.result().data());
                    } else if (e instanceof WorkerEvent.Perf p && r.rank() == 0) {
                        // every rank times the same collective; rank 0 speaks for the cell, as in nccl-tests
                        perf.add(p.point());
                    }
                }
            }
        }
        for (String key : List.of("device", "driver", "computeCapability")) {
            if (facts.containsKey(key)) deviceFacts.putIfAbsent(key, facts.get(key));
        }
        cells.add(new CellSummary(cell, world, launcher, wall, verdicts));
    }

    /** Rank 0's init time and memory, when its comm-init got as far as measuring them (its verdict says why not). */
    private void initPoint(Cell cell, int world, Map<String, String> data) {
        if (!data.containsKey("initMillis") || !data.containsKey("deviceMemoryDeltaBytes")) return;
        inits.add(new InitPoint(cell.flavor().displayName() + " " + cell.version(), PerfPoint.JAVA, world,
                Double.parseDouble(data.get("initMillis")), Long.parseLong(data.get("deviceMemoryDeltaBytes"))));
    }

    /** The perf outputs so far, with the C baseline named by {@code ncclffm.perf.c}. */
    public synchronized PerfArtifacts perfArtifacts() {
        PerfArtifacts.CBaseline c = PerfArtifacts.readBaseline(System.getProperty("ncclffm.perf.c"));
        List<InitPoint> all = new ArrayList<>(inits);
        all.addAll(c.inits());
        return PerfArtifacts.of(perf, c.points(), matrix == null ? null : matrix.perf(), all);
    }

    /** Adds verdicts that belong to no single cell (the perf report): they count for the gate, not in the grid. */
    public synchronized void recordExtra(List<Verdict> verdicts) {
        extra.addAll(verdicts);
    }

    /** Counts of unwaived failures and broken checks; the gate passes only when both are zero. */
    public synchronized int[] gateCounts() {
        int failed = 0, broken = 0;
        List<Verdict> all = new ArrayList<>(extra);
        for (CellSummary c : cells) all.addAll(c.verdicts());
        for (Verdict v : all) {
            if (v.status() == CheckStatus.FAILED) failed++;
            if (v.status() == CheckStatus.BROKEN) broken++;
        }
        return new int[] {failed, broken};
    }

    public synchronized void finish() {
        if (settings == null) return;
        try {
            Path reports = settings.reportsDir();
            Files.createDirectories(reports);
            CompatibilityGrid grid = new CompatibilityGrid(cells);
            Files.writeString(reports.resolve("grid.md"), grid.toMarkdown(), StandardCharsets.UTF_8);
            Files.writeString(reports.resolve("grid.html"), grid.toHtml(), StandardCharsets.UTF_8);
            Path results = settings.allureResults();
            // What a run measured is kept first; everything below is derived from it.
            Files.createDirectories(results);
            Files.writeString(results.resolve("environment.properties"), environment(), StandardCharsets.UTF_8);
            Files.writeString(results.resolve("categories.json"), CATEGORIES, StandardCharsets.UTF_8);
            if (!perf.isEmpty()) {
                PerfArtifacts.writePoints(reports.resolve("perf"), perf);
                try {
                    perfArtifacts().write(reports.resolve("perf"));
                } catch (RuntimeException e) {
                    Files.writeString(reports.resolve("perf/report-error.txt"), "the perf report could not be made from "
                            + perf.size() + " points: " + e);
                }
            }
            int[] gate = gateCounts();
            String verdict = gate[0] + gate[1] == 0 ? "PASS" : "FAIL";
            Files.writeString(reports.resolve("gate.txt"), verdict + ": " + gate[0] + " unwaived failure(s), " + gate[1]
                    + " broken check(s) in " + cells.size() + " cell run(s) of " + settings.matrixFile().getFileName() + "\n");
            System.out.printf("[ncclffm] grid: %s; gate: %s (%d failed, %d broken)%n", reports.resolve("grid.html"), verdict, gate[0], gate[1]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the matrix reports under " + settings.reportsDir(), e);
        }
    }

    /**
     * Allure's categories: waived gaps (the message starts with WAIVED), other skips, infrastructure, product
     * defects. Allure files a result under every category it matches, so the two skip categories exclude each
     * other by their message patterns.
     */
    static final String CATEGORIES = """
            [
              {"name": "Waived known gaps", "matchedStatuses": ["skipped"], "messageRegex": "(?s)WAIVED.*",
               "description": "Failures a waiver in the matrix file accepts, each with its reason and link"},
              {"name": "Not applicable (skipped with a reason)", "matchedStatuses": ["skipped"], "messageRegex": "(?s)(?!WAIVED).*",
               "description": "Checks the library, device or cell cannot run, e.g. bf16 before NCCL 2.10 or GPU checks without a GPU"},
              {"name": "Broken infrastructure", "matchedStatuses": ["broken"],
               "description": "A rank died or hung, a container or image failed, Docker was missing: nothing was learned about the library"},
              {"name": "Product defects", "matchedStatuses": ["failed"],
               "description": "The library or the binding gave a wrong answer, a wrong version, or an NCCL error where success was due"}
            ]
            """;

    private String environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("matrix", String.valueOf(settings.matrixFile()));
        env.put("cells", cells.stream().map(CellSummary::column).distinct().toList().toString());
        try {
            env.put("host", InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            env.put("host", "unknown");
        }
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("java", Runtime.version().toString());
        String smi = command("nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader");
        env.put("gpu", smi != null ? smi.lines().toList().toString() : deviceFacts.getOrDefault("device", "none (no GPU on the harness host)"));
        String driver = command("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader");
        env.put("driver", driver != null ? driver.lines().findFirst().orElse("") : deviceFacts.getOrDefault("driver", "none"));
        env.put("cuda", deviceFacts.getOrDefault("driver", "none"));
        if (deviceFacts.containsKey("computeCapability")) env.put("compute.capability", deviceFacts.get("computeCapability"));
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append(" = ").append(v.replace("\n", " ")).append('\n'));
        return sb.toString();
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 && !out.isEmpty() ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
