package io.ncclffm.harness.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.protocol.PerfPoint;

/**
 * What the separate C baseline's JSON lines hold ({@code perf/c-baseline/nccl_allreduce_bench}): its perf points and
 * its init lines (init time, device memory).
 */
public record CBaseline(List<PerfPoint> points, List<InitPoint> inits) {

    /** No C baseline was given. */
    public static final CBaseline NONE = new CBaseline(List.of(), List.of());

    public CBaseline {
        points = List.copyOf(points);
        inits = List.copyOf(inits);
    }

    /**
     * Reads the C baseline's JSON lines, each file once: files, or folders of {@code *.jsonl}, comma-separated
     * ({@code --perf-c}, {@code ncclffm.perf.c}); {@link #NONE} for {@code null} or blank.
     *
     * @throws IllegalArgumentException naming the path that cannot be read, or the line that is not a point
     */
    public static CBaseline read(String paths) {
        if (paths == null || paths.isBlank()) return NONE;
        List<PerfPoint> points = new ArrayList<>();
        List<InitPoint> inits = new ArrayList<>();
        for (String p : paths.split(",")) {
            Path path = Path.of(p.strip());
            try {
                for (Path f : files(path)) {
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

    private static List<Path> files(Path path) throws IOException {
        if (!Files.isDirectory(path)) return List.of(path);
        try (Stream<Path> all = Files.walk(path)) {
            return all.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
    }
}
