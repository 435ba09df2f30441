package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ncclffm.testing.CSharedLibrary;

/**
 * The separate C baseline reaches the perf report of a matrix run by the standalone jar, given as {@code --perf-c}
 * or as the {@code ncclffm.perf.c} property (the form in which Maven hands it to the test JVM). The perf cell runs the
 * binding's stub, which measures nothing on a host without a GPU, so what the report shows of perf is the C
 * baseline's points: the perf table attached to {@code perf/table-and-chart} holds them, and
 * {@code perf/overhead-vs-c} names the C baseline's row (which has no Java beside it) instead of saying that no
 * points were given. The report read is the run's Allure results.
 */
class PerfBaselineOptionIT {

    private static Path jar;
    private static Path stub;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        jar = Path.of(System.getProperty("ncclffm.harness.jar", "target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the standalone jar is built by mvn package: " + jar);
        stub = CSharedLibrary.compile(Path.of("target", "perf-c-stub", "libnccl_stub.so"), "../../binding/src/test/c/stub_nccl.c");
    }

    /** Two sizes as perf/c-baseline/nccl_allreduce_bench prints them, of the stub's release at world 1. */
    private static final String C_BASELINE = """
            {"library":"NCCL 2.22.3","source":"c","world":1,"collective":"allReduce","bytes":8,"dtype":"float32",\
            "placement":"out-of-place","mode":"launch","iterations":1000,"timeUs":12.340,"algBwGBs":0.000648,"busBwGBs":0.0,\
            "trialsUs":[12.400,12.340,12.300]}
            {"library":"NCCL 2.22.3","source":"c","world":1,"collective":"allReduce","bytes":16,"dtype":"float32",\
            "placement":"out-of-place","mode":"launch","iterations":1000,"timeUs":12.560,"algBwGBs":0.001274,"busBwGBs":0.0,\
            "trialsUs":[12.600,12.560,12.500]}
            """;

    @ParameterizedTest(name = "given as {0}")
    @ValueSource(strings = {"--perf-c", "-Dncclffm.perf.c"})
    void theCBaselineGiven_isInThePerfReport(String how) throws Exception {
        Path c = Files.writeString(dir.resolve("rank0.jsonl"), C_BASELINE);
        Path matrix = Files.writeString(dir.resolve("m.yaml"), """
                cells:
                  - name: perf-stub
                    flavor: nccl
                    version: 2.22.3
                    host: {path: %s}
                    worlds: [1]
                    gpu: none
                    mode: perf
                    timeout: 2m
                    env: {STUB_NCCL_INIT: fail}
                """.formatted(stub));
        Path reports = dir.resolve("reports");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        if (how.startsWith("-D")) cmd.add(how + "=" + c);
        cmd.addAll(List.of("-jar", jar.toString(), "matrix", "--matrix", matrix.toString(), "--reports", reports.toString()));
        if (how.startsWith("--")) cmd.addAll(List.of(how, c.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the matrix run ended in time");
        String output = Files.readString(dir.resolve("out.txt")) + Files.readString(dir.resolve("err.txt"));
        Path run = reports.resolve("latest");
        assertTrue(Files.readString(run.resolve("gate.txt")).startsWith("FAIL") || Files.readString(run.resolve("gate.txt")).startsWith("PASS"),
                "the run reached its gate: " + output);
        assertFalse(output.contains("an event before the worker's hello"), "the perf rank's events are trusted: " + output);

        Path results = run.resolve("allure-results");
        String table = attachment(results, result(results, "perf/table-and-chart"), "perf table");
        assertTrue(table.contains("### NCCL 2.22.3, world 1, allReduce float32"), table);
        assertTrue(table.contains("| 8 B | — / 12.34 |"), "the binding measured nothing, C 12.34 µs at 8 B: " + table);
        JsonNode overhead = result(results, "perf/overhead-vs-c");
        String why = overhead.path("statusDetails").path("message").asText();
        assertFalse(why.contains("no C baseline points were given"), why);
        assertTrue(why.contains("NCCL 2.22.3 world 1 float32 out-of-place launch"), "the C baseline's row, without Java beside it: " + why);
        assertTrue(attachment(results, overhead, "overhead against C").contains("| NCCL 2.22.3 | 1 | allReduce | float32 |"));
    }

    /** The Allure result of the test {@code name}. */
    private static JsonNode result(Path results, String name) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(results)) {
            for (Path f : files.filter(x -> x.toString().endsWith("-result.json")).toList()) {
                JsonNode result = json.readTree(f.toFile());
                if (name.equals(result.path("name").asText())) return result;
            }
        }
        throw new AssertionError("no Allure result of " + name + " in " + results);
    }

    /** The content of the attachment {@code name} of an Allure result. */
    private static String attachment(Path results, JsonNode result, String name) throws IOException {
        for (JsonNode a : result.path("attachments")) {
            if (name.equals(a.path("name").asText())) return Files.readString(results.resolve(a.path("source").asText()));
        }
        throw new AssertionError(result.path("name").asText() + " has no attachment '" + name + "': " + result.path("attachments"));
    }
}
