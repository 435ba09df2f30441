package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.model.EventCodec;
import io.ncclffm.harness.perf.BandwidthChart;
import io.ncclffm.harness.perf.InitPoint;
import io.ncclffm.harness.perf.OverheadSummary;
import io.ncclffm.harness.perf.PerfJsonLines;
import io.ncclffm.harness.perf.PerfPoint;
import io.ncclffm.harness.perf.PerfTable;
import io.ncclffm.harness.perf.Regression;
import io.ncclffm.harness.perf.RegressionCheck;

/**
 * What perf mode produces from a matrix run's points (and the C baseline's, when given): a table per release, a
 * chart of bus bandwidth against size, the binding's overhead against C, and the regression check of every
 * release against the matrix's baseline release.
 */
public record PerfArtifacts(List<PerfPoint> points, String table, java.util.Map<String, String> charts,
                            OverheadSummary overhead, OverheadSummary inProcessOverhead, List<Regression> regressions,
                            String regressionReport, List<InitPoint> inits) {

    /** The chart to show first: bus bandwidth of out-of-place launches at the largest world measured. */
    public String chartSvg() {
        return charts.values().stream().reduce((a, b) -> b).orElse("");
    }

    /**
     * One chart per world size, of out-of-place launches, a line per release and source. A line must be one
     * sequence of sizes, so each chart takes one world, placement and mode; one rank moves nothing over a bus, so
     * world 1 shows algorithm bandwidth.
     */
    static java.util.Map<String, String> charts(List<PerfPoint> all) {
        java.util.Map<String, String> charts = new java.util.LinkedHashMap<>();
        for (int world : all.stream().map(PerfPoint::world).distinct().sorted().toList()) {
            List<PerfPoint> line = all.stream().filter(p -> p.world() == world && p.placement().equals("out-of-place")
                    && p.mode().equals("launch")).toList();
            if (line.isEmpty()) continue;
            BandwidthChart.Bandwidth bw = world == 1 ? BandwidthChart.Bandwidth.ALGORITHM : BandwidthChart.Bandwidth.BUS;
            charts.put("busbw-w" + world + ".svg", BandwidthChart.svg(line, "allReduce float32 sum, out-of-place, world "
                    + world + (world == 1 ? " (algorithm bandwidth: one rank has no bus)" : " (bus bandwidth)"), bw));
        }
        return charts;
    }

    /** What the C baseline's JSON lines hold: its perf points and its init lines (init time, device memory). */
    public record CBaseline(List<PerfPoint> points, List<InitPoint> inits) {
    }

    /** Reads the C baseline's JSON lines, each file once: files, or folders of {@code *.jsonl}, comma-separated. */
    public static CBaseline readBaseline(String paths) {
        List<PerfPoint> points = new ArrayList<>();
        List<InitPoint> inits = new ArrayList<>();
        if (paths == null || paths.isBlank()) return new CBaseline(points, inits);
        for (String p : paths.split(",")) {
            Path path = Path.of(p.strip());
            try {
                List<Path> files = Files.isDirectory(path)
                        ? Files.walk(path).filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()
                        : List.of(path);
                for (Path f : files) {
                    List<String> lines = Files.readAllLines(f);
                    points.addAll(PerfJsonLines.points(lines));
                    inits.addAll(PerfJsonLines.inits(lines));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read C baseline points from " + path + ": " + e.getMessage(), e);
            }
        }
        return new CBaseline(points, inits);
    }

    /**
     * Whether NCCL does any work for the point: with one rank and the same buffer in and out, ncclAllReduce returns
     * without launching anything, so its time is only the host's enqueue rate (fractions of a microsecond) and
     * its ratios say nothing about moving data. Such points stay in the table and charts, and are left out of the
     * overhead goals and the regression check.
     */
    static boolean movesData(PerfPoint p) {
        return !(p.world() == 1 && p.placement().equals("in-place"));
    }

    static PerfArtifacts of(List<PerfPoint> java, List<PerfPoint> c, Matrix.PerfPolicy policy) {
        return of(java, c, policy, List.of());
    }

    static PerfArtifacts of(List<PerfPoint> java, List<PerfPoint> c, Matrix.PerfPolicy policy, List<InitPoint> inits) {
        List<PerfPoint> all = new ArrayList<>(java);
        all.addAll(c);
        OverheadSummary overhead = c.isEmpty() ? null
                : OverheadSummary.of(all.stream().filter(PerfArtifacts::movesData).toList());
        OverheadSummary inProcess = java.stream().noneMatch(p -> p.source().equals(OverheadSummary.IN_PROCESS_C)) ? null
                : OverheadSummary.of(java.stream().filter(PerfArtifacts::movesData).toList(), OverheadSummary.IN_PROCESS_C);
        List<PerfPoint> binding = java.stream().filter(p -> p.source().equals(PerfPoint.JAVA)).toList();
        List<Regression> regressions = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        if (policy != null) regressions.addAll(regressionCheck(binding, c, policy, report));
        return new PerfArtifacts(all, PerfTable.markdown(all), charts(all), overhead, inProcess, regressions, report.toString(),
                List.copyOf(inits));
    }

    /**
     * Judges every release's Java points against the baseline release's, and writes the report. Even the median of a
     * few trials from one run is one sample of the machine's state, and at microsecond latencies two runs of the same
     * release differ by about as much as the threshold; the C baseline, when given, is a second, independent sample of the same NCCL in the same run. So a
     * Java regression counts unless C measured the same collective in both releases and saw no regression there:
     * those are listed as not confirmed, with C's numbers, and do not fail the check. Without C points every Java
     * regression counts. Worlds the policy excludes (e.g. ranks sharing one GPU through sockets) are not judged.
     *
     * @return the regressions that count
     */
    static List<Regression> regressionCheck(List<PerfPoint> java, List<PerfPoint> c, Matrix.PerfPolicy policy,
                                            StringBuilder report) {
        String baselineLibrary = "NCCL " + policy.baseline();
        RegressionCheck check = RegressionCheck.withThreshold(policy.threshold());
        List<PerfPoint> judgedJava = java.stream().filter(p -> movesData(p) && policy.judges(p.world())).toList();
        List<PerfPoint> judgedC = c.stream().filter(p -> movesData(p) && policy.judges(p.world())).toList();
        report.append("# Regression check against ").append(baselineLibrary).append(" (threshold ")
                .append(Math.round(policy.threshold() * 100)).append("%)\n\n");
        if (!policy.notJudgedWorlds().isEmpty()) {
            report.append("Not judged: world(s) ").append(policy.notJudgedWorlds().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" (").append(policy.notJudgedReason()).append(").\n\n");
        }
        if (!judgedC.isEmpty()) {
            report.append("A Java regression counts unless the C baseline measured the same collective in both releases ")
                    .append("and saw none (one run per release: at microsecond latencies run-to-run noise is about the ")
                    .append("threshold).\n\n");
        }
        List<Regression> counted = new ArrayList<>();
        List<PerfPoint> baseline = on(judgedJava, baselineLibrary);
        List<PerfPoint> baselineC = on(judgedC, baselineLibrary);
        Map<String, PerfPoint> cBefore = byCollective(baselineC);
        for (String library : judgedJava.stream().map(PerfPoint::library).distinct().filter(l -> !l.equals(baselineLibrary)).toList()) {
            List<PerfPoint> candidate = on(judgedJava, library);
            List<Regression> found = check.compare(baseline, candidate);
            List<PerfPoint> candidateC = on(judgedC, library);
            Map<String, PerfPoint> cAfter = byCollective(candidateC);
            Map<String, Regression> cFound = check.compare(baselineC, candidateC).stream()
                    .collect(Collectors.toMap(PerfArtifacts::collective, r -> r));
            List<Regression> confirmed = new ArrayList<>();
            List<Regression> unconfirmed = new ArrayList<>();
            for (Regression r : found) {
                String k = collective(r);
                boolean cMeasured = cBefore.containsKey(k) && cAfter.containsKey(k);
                (cMeasured && !cFound.containsKey(k) ? unconfirmed : confirmed).add(r);
            }
            counted.addAll(confirmed);
            List<PerfPoint> missing = check.missingFromCandidate(baseline, candidate);
            report.append("## ").append(library).append(": ")
                    .append(confirmed.isEmpty() ? "no regression" : confirmed.size() + " regression(s)")
                    .append(unconfirmed.isEmpty() ? "" : ", " + unconfirmed.size() + " not confirmed by the C baseline")
                    .append(missing.isEmpty() ? "" : ", " + missing.size() + " baseline point(s) not measured").append("\n\n");
            for (Regression r : confirmed) {
                Regression inC = cFound.get(collective(r));
                report.append("- ").append(r.describe())
                        .append(inC != null ? String.format(Locale.ROOT, "; C: %+.1f%%", inC.change() * 100) : "; no C measurement")
                        .append('\n');
            }
            if (!unconfirmed.isEmpty()) {
                report.append("\nNot confirmed by the C baseline (C's change for the same collective in brackets):\n\n");
                for (Regression r : unconfirmed) {
                    report.append("- ").append(r.describe()).append(" [C: ")
                            .append(change(r.metric(), cBefore.get(collective(r)), cAfter.get(collective(r)))).append("]\n");
                }
            }
            report.append('\n');
        }
        return counted;
    }

    private static List<PerfPoint> on(List<PerfPoint> points, String library) {
        return points.stream().filter(p -> p.library().equals(library)).toList();
    }

    /** A collective regardless of release and source: world, element type, size, placement, mode. */
    private static String collective(int world, String dtype, long bytes, String placement, String mode) {
        return world + "/" + dtype + "/" + bytes + "/" + placement + "/" + mode;
    }

    private static String collective(PerfPoint p) {
        return collective(p.world(), p.dtype(), p.bytes(), p.placement(), p.mode());
    }

    private static String collective(Regression r) {
        return collective(r.world(), r.dtype(), r.bytes(), r.placement(), r.mode());
    }

    /** One source's points by collective (two for one collective are refused, with both, by RegressionCheck.compare). */
    private static Map<String, PerfPoint> byCollective(List<PerfPoint> points) {
        return points.stream().collect(Collectors.toMap(PerfArtifacts::collective, p -> p, (a, b) -> a));
    }

    private static String change(Regression.Metric metric, PerfPoint before, PerfPoint after) {
        double was = metric.of(before);
        double is = metric.of(after);
        return String.format(Locale.ROOT, "%s %.2f %s -> %.2f %s (%+.1f%%)", metric.shortName(), was, metric.unit(), is,
                metric.unit(), (is / was - 1) * 100);
    }

    /**
     * The table against the separate C process; when an in-process table exists, with the note that its 8-byte
     * ratios are shown but judged in process (perf/overhead-vs-c-in-process).
     */
    public String overheadMarkdown() {
        if (overhead == null) return "";
        return overhead.markdown() + (inProcessOverhead == null ? "" : "\nThe 8 B ratios above compare two processes, "
                + "which differ by far more than 5% from run to run at 8 B; the 8 B goal is judged on the in-process C loop "
                + "(overhead-in-process.md), whose trials alternate with the binding's. The 64 MiB goal is judged here.\n");
    }

    /** The raw points, written before anything derived from them can fail. */
    static void writePoints(Path dir, List<PerfPoint> points) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("points.jsonl"), points.stream()
                .map(p -> EventCodec.mapper().valueToTree(p).toString()).collect(Collectors.joining("\n", "", "\n")));
    }

    void write(Path dir) throws IOException {
        writePoints(dir, points);
        Files.writeString(dir.resolve("table.md"), table);
        for (var chart : charts.entrySet()) Files.writeString(dir.resolve(chart.getKey()), chart.getValue());
        if (overhead != null) Files.writeString(dir.resolve("overhead.md"), overheadMarkdown());
        if (!inits.isEmpty()) Files.writeString(dir.resolve("init.md"), InitPoint.markdown(inits));
        if (inProcessOverhead != null) Files.writeString(dir.resolve("overhead-in-process.md"), inProcessOverhead.markdown());
        if (!regressionReport.isEmpty()) Files.writeString(dir.resolve("regressions.md"), regressionReport);
    }
}
