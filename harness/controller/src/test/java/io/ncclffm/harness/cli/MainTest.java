package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.harness.cli.Main.ExitCode;

class MainTest {

    /** One command line's exit status and what it printed. */
    private record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitCodes_areTheDocumentedNumbers() {
        assertEquals(0, ExitCode.PASSED.code());
        assertEquals(1, ExitCode.FAILED.code());
        assertEquals(2, ExitCode.USAGE_OR_MATRIX_ERROR.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void help_atTopLevel_listsTheCommandsAndExitCodes_andExitsZero(String flag) {
        Result r = run(flag);
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        for (String command : List.of("matrix", "worker", "probe", "faults")) assertTrue(r.out().contains("  " + command + " "), r.out());
        assertTrue(r.out().contains("0  the gate passed"), r.out());
        assertTrue(r.out().contains("1  the gate failed"), r.out());
        assertTrue(r.out().contains("2  usage or matrix error"), r.out());
    }

    /** Each command and what its usage text must name. */
    static Stream<Arguments> commandsAndTheirArguments() {
        return Stream.of(
                arguments("matrix", List.of("matrix --matrix FILE", "--matrix FILE", "--cells NAMES", "--reports DIR", "--perf-c FILES", "2  usage",
                        "--maven-allow-http", "-Dncclffm.maven.allowHttp=true")),
                arguments("fetch", List.of("fetch --matrix FILE --into DIR", "--cells NAMES", "--maven-allow-http",
                        "-Dncclffm.maven.allowHttp=true", "pins a sha256 must have it")),
                arguments("report", List.of("report --rebuild RUNDIR", "verdicts.jsonl", "never PASS", "2 usage error")),
                arguments("probe", List.of("probe [LIBRARY]", "LIBRARY ")),
                arguments("faults", List.of("faults LIBRARY VERSION", "LIBRARY ", "VERSION ")),
                arguments("worker", List.of("worker\n", "no arguments", "NCCLFFM_")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandsAndTheirArguments")
    void help_forEachCommand_printsItsOwnUsage_andExitsZero(String command, List<String> named) {
        for (String flag : List.of("--help", "-h", "help")) {
            for (String[] args : List.of(new String[] {command, flag}, new String[] {"help", command})) {
                Result r = run(args);
                assertEquals(0, r.exit(), List.of(args) + ": " + r.err());
                assertEquals("", r.err(), List.of(args).toString());
                assertTrue(r.out().startsWith("usage: "), r.out());
                for (String n : named) assertTrue(r.out().contains(n), List.of(args) + " names " + n + ":\n" + r.out());
            }
        }
    }

    @Test
    void help_afterOtherMatrixOptions_stillPrintsUsage() {
        Result r = run("matrix", "--cells", "a", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--perf-c FILES"), r.out());
    }

    @Test
    void noCommand_isAUsageError() {
        Result r = run();
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("no command given"), r.err());
    }

    @Test
    void unknownCommand_isNamed_andExitsTwo() {
        Result r = run("martix");
        assertEquals(2, r.exit());
        assertEquals("unknown command 'martix'; expected one of [matrix, report, compare, fetch, worker, probe, faults]", r.errLines().get(0));
        assertEquals("", r.out());
    }

    @Test
    void unknownOption_isNamed_andExitsTwo() {
        Result r = run("matrix", "--matrix", "../../matrix/debian.yaml", "--colls", "nccl-*");
        assertEquals(2, r.exit());
        assertEquals("unknown option '--colls'; expected one of --matrix, --cells, --worlds, --reports, --parallel, --perf-c, --libraries, --allow-not-started or --maven-allow-http", r.errLines().get(0));
    }

    @Test
    void optionWithoutValue_isNamed_andExitsTwo() {
        Result r = run("matrix", "--matrix");
        assertEquals(2, r.exit());
        assertEquals("option --matrix needs a value", r.errLines().get(0));
        Result r2 = run("matrix", "--cells", "--matrix", "../../matrix/debian.yaml");
        assertEquals(2, r2.exit());
        assertEquals("option --cells needs a value", r2.errLines().get(0));
    }

    @Test
    void matrixWithoutMatrixOption_namesTheMissingOption() {
        Result r = run("matrix", "--cells", "nccl-*");
        assertEquals(2, r.exit());
        assertTrue(r.errLines().get(0).startsWith("missing option --matrix FILE"), r.err());
    }

    @Test
    void wrongArgumentCounts_areUsageErrors() {
        assertEquals(2, run("faults", "/lib/libnccl.so.2").exit());
        assertEquals(2, run("probe", "a.so", "b.so").exit());
        Result r = run("worker", "--rank", "0");
        assertEquals(2, r.exit());
        assertTrue(r.errLines().get(0).startsWith("worker takes no arguments"), r.err());
    }

    @Test
    void reportWithoutARunFolder_isAUsageError_namingWhatIsMissing(@TempDir Path dir) {
        Result none = run("report");
        assertEquals(2, none.exit());
        assertTrue(none.errLines().get(0).startsWith("missing option --rebuild RUNDIR"), none.err());
        Result valueless = run("report", "--rebuild");
        assertEquals(2, valueless.exit());
        assertEquals("option --rebuild needs a value", valueless.errLines().get(0));
        Result unknown = run("report", "--rebiuld", dir.toString());
        assertEquals(2, unknown.exit());
        assertEquals("unknown option '--rebiuld'; expected --rebuild RUNDIR", unknown.errLines().get(0));
        Result notARun = run("report", "--rebuild", dir.toString());
        assertEquals(2, notARun.exit());
        assertEquals(List.of(dir + " is no run's folder: it has no verdicts.jsonl"), notARun.errLines());
        Result missing = run("report", "--rebuild", dir.resolve("absent").toString());
        assertEquals(2, missing.exit());
        assertEquals(List.of(dir.resolve("absent") + " does not exist"), missing.errLines());
    }

    @Test
    void malformedMatrix_printsOnlyTheOneErrorLine_andExitsTwo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                # a new user's first matrix

                defaults: {timeout: soon}
                cells:
                  - {name: a, flavor: nccl, version: 2.22.3, image: {ref: some/image}, soPath: /usr/lib/libnccl.so.2}
                """);
        Result r = run("matrix", "--matrix", file.toString());
        assertEquals(2, r.exit());
        assertEquals("", r.out(), "no JUnit summary");
        assertEquals(List.of(file + ", line 3, field defaults.timeout: expected a duration like 90s, 10m or 1h, got 'soon'"),
                r.errLines());
    }

    @Test
    void missingMatrixFile_printsOneLine_andExitsTwo(@TempDir Path dir) {
        Path file = dir.resolve("h100.yaml");
        Result r = run("matrix", "--matrix", file.toString());
        assertEquals(2, r.exit());
        assertEquals(List.of("matrix file " + file + " does not exist"), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void cellsMatchingNothing_printsOneLine_andExitsTwo() {
        Result r = run("matrix", "--matrix", "../../matrix/debian.yaml", "--cells", "nope-*");
        assertEquals(2, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("../../matrix/debian.yaml: no cell matches 'nope-*'; cells are ["), r.err());
        assertEquals("", r.out());
    }
    private static final String ONE_CELL = """
            cells:
              - {name: a, flavor: nccl, version: 2.22.3, image: {ref: some/image}, soPath: /usr/lib/libnccl.so.2}
            """;

    /** A matrix file that once made the jar exit 1, hang, or run a broken cell, and the one line it must print now. */
    static Stream<Arguments> hostileMatrices() {
        return Stream.of(
                arguments("defaults: {timeout: 99999999999999999999h}\n" + ONE_CELL,
                        "line 1, field defaults.timeout: expected a duration from 1s to 24h, like 90s, 10m or 1h, got '99999999999999999999h'"),
                arguments("defaults: {timeout: 9999999999999h}\n" + ONE_CELL,
                        "line 1, field defaults.timeout: expected a duration from 1s to 24h, like 90s, 10m or 1h, got '9999999999999h'"),
                arguments("defaults: {timeout: 0s}\n" + ONE_CELL,
                        "line 1, field defaults.timeout: expected a duration from 1s to 24h, like 90s, 10m or 1h, got '0s'"),
                arguments("supported: {nccl: {lowest: 2.x, highest: 2.22.3}}\n" + ONE_CELL,
                        "line 1, field supported.nccl.lowest: expected a version like 2.28.9, got '2.x'"),
                arguments("defaults: {env: {'NCCL_DEBUG=INFO': x}}\n" + ONE_CELL,
                        "line 1, field defaults.env.NCCL_DEBUG=INFO: 'NCCL_DEBUG=INFO' is no environment variable name: a name is "
                                + "not empty and has no '=' and no NUL character"),
                arguments("defaults: {timeout: 5m}\ndefaults: {timeout: 50m}\n" + ONE_CELL,
                        "line 2, field defaults: duplicate key 'defaults' (first written at line 1); a key may appear once in a mapping"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("hostileMatrices")
    void hostileMatrix_printsOneLineWithFileLineAndField_andExitsTwo(String yaml, String expected, @TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("m.yaml"), yaml);
        Result r = run("matrix", "--matrix", file.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of(file + ", " + expected), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void aMatrixThatIsADeviceOrAFifo_isRefusedAtOnce_andExitsTwo(@TempDir Path dir) throws Exception {
        Result zero = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("matrix", "--matrix", "/dev/zero"));
        assertEquals(2, zero.exit(), zero.err());
        assertEquals(List.of("matrix file /dev/zero is not a regular file (it is a character device); expected a YAML matrix file"),
                zero.errLines());
        Path fifo = dir.resolve("m.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Result pipe = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("fetch", "--matrix", fifo.toString(), "--into",
                dir.resolve("libs").toString()));
        assertEquals(2, pipe.exit(), pipe.err());
        assertEquals(List.of("matrix file " + fifo + " is not a regular file (it is a FIFO); expected a YAML matrix file"), pipe.errLines());
    }
    @Test
    void worlds_outsideOneToSixtyFour_isAUsageErrorNamingTheOption_beforeAnythingRuns() {
        for (String worlds : List.of("0", "65", "1,0", "two")) {
            Result r = run("matrix", "--matrix", "../../matrix/debian.yaml", "--worlds", worlds);
            assertEquals(2, r.exit(), worlds + ": " + r.err());
            assertEquals("option --worlds expects comma-separated world sizes in 1..64, e.g. 1,2, got '" + worlds + "'",
                    r.errLines().get(0));
            assertEquals("", r.out(), "no run's folder was made");
        }
    }
}
