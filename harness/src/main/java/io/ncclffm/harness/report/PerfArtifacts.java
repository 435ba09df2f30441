package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.model.EventCodec;
import io.ncclffm.harness.perf.BandwidthChart;
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
                            OverheadSummary overhead, List<Regression> regressions, String regressionReport) {

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

    /** Reads the C baseline's JSON lines: files, or folders of {@code *.jsonl}, comma-separated. */
    public static List<PerfPoint> readBaseline(String paths) {
        List<PerfPoint> points = new ArrayList<>();
        if (paths == null || paths.isBlank()) return points;
        for (String p : paths.split(",")) {
            Path path = Path.of(p.strip());
            try {
                List<Path> files = Files.isDirectory(path)
                        ? Files.walk(path).filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()
                        : List.of(path);
                for (Path f : files) points.addAll(PerfJsonLines.points(Files.readAllLines(f)));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read C baseline points from " + path + ": " + e.getMessage(), e);
            }
        }
        return points;
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
        List<PerfPoint> all = new ArrayList<>(java);
        all.addAll(c);
        OverheadSummary overhead = c.isEmpty() ? null
                : OverheadSummary.of(all.stream().filter(PerfArtifacts::movesData).toList());
        List<PerfPoint> judged = java.stream().filter(PerfArtifacts::movesData).toList();
        List<Regression> regressions = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        if (policy != null) {
            String baselineLibrary = "NCCL " + policy.baseline();
            List<PerfPoint> baseline = judged.stream().filter(p -> p.library().equals(baselineLibrary)).toList();
            RegressionCheck check = RegressionCheck.withThreshold(policy.threshold());
            report.append("# Regression check against ").append(baselineLibrary).append(" (threshold ")
                    .append(Math.round(policy.threshold() * 100)).append("%)\n\n");
            for (String library : judged.stream().map(PerfPoint::library).distinct().filter(l -> !l.equals(baselineLibrary)).toList()) {
                List<PerfPoint> candidate = judged.stream().filter(p -> p.library().equals(library)).toList();
                List<Regression> found = check.compare(baseline, candidate);
                regressions.addAll(found);
                List<PerfPoint> missing = check.missingFromCandidate(baseline, candidate);
                report.append("## ").append(library).append(": ").append(found.isEmpty() ? "no regression" : found.size() + " regression(s)")
                        .append(missing.isEmpty() ? "" : ", " + missing.size() + " baseline point(s) not measured").append("\n\n");
                found.forEach(r -> report.append("- ").append(r.describe()).append('\n'));
            }
        }
        return new PerfArtifacts(all, PerfTable.markdown(all), charts(all), overhead, regressions, report.toString());
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
        if (overhead != null) Files.writeString(dir.resolve("overhead.md"), overhead.markdown());
        if (!regressionReport.isEmpty()) Files.writeString(dir.resolve("regressions.md"), regressionReport);
    }
}
