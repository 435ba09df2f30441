package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.testing.CSharedLibrary;

/**
 * The gate's rules, end to end: the standalone jar runs a small matrix in its own JVM, as a GPU host or a CI job
 * would, and the exit status, {@code gate.txt} and the JUnit XML are read back. The library is the binding's stub
 * (built with gcc), so this needs neither NCCL nor a GPU; the Docker case points Testcontainers at a socket that
 * does not exist.
 */
class GateRulesIT {

    private static Path jar;
    private static Path stub;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        jar = Path.of(System.getProperty("ncclffm.harness.jar", "target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the standalone jar is built by mvn package: " + jar);
        stub = CSharedLibrary.compile(Path.of("target", "gate-stub", "libnccl_stub.so"), "../../binding/src/test/c/stub_nccl.c");
    }

    private record Run(int exit, String stdout, String stderr, String gate, Path reports) {
    }

    private Run run(String matrixYaml, Map<String, String> env, String... extra) throws Exception {
        Path matrix = dir.resolve("m.yaml");
        Files.writeString(matrix, matrixYaml);
        Path reports = dir.resolve("reports");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "matrix", "--matrix", matrix.toString(),
                "--reports", reports.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the matrix run ended in time");
        // The run's own folder, which reports/latest points at.
        Path run = reports.resolve("latest");
        Path gate = run.resolve("gate.txt");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")),
                Files.exists(gate) ? Files.readString(gate) : "", run);
    }

    private String stubCell(String gpu, String worlds) {
        return """
                cells:
                  - name: stub
                    flavor: nccl
                    version: 2.22.3
                    host: {path: %s}
                    worlds: %s
                    gpu: %s
                    timeout: 2m
                    env: {STUB_NCCL_INIT: fail}
                """.formatted(stub, worlds, gpu);
    }

    @Test
    void aCpuRun_passesInCpuScope_sayingHowManyGpuChecksDidNotRun_withUniqueJUnitNames() throws Exception {
        Run r = run(stubCell("none", "[1, 2]"), Map.of());
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        String headline = r.gate().lines().findFirst().orElse("");
        assertTrue(headline.matches("PASS \\(CPU scope: load, version, error-strings, unique-id, init-without-gpu.*; \\d+ GPU check\\(s\\) not run: no GPU\\)"),
                headline);
        List<String> names = junitTestNames(r.reports().resolve("junit"));
        assertTrue(names.size() > 100, "every check that ran, and every release gap, is a test: " + names.size());
        assertEquals(names.size(), new HashSet<>(names).size(), "JUnit XML test names are unique across cells and worlds");
        List<String> allure = allureTestNames(r.reports().resolve("allure-results"));
        Set<String> distinct = new HashSet<>(allure);
        assertEquals(allure.size(), distinct.size(), "Allure test names are unique across cells and worlds");
        assertTrue(distinct.stream().anyMatch(n -> n.matches("not run: no GPU \\(\\d{3,} checks\\) \\[stub, world 1\\]")),
                "the GPU checks a CPU run cannot run are one test per cell run and reason: " + distinct);
        int checks = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.reports().resolve("manifest.json").toFile())
                .path("cellRuns").findValues("checks").stream().mapToInt(com.fasterxml.jackson.databind.JsonNode::size).sum();
        assertTrue(allure.size() < checks / 2, "not one placeholder test per check not run: " + allure.size() + " tests, " + checks
                + " checks");
        assertTrue(distinct.contains("version [stub, world 1]") && distinct.contains("version [stub, world 2]"),
                "names carry the cell and the world: " + allure.subList(0, Math.min(5, allure.size())));
        assertEquals(List.of("NCCL 2.22.3", "stub", "world 2"), suites(r.reports().resolve("allure-results"), "version [stub, world 2]"),
                "Suites group by release, cell and world");
    }

    @Test
    void aGpuCellOnAHostWithoutGpus_isBroken_andTheGateFails() throws Exception {
        Run r = run(stubCell("{vendor: nvidia, assign: shared}", "[1]"), Map.of());
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.gate().startsWith("FAIL (1 check(s) broken"), r.gate());
        assertTrue(r.stdout().contains("not started: the cell assigns NVIDIA GPUs, but this host shows none"), r.stdout());
    }

    @Test
    void cellsAllowedNotToStart_stillFail_whenNothingWasChecked_andTheGateNamesTheOption() throws Exception {
        Run r = run(stubCell("{vendor: nvidia, assign: shared}", "[1]"), Map.of(), "--allow-not-started");
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        String headline = r.gate().lines().findFirst().orElse("");
        assertTrue(headline.startsWith("FAIL (nothing was checked"), headline);
        assertTrue(headline.contains("allowed to by ncclffm.allow.not.started"), headline);
    }

    @Test
    void aContainerCellWithoutDocker_isBroken_andTheGateFails() throws Exception {
        String yaml = """
                cells:
                  - name: in-a-container
                    flavor: nccl
                    version: 2.22.3
                    image: {ref: "ncclffm/none:absent"}
                    soPath: /usr/lib/x86_64-linux-gnu/libnccl.so.2
                    worlds: [1]
                """;
        Run r = run(yaml, Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock",
                "TESTCONTAINERS_DOCKER_CLIENT_STRATEGY", "org.testcontainers.dockerclient.EnvironmentAndSystemPropertyClientProviderStrategy",
                "TESTCONTAINERS_RYUK_DISABLED", "true"));
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.gate().startsWith("FAIL ("), r.gate());
        assertTrue(r.stdout().contains("in-a-container world 1: not started: Docker is not available"), r.stdout());
    }

    @Test
    void aHostCellWhoseFileMissesItsPin_isBrokenAtStart_namingBothHashes_andOneThatMatchesRuns() throws Exception {
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(stub)));
        String pinned = "0".repeat(64);
        String pin = "host: {path: %s, sha256: %s}";

        Run bad = run(stubCell("none", "[1]").replace("host: {path: " + stub + "}", pin.formatted(stub, pinned)), Map.of());

        assertEquals(1, bad.exit(), bad.stdout() + bad.stderr());
        assertTrue(bad.gate().startsWith("FAIL (1 check(s) broken"), bad.gate());
        assertTrue(bad.stdout().contains("the cell could not start: its library could not be resolved: cell stub (NCCL 2.22.3), host library "
                + stub + ": sha256 mismatch: the matrix pins " + pinned + ", the library file has " + actual), bad.stdout());

        Run good = run(stubCell("none", "[1]").replace("host: {path: " + stub + "}", pin.formatted(stub, actual)), Map.of());
        assertEquals(0, good.exit(), good.stdout() + good.stderr());
    }

    @Test
    void aMalformedMatrix_exits2_andPrintsOnlyTheError() throws Exception {
        Run r = run("cells: nccl\n", Map.of());
        assertEquals(2, r.exit());
        assertEquals("", r.stdout());
        List<String> lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.getFirst().endsWith("m.yaml, line 1, field cells: expected a list of cells, got a string 'nccl'"), lines.getFirst());
        assertFalse(Files.exists(r.reports().getParent()), "nothing ran: not even the run's folder was made");
    }

    @Test
    void worldsZero_exits2_namingTheOption_andNothingRuns() throws Exception {
        Run r = run(stubCell("none", "[1]"), Map.of(), "--worlds", "0");
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertEquals("option --worlds expects comma-separated world sizes in 1..64, e.g. 1,2, got '0'",
                r.stderr().lines().filter(l -> !l.startsWith("WARNING")).findFirst().orElse(""), r.stderr());
        assertFalse(Files.exists(r.reports().getParent()), "nothing ran: not even the run's folder was made");
    }

    @Test
    void worldsThatSelectNoCellRun_failTheGate_whoseHeadlineNamesTheOption() throws Exception {
        Run r = run(stubCell("none", "[1, 2]"), Map.of(), "--worlds", "3");
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        String headline = r.gate().lines().findFirst().orElse("");
        assertEquals("FAIL (nothing was checked: the world sizes selected (--worlds, ncclffm.worlds: [3]) match no cell run; the cells "
                + "run world sizes [1, 2]; CPU scope: nothing)", headline);
    }

    /** The test names of Allure's result files. */
    private static List<String> allureTestNames(Path results) throws IOException {
        List<String> names = new ArrayList<>();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try (Stream<Path> files = Files.list(results)) {
            for (Path f : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                names.add(mapper.readTree(f.toFile()).path("name").asText());
            }
        }
        return names;
    }

    /** The parentSuite, suite and subSuite labels of the Allure result named {@code name}. */
    private static List<String> suites(Path results, String name) throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try (Stream<Path> files = Files.list(results)) {
            for (Path f : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                var node = mapper.readTree(f.toFile());
                if (!node.path("name").asText().equals(name)) continue;
                List<String> out = new ArrayList<>();
                for (String label : List.of("parentSuite", "suite", "subSuite")) {
                    for (var l : node.path("labels")) if (l.path("name").asText().equals(label)) out.add(l.path("value").asText());
                }
                return out;
            }
        }
        return List.of();
    }

    private static final Pattern TESTCASE = Pattern.compile("<testcase name=\"([^\"]*)\"");

    private static List<String> junitTestNames(Path junitDir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(junitDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".xml")).toList()) {
                Matcher m = TESTCASE.matcher(Files.readString(f));
                while (m.find()) names.add(m.group(1).replace("&amp;", "&").replace("&quot;", "\""));
            }
        }
        return names;
    }
}
