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
public record PerfArtifacts(List<PerfPoint> points, String table, String chartSvg, OverheadSummary overhead,
                            List<Regression> regressions, String regressionReport) {

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

    static PerfArtifacts of(List<PerfPoint> java, List<PerfPoint> c, Matrix.PerfPolicy policy) {
        List<PerfPoint> all = new ArrayList<>(java);
        all.addAll(c);
        OverheadSummary overhead = c.isEmpty() ? null : OverheadSummary.of(all);
        List<Regression> regressions = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        if (policy != null) {
            String baselineLibrary = "NCCL " + policy.baseline();
            List<PerfPoint> baseline = java.stream().filter(p -> p.library().equals(baselineLibrary)).toList();
            RegressionCheck check = RegressionCheck.withThreshold(policy.threshold());
            report.append("# Regression check against ").append(baselineLibrary).append(" (threshold ")
                    .append(Math.round(policy.threshold() * 100)).append("%)\n\n");
            for (String library : java.stream().map(PerfPoint::library).distinct().filter(l -> !l.equals(baselineLibrary)).toList()) {
                List<PerfPoint> candidate = java.stream().filter(p -> p.library().equals(library)).toList();
                List<Regression> found = check.compare(baseline, candidate);
                regressions.addAll(found);
                List<PerfPoint> missing = check.missingFromCandidate(baseline, candidate);
                report.append("## ").append(library).append(": ").append(found.isEmpty() ? "no regression" : found.size() + " regression(s)")
                        .append(missing.isEmpty() ? "" : ", " + missing.size() + " baseline point(s) not measured").append("\n\n");
                found.forEach(r -> report.append("- ").append(r.describe()).append('\n'));
            }
        }
        return new PerfArtifacts(all, PerfTable.markdown(all), BandwidthChart.svg(all, "allReduce bus bandwidth (float32 sum)"),
                overhead, regressions, report.toString());
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("points.jsonl"), points.stream()
                .map(p -> EventCodec.mapper().valueToTree(p).toString()).collect(Collectors.joining("\n", "", "\n")));
        Files.writeString(dir.resolve("table.md"), table);
        Files.writeString(dir.resolve("busbw.svg"), chartSvg);
        if (overhead != null) Files.writeString(dir.resolve("overhead.md"), overhead.markdown());
        if (!regressionReport.isEmpty()) Files.writeString(dir.resolve("regressions.md"), regressionReport);
    }
}
