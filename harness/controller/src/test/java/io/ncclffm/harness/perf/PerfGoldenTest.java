package io.ncclffm.harness.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The perf report of fixed stored points, byte for byte: every file it writes and every verdict it gives, against
 * the outputs the report made of the same points when they were stored ({@code golden/<scenario>/expected}). The
 * points are JSON lines as the worker and the C baseline wrote them, so the test also holds the reader to lines
 * written before any change of the code that reads them.
 *
 * <p>The scenarios: two releases across processes, three runs each, with a band of slow sizes, a lone slow size, a
 * slowdown only the binding shows and a slow run, nccl-tests and the separate C baseline beside them
 * ({@code across}); the same points under in-process pairing, where no candidate timed the baseline beside it
 * ({@code across-as-paired}); in-process pairing with the baseline's library timed in the candidate's processes
 * ({@code paired}); a build slowed on purpose with one world not judged ({@code shim}); no policy at all
 * ({@code plain}).
 */
class PerfGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/io/ncclffm/harness/perf/golden");
    private static final String A = "perf-2.28.3";

    private static Matrix.PerfPolicy policy(String scenario) {
        Matrix.PerfPolicy tenPercent = new Matrix.PerfPolicy(A, Set.of(A), 0.10);
        return switch (scenario) {
            case "across" -> tenPercent.withRuns(3);
            case "across-as-paired", "paired" -> tenPercent.withRuns(3).withPairing(Matrix.PerfPolicy.Pairing.IN_PROCESS);
            case "shim" -> new Matrix.PerfPolicy(A, Set.of(A), 0.10, Set.of(2), "ranks share one GPU through sockets",
                    Matrix.PerfPolicy.Expectation.REGRESSION).withRuns(1);
            case "plain" -> null;
            default -> throw new IllegalArgumentException(scenario);
        };
    }

    private static Path input(String scenario, String file) {
        return GOLDEN.resolve(scenario.equals("across-as-paired") ? "across" : scenario).resolve(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"across", "across-as-paired", "paired", "shim", "plain"})
    void storedPoints_giveTheFilesAndVerdictsTheyGaveWhenStored(String scenario) throws IOException {
        List<PerfPoint> measured = PerfJsonLines.points(Files.readAllLines(input(scenario, "measured.jsonl")));
        Path c = input(scenario, "c-baseline.jsonl");
        CBaseline baseline = CBaseline.read(Files.exists(c) ? c.toString() : null);
        List<InitPoint> inits = List.of(new InitPoint("NCCL 2.28.3", Source.JAVA, 2, 380, 905_969_664L));
        PerfReport a = PerfAnalysis.of(measured, inits, baseline, policy(scenario));
        List<Verdict> verdicts = a.verdicts();

        Path actual = Path.of("target/perf-golden", scenario);
        clear(actual);
        a.write(actual);
        // points.jsonl holds every input point again: its digest stands for it
        Path points = actual.resolve("points.jsonl");
        Files.writeString(actual.resolve("points.jsonl.sha256"), sha256(Files.readAllBytes(points)) + "\n");
        Files.delete(points);
        Files.writeString(actual.resolve("verdicts.txt"), verdicts.stream()
                .map(v -> v.checkId() + " " + v.status() + " " + v.cause() + ": " + v.message())
                .collect(Collectors.joining("\n", "", "\n")));

        Path expected = GOLDEN.resolve(scenario).resolve("expected");
        assertEquals(names(expected), names(actual), "the files written");
        for (String name : names(expected)) {
            assertEquals(Files.readString(expected.resolve(name)), Files.readString(actual.resolve(name)),
                    scenario + "/" + name + " (this run's in " + actual.toAbsolutePath() + ")");
        }
        assertTrue(names(expected).containsAll(List.of("verdicts.txt", "points.jsonl.sha256")), names(expected).toString());
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void clear(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
        Files.createDirectories(dir);
    }
}
