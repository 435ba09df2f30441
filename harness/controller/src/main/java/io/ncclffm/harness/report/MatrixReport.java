package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.CBaseline;
import io.ncclffm.harness.perf.PerfAnalysis;
import io.ncclffm.harness.perf.PerfReport;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.ReportCategory;
import io.ncclffm.harness.verdict.Verdict;

/**
 * Collects every cell's verdicts during a matrix run and, at the end, writes what release sign-off reads: the
 * grid (Markdown and HTML), Allure's {@code environment.properties}, {@code categories.json} and
 * {@code executor.json}, the perf points, and the gate ({@code gate.txt}).
 *
 * <p>Each verdict is also appended to the run's journal ({@link RunJournal}) as it is known, so that the report of a
 * run that is killed can be rebuilt ({@link RunRebuild}). A run that is {@linkplain #stop stopped} writes the grid and
 * a gate of what it has at once, and records nothing after. A gate is PASS only for a run that finished every cell run
 * it planned ({@link Gate.Progress}); the gate file is replaced atomically, never written in place.
 */
public final class MatrixReport {

    private final List<CellSummary> cells = new ArrayList<>();
    private RunJournal journal;
    private List<RunJournal.PlannedRun> planned = List.of();
    private String nothingPlanned;
    private boolean stopped;
    private boolean finished;
    private final List<PerfPoint> perf = new ArrayList<>();
    private final List<InitPoint> inits = new ArrayList<>();
    private final List<Verdict> extra = new ArrayList<>();
    private final Map<String, String> deviceFacts = new TreeMap<>();
    private RunInfo info;
    private RunJournal.Start start;
    private RunJournal.Facts facts;
    private Matrix matrix;
    private String cBaseline;

    /**
     * @param cBaseline the C baseline's JSON lines for the perf report (files or folders, comma-separated), or
     *                  {@code null}
     */
    public synchronized void begin(RunInfo info, Matrix matrix, String cBaseline) {
        begin(info, matrix, cBaseline, null, new RunJournal.Plan(List.of(), null), "");
    }

    /**
     * @param journal    where each verdict is appended as it is known, or {@code null}
     * @param plan       every cell run the run will record, in the matrix's order: any not recorded when the gate is
     *                   judged never finished; and why there is none, when there is none
     * @param controller who runs it, for the journal
     */
    public synchronized void begin(RunInfo info, Matrix matrix, String cBaseline, RunJournal journal, RunJournal.Plan plan,
                                   String controller) {
        this.info = info;
        this.matrix = matrix;
        this.cBaseline = cBaseline;
        this.journal = journal;
        this.planned = plan.runs();
        this.nothingPlanned = plan.nothingPlanned();
        stopped = false;
        finished = false;
        cells.clear();
        perf.clear();
        inits.clear();
        extra.clear();
        start = RunJournal.Start.of(info, controller, plan);
        facts = new RunJournal.Facts(RunManifest.sha256(info.matrixFile()), HostFacts.probe(), settings(matrix),
                matrix == null || matrix.perf() == null ? null : matrix.perf().threshold());
        if (journal != null) {
            journal.append(start);
            journal.append(facts);
        }
    }

    /** By cell, the variables of the library's own settings that the matrix sets ({@code NCCL_*}, {@code RCCL_*}). */
    private static Map<String, Map<String, String>> settings(Matrix matrix) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        if (matrix == null) return out;
        for (Cell c : matrix.cells()) {
            Map<String, String> s = new TreeMap<>();
            c.env().forEach((k, v) -> {
                if (k.startsWith("NCCL_") || k.startsWith("RCCL_")) s.put(k, v);
            });
            out.put(c.name(), s);
        }
        return out;
    }

    public synchronized void record(Cell cell, int world, String launcher, Duration wall, List<Verdict> verdicts, CellRun run) {
        record(cell, world, 0, launcher, wall, verdicts, run);
    }

    /**
     * One cell run's verdicts and what it measured.
     *
     * @param cellRun which run of the cell at this world (1, 2, ...) when perf cells run several times
     *                ({@link Matrix.PerfPolicy#runs()}); 0 when the cell runs once
     */
    public synchronized void record(Cell cell, int world, int cellRun, String launcher, Duration wall, List<Verdict> verdicts,
                                    CellRun run) {
        // A run that was stopped keeps the report it wrote then: what ends after was cut short by the stop.
        if (stopped || finished) return;
        WorkerEvent.Init init = null;
        if (run != null) {
            for (RankOutput r : run.ranks()) {
                if (r.rank() != 0) continue;
                for (WorkerEvent e : r.events()) {
                    if (e instanceof WorkerEvent.Init i) {
                        init = i;
                    } else if (e instanceof WorkerEvent.Perf p) {
                        // every rank times the same collective; rank 0 speaks for the cell, as in nccl-tests
                        perf.add(p.point().inCell(cell.name(), cellRun));
                    }
                }
            }
        }
        if (init != null) {
            deviceFacts.putIfAbsent("device", init.device());
            deviceFacts.putIfAbsent("driver", init.driver());
            deviceFacts.putIfAbsent("computeCapability", Integer.toString(init.computeCapability()));
            if (cell.perf()) {
                inits.add(new InitPoint(cell.flavor().displayName() + " " + cell.version(), Source.JAVA, world,
                        init.initMillis(), init.deviceMemoryBytes()));
            }
        }
        CellSummary summary = CellSummary.of(cell, world, cellRun, launcher, wall, verdicts, init == null ? -1 : init.initMillis(),
                run == null ? Provenance.NONE : Provenance.of(run), run == null ? Placement.NONE : Placement.of(run));
        cells.add(summary);
        if (journal != null) journal.append(RunJournal.CellRunEnded.of(summary));
        if (run != null && info != null) writeRankLogs(info.reportsDir().resolve(LOGS).resolve(summary.column().replace(' ', '-')), run);
    }

    /** The folder of a run's rank logs: one folder per cell run, one file per rank. */
    public static final String LOGS = "logs";

    /**
     * Keeps every rank's log in the run's folder, passing cell runs' too: NCCL's own lines (its version, the
     * transports it chose) are evidence of what ran, not only of what failed. Each log is bounded by the rank's own.
     */
    private static void writeRankLogs(Path dir, CellRun run) {
        try {
            Files.createDirectories(dir);
            for (RankOutput r : run.ranks()) {
                Files.writeString(dir.resolve("rank" + r.rank() + ".log"), r.log(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            System.err.printf("[ncclffm] cannot keep the rank logs of %s in %s: %s%n", run.cell().name(), dir, e.getMessage());
        }
    }

    /**
     * The cell runs recorded so far, in the matrix's order of cells, then by world and run (runs end in any order when
     * they run in parallel; the grid's columns must not); a cell the matrix does not list comes last.
     */
    synchronized List<CellSummary> cells() {
        if (matrix == null) return List.copyOf(cells);
        Map<String, Integer> order = new HashMap<>();
        List<Cell> listed = matrix.cells();
        for (int i = 0; i < listed.size(); i++) order.putIfAbsent(listed.get(i).name(), i);
        return cells.stream().sorted(Comparator.comparingInt((CellSummary c) -> order.getOrDefault(c.cell(), Integer.MAX_VALUE))
                .thenComparingInt(CellSummary::world).thenComparingInt(CellSummary::run)).toList();
    }

    /** The perf report so far, with the C baseline the run began with ({@code --perf-c}, {@code ncclffm.perf.c}). */
    public synchronized PerfReport perfReport() {
        return PerfAnalysis.of(perf, inits, CBaseline.read(cBaseline), matrix == null ? null : matrix.perf());
    }

    /** Adds verdicts that belong to no single cell (the perf report): they count for the gate, not in the grid. */
    public synchronized void recordExtra(List<Verdict> verdicts) {
        if (stopped || finished) return;
        extra.addAll(verdicts);
        if (journal != null) journal.append(new RunJournal.Extra(verdicts));
    }

    /**
     * The gate over every cell run so far and the perf report's verdicts; INCOMPLETE (or FAIL) while a planned cell run
     * has not been recorded, and after the run was stopped.
     */
    public synchronized Gate gate() {
        return judge(cells(), extra, info != null && info.notStartedAllowed(), new Gate.Progress(unfinished(), !stopped,
                nothingPlanned));
    }

    /** The planned cell runs not recorded, in the matrix's order. */
    private List<String> unfinished() {
        java.util.Set<String> recorded = new java.util.HashSet<>();
        for (CellSummary c : cells) recorded.add(c.column());
        return planned.stream().map(RunJournal.PlannedRun::label).filter(l -> !recorded.contains(l)).toList();
    }

    /** The gate over these cell runs (in the grid's order) and the verdicts of no single cell. */
    static Gate judge(List<CellSummary> cells, List<Verdict> extra, boolean notStartedAllowed, Gate.Progress progress) {
        List<Gate.CellRunVerdicts> runs = new ArrayList<>();
        for (CellSummary c : cells) runs.add(new Gate.CellRunVerdicts(c.cell(), c.world(), c.assignsGpu(), c.verdicts()));
        return Gate.judge(runs, extra, notStartedAllowed, progress);
    }

    /** One line under the gate's headline: the run, the matrix, the cell runs, the date and the commit. */
    public synchronized String contextLine() {
        if (info == null) return "";
        return contextLine(info, cells.size());
    }

    static String contextLine(RunInfo info, int cellRuns) {
        return "run " + info.runId() + " · matrix " + info.matrixFile() + " · " + cellRuns + " cell run(s) · started "
                + info.started() + " · harness commit " + info.commit();
    }

    /**
     * The controller was told to stop (SIGTERM, SIGINT): nothing is recorded after this, and the grid and a gate of what
     * was recorded are written now, the gate INCOMPLETE (or FAIL) and naming every cell run that never finished.
     *
     * @return that gate, or {@code null} when the run had already finished or stopped
     */
    public synchronized Gate stop(String why) {
        if (info == null || stopped || finished) return null;
        stopped = true;
        if (journal != null) journal.append(new RunJournal.Stopped(RunJournal.now(), why));
        Gate gate = gate();
        writeGridAndGate(info, cells(), gate, contextLine() + " · stopped: " + why, manifest(gate, false));
        System.out.printf("[ncclffm] stopped: %s%n[ncclffm] gate: %s%n[ncclffm] grid: %s, gate: %s%n", why, gate.headline(),
                info.reportsDir().resolve("grid.html"), info.reportsDir().resolve(RunFolder.GATE));
        return gate;
    }

    /** The record of the run before this one in its reports folder, or {@code null}. */
    private RunManifest previousRun(Path runDir) {
        try {
            List<RunManifest> earlier = AllureHistory.earlier(runDir.toAbsolutePath().getParent(), info.runId());
            return earlier.isEmpty() ? null : earlier.getFirst();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The run's record as the journal holds it, or {@code null} for a run without a journal. */
    private RunManifest manifest(Gate gate, boolean complete) {
        if (start == null) return null;
        return RunManifest.of(start, facts, cells(), gate, complete, perf);
    }

    /** Writes the grid, then the gate, each replaced atomically; the gate last, so that it never runs ahead of the grid. */
    static void writeGridAndGate(RunInfo info, List<CellSummary> cells, Gate gate, String context, RunManifest manifest) {
        CompatibilityGrid grid = new CompatibilityGrid(cells, gate, info);
        RunFolder.writeAtomically(info.reportsDir().resolve("grid.md"), grid.toMarkdown());
        RunFolder.writeAtomically(info.reportsDir().resolve("grid.html"), grid.toHtml());
        if (manifest != null) manifest.write(info.reportsDir());
        RunFolder.writeAtomically(info.reportsDir().resolve(RunFolder.GATE), gate.toText(context));
    }

    public synchronized void finish() {
        if (info == null || stopped || finished) return;
        try {
            Path reports = info.reportsDir();
            Files.createDirectories(reports);
            Gate gate = gate();
            CompatibilityGrid grid = new CompatibilityGrid(cells(), gate, info).markChangesSince(previousRun(reports));
            RunFolder.writeAtomically(reports.resolve("grid.md"), grid.toMarkdown());
            RunFolder.writeAtomically(reports.resolve("grid.html"), grid.toHtml());
            Path results = info.allureResults();
            // What a run measured is kept first; everything below is derived from it.
            Files.createDirectories(results);
            Files.writeString(results.resolve("environment.properties"), environment(gate), StandardCharsets.UTF_8);
            Files.writeString(results.resolve("categories.json"), categories(), StandardCharsets.UTF_8);
            Files.writeString(results.resolve("executor.json"), executor(gate), StandardCharsets.UTF_8);
            Files.write(reports.resolve(EXECUTOR_PROPERTIES), executorProperties(gate));
            try {
                AllureHistory.write(results, reports.toAbsolutePath().getParent(), info.runId());
            } catch (IOException | RuntimeException e) {
                System.err.println("[ncclffm] no Allure history for this run: " + e.getMessage());
            }
            if (!perf.isEmpty()) {
                PerfReport.writePoints(reports.resolve("perf"), perf);
                try {
                    perfReport().write(reports.resolve("perf"));
                } catch (RuntimeException e) {
                    Files.writeString(reports.resolve("perf/report-error.txt"), "the perf report could not be made from "
                            + perf.size() + " points: " + e);
                }
            }
            finished = true;
            if (journal != null) {
                journal.append(new RunJournal.End(RunJournal.now(), gate.result().name()));
                journal.close();
            }
            RunManifest manifest = manifest(gate, gate.unfinished().isEmpty());
            if (manifest != null) manifest.write(reports);
            // Last: until here the folder's gate says INCOMPLETE.
            RunFolder.writeAtomically(reports.resolve(RunFolder.GATE), gate.toText(contextLine()));
            System.out.printf("[ncclffm] gate: %s%n[ncclffm] %s%n[ncclffm] grid: %s, gate: %s%n", gate.headline(),
                    gate.counts(), reports.resolve("grid.html"), reports.resolve(RunFolder.GATE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the matrix reports under " + info.reportsDir(), e);
        }
    }

    /**
     * Allure's executor: its build name is the gate's headline, so the report's overview shows the verdict and
     * its scope next to the run.
     */
    String executor(Gate gate) {
        var node = io.ncclffm.harness.protocol.EventCodec.mapper().createObjectNode();
        node.put("name", "ncclffm matrix");
        node.put("type", "ncclffm");
        node.put("buildName", "gate: " + gate.headline());
        node.put("reportName", reportName(gate));
        return node.toPrettyString();
    }

    /**
     * The executor's names as Java properties ({@value #EXECUTOR_PROPERTIES} in the run's folder): allure-maven writes
     * its own {@code executor.json} over the harness's before it generates the report, from its {@code executorInfo}
     * configuration, so the Maven build reads these into that configuration first (pom.xml, {@code -Pgpu-matrix}).
     */
    byte[] executorProperties(Gate gate) {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("ncclffm.executor.buildName", "gate: " + gate.headline());
        p.setProperty("ncclffm.executor.reportName", reportName(gate));
        // ISO-8859-1 with Unicode escapes: the form Ant and java.util.Properties read a file in.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            p.store(out, "Allure's executor for allure-maven; the gate is gate.txt");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * The report's name, the first line of Allure's overview: the gate's verdict and scope, then the matrix file, so
     * that the verdict is read before any chart.
     */
    private String reportName(Gate gate) {
        return gate.headline() + " · " + info.matrixFile().getFileName();
    }

    /** The file of {@link #executorProperties}. */
    public static final String EXECUTOR_PROPERTIES = "executor.properties";

    /** Allure's {@code categories.json}: one entry per {@link ReportCategory}, in its order. */
    static String categories() {
        var array = io.ncclffm.harness.protocol.EventCodec.mapper().createArrayNode();
        for (ReportCategory c : ReportCategory.values()) {
            var node = array.addObject();
            node.put("name", c.title());
            node.putArray("matchedStatuses").add(c.status().name().toLowerCase(java.util.Locale.ROOT));
            if (c.messageRegex() != null) node.put("messageRegex", c.messageRegex());
            node.put("description", c.description());
        }
        return array.toPrettyString() + "\n";
    }

    private String environment(Gate gate) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("gate", gate.headline());
        env.put("counts", gate.counts().toString());
        env.put("matrix", String.valueOf(info.matrixFile()));
        env.put("started", info.started().toString());
        env.put("harness.commit", info.commit());
        env.put("cells", cells.stream().map(CellSummary::column).distinct().toList().toString());
        HostFacts host = facts != null ? facts.host() : HostFacts.probe();
        env.put("host", host.name());
        env.put("os", host.os());
        env.put("cpus", Integer.toString(host.cpus()));
        env.put("java", host.java());
        env.put("gpu", !host.gpus().isEmpty() ? host.gpus().toString() : deviceFacts.getOrDefault("device", "none (no GPU on the harness host)"));
        env.put("driver", !"none".equals(host.driver()) ? host.driver() : deviceFacts.getOrDefault("driver", "none"));
        env.put("cuda", !"none".equals(host.cuda()) ? host.cuda() : deviceFacts.getOrDefault("driver", "none"));
        if (deviceFacts.containsKey("computeCapability")) env.put("compute.capability", deviceFacts.get("computeCapability"));
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append(" = ").append(v.replace("\n", " ")).append('\n'));
        return sb.toString();
    }
}
