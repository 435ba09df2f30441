package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;

class MatrixLoaderTest {

    private static final Path FILE = Path.of("matrix/test.yaml");

    static Stream<Path> repositoryMatrices() throws IOException {
        return Files.list(Path.of("../../matrix")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("repositoryMatrices")
    void everyMatrixInTheRepository_loads(Path file) {
        Matrix m = MatrixLoader.load(file);
        assertTrue(m.cells().size() >= 1, file + " has cells");
    }

    @Test
    void collectivesPerfMatrix_asksTwoOneRankCellsForEveryCollectiveInBothTypes_withValuesTheWorkerAccepts() {
        Matrix m = MatrixLoader.load(Path.of("../../matrix/one-gpu-perf-collectives.yaml"));
        assertEquals(2, m.cells().size());
        for (Cell c : m.cells()) {
            assertEquals(java.util.List.of(1), c.worlds(), c.name());
            java.util.Map<String, String> env = new java.util.HashMap<>(c.env());
            env.put("NCCLFFM_RANK", "0");
            env.put("NCCLFFM_WORLD", "1");
            env.put("NCCLFFM_MODE", c.mode().name());
            io.ncclffm.harness.protocol.WorkerConfig.Perf w = io.ncclffm.harness.protocol.WorkerConfig.fromEnvironment(env).perf()
                    .orElseThrow();
            assertEquals(java.util.List.of(io.ncclffm.harness.protocol.Collective.values()), w.collectives(), c.name());
            assertEquals(java.util.List.of(io.ncclffm.DataType.FLOAT32, io.ncclffm.DataType.BFLOAT16), w.dtypes(), c.name());
            assertEquals(256L << 20, w.maxBytes(), c.name());
            assertEquals(6, w.trials(), c.name());
            assertEquals("/tmp/nccl-tests/build", w.ncclTests(), c.name());
        }
    }

    @Test
    void debianMatrix_describesTheFourDebianLibraries() {
        Matrix m = MatrixLoader.load(Path.of("../../matrix/debian.yaml"));
        assertEquals(4, m.cells().size());
        assertEquals("RCCL 2.27.7 (ROCm 7.2.4)", m.cells().get(3).displayVersion());
        Cell rccl = m.cells().get(2);
        assertEquals(Flavor.RCCL, rccl.flavor());
        assertEquals(NcclVersion.of(2, 13, 4), rccl.version());
        Cell.BuildImage image = assertInstanceOf(Cell.BuildImage.class, rccl.source());
        assertEquals("librccl1", image.args().get("PACKAGE"));
        assertEquals(java.util.List.of(1, 2), rccl.worlds(), "defaults apply");
        assertEquals(false, rccl.gpu().present());
        assertEquals("ROCm 5.4.3", rccl.release());
    }

    @Test
    void releasesMatrix_mixesReleasesByCellName_andEveryMemberRunsAsProcesses() {
        Matrix m = MatrixLoader.load(Path.of("../../matrix/releases.yaml"));
        Cell mix = m.cells().stream().filter(c -> c.name().equals("mix-2.22.3-2.23.4")).findFirst().orElseThrow();
        assertTrue(mix.mixed());
        assertEquals("NCCL 2.22.3 + NCCL 2.23.4", mix.displayVersion());
        assertEquals(NcclVersion.of(2, 23, 4), mix.forRank(1).version());
        assertEquals(NcclVersion.of(2, 22, 3), mix.forRank(2).version(), "ranks take the members in turn");
        assertEquals(java.util.List.of(2), mix.worlds());
        assertEquals("mix-2.22.3-2.23.4", mix.forRank(1).name(), "a rank keeps the mixed cell's name");
    }

    @Test
    void mixedCell_namingAnUnknownOrContainerCell_isRejectedAtItsLine() {
        String base = """
                cells:
                  - {name: a, flavor: nccl, version: 2.22.3, host: {path: /a.so}}
                  - {name: b, flavor: nccl, version: 2.23.4, image: {fromHost: /b.so}}
                """;
        MatrixException unknown = error(base + "  - {name: m, mix: [a, zz]}\n");
        assertTrue(unknown.getMessage().contains("line 4, field cells[2].mix[1]: 'zz' is not a cell of this file"), unknown.getMessage());
        MatrixException container = error(base + "  - {name: m, mix: [a, b]}\n");
        assertTrue(container.getMessage().contains("field cells[2].mix[1]: 'b' runs in containers"), container.getMessage());
        MatrixException own = error(base + "  - {name: m, mix: [a, a], version: 2.22.3}\n");
        assertTrue(own.getMessage().contains("field cells[2].version: a mixed cell takes version from the cells it mixes"), own.getMessage());
        MatrixException one = error(base + "  - {name: m, mix: [a]}\n");
        assertTrue(one.getMessage().contains("field cells[2].mix: expected two or more cell names"), one.getMessage());
    }

    private static MatrixException error(String yaml) {
        return assertThrows(MatrixException.class, () -> MatrixLoader.parse(FILE, yaml));
    }

    private static final String CELL = """
            cells:
              - name: a
                flavor: nccl
                version: 2.22.3
                image: {ref: some/image}
                soPath: /usr/lib/libnccl.so.2
            """;

    @Test
    void unknownKey_namesFileLineFieldAndTheKnownKeys() {
        MatrixException e = error(CELL + "    wrolds: [1]\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7, field cells[0].wrolds: unknown key 'wrolds'; expected one of"),
                e.getMessage());
        assertTrue(e.getMessage().contains("worlds"), e.getMessage());
    }

    @Test
    void wrongType_namesTheElementAndWhatWasExpected() {
        MatrixException e = error(CELL + "    worlds: [1, two]\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7, field cells[0].worlds[1]: expected an integer, got a string 'two'"),
                e.getMessage());
    }

    @Test
    void missingField_namesTheFieldAndWhatToWrite() {
        MatrixException e = error(CELL.replace("    version: 2.22.3\n", ""));
        assertEquals("matrix/test.yaml, line 2, field cells[0].version: missing; expected the version the library reports, e.g. 2.22.3",
                e.getMessage());
    }

    @Test
    void duplicateCells_pointAtBothDefinitions() {
        MatrixException e = error(CELL + """
                  - name: a
                    flavor: nccl
                    version: 2.29.7
                    image: {ref: other/image}
                    soPath: /usr/lib/libnccl.so.2
                """);
        assertEquals("matrix/test.yaml, line 7, field cells[1].name: duplicate cell 'a' (first defined at line 2); "
                + "cell names must be unique", e.getMessage());
    }

    @Test
    void lowestAndHighest_mustHaveCells() {
        MatrixException e = error("supported:\n  nccl: {lowest: 2.18.5, highest: 2.22.3}\n" + CELL);
        assertTrue(e.getMessage().contains("field supported.nccl: no cell tests NCCL 2.18.5"), e.getMessage());
    }

    @Test
    void sourceMustBeExactlyOne() {
        MatrixException e = error(CELL + "    host: {path: /lib/libnccl.so.2}\n");
        assertTrue(e.getMessage().contains("field cells[0]: expected exactly one of 'image'"), e.getMessage());
    }

    @Test
    void gpu_acceptsKnownValuesOnly() {
        MatrixException e = error(CELL + "    gpu: {vendor: intel}\n");
        assertTrue(e.getMessage().contains("line 7, field cells[0].gpu.vendor: expected none, nvidia or amd, got 'intel'"), e.getMessage());
        assertTrue(error(CELL + "    gpu: {vendor: nvidia, assign: each}\n").getMessage()
                .contains("field cells[0].gpu.assign: expected all, per-rank or shared, got 'each'"));
        assertTrue(error(CELL + "    gpu: {vendor: nvidia, access: cdi}\n").getMessage()
                .contains("field cells[0].gpu.access: expected toolkit or devices, got 'cdi'"));
        assertTrue(error(CELL + "    gpu: intel\n").getMessage()
                .contains("field cells[0].gpu: expected none, nvidia, amd or a mapping {vendor, assign, access, driverLibs}, got 'intel'"));
        assertEquals(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.DEVICES, null),
                MatrixLoader.parse(FILE, CELL + "    gpu: {vendor: nvidia, assign: per-rank, access: devices}\n").cells().get(0).gpu());
        MatrixException e2 = error(CELL + "    gpu: {vendor: nvidia, acess: devices}\n");
        assertTrue(e2.getMessage().contains("field cells[0].gpu.acess: unknown key 'acess'"), e2.getMessage());
    }

    @Test
    void waiver_needsReasonAndLink_andMustMatchACell() {
        MatrixException e = error(CELL + "waivers:\n  - {cell: a, check: 'graph/*', reason: cuMem}\n");
        assertTrue(e.getMessage().contains("field waivers[0].link: missing; expected an issue or release-note link"), e.getMessage());
        MatrixException e2 = error(CELL + "waivers:\n  - {cell: b, check: 'graph/*', reason: x, link: 'https://x.test/1'}\n");
        assertTrue(e2.getMessage().contains("field waivers[0].cell: 'b' matches no cell"), e2.getMessage());
    }

    @Test
    void waiver_checkMayBeAList_sharingCellWorldsReasonAndLink() {
        Matrix m = MatrixLoader.parse(FILE, CELL + "waivers:\n  - {cell: a, check: [mixed-pair, comm-init], worlds: [2], reason: x, link: 'https://x.test/1'}\n");
        assertEquals(2, m.waivers().size());
        assertTrue(m.waiverFor("a", 2, "mixed-pair").isPresent());
        assertTrue(m.waiverFor("a", 2, "comm-init").isPresent());
        assertTrue(m.waiverFor("a", 2, "ranks-finished").isEmpty());
        assertTrue(m.waiverFor("a", 1, "comm-init").isEmpty(), "worlds apply to every check of the list");
        MatrixException empty = error(CELL + "waivers:\n  - {cell: a, check: [], reason: x, link: 'https://x.test/1'}\n");
        assertTrue(empty.getMessage().contains("field waivers[0].check: missing; expected a check id or glob, e.g. graph/*, or a list of them"),
                empty.getMessage());
        MatrixException blank = error(CELL + "waivers:\n  - {cell: a, check: [comm-init, ''], reason: x, link: 'https://x.test/1'}\n");
        assertTrue(blank.getMessage().contains("field waivers[0].check[1]: missing; expected a check id or glob"), blank.getMessage());
    }

    @Test
    void waiver_coversByGlob() {
        Matrix m = MatrixLoader.parse(FILE, CELL + "waivers:\n  - {cell: 'a', check: 'graph/*', reason: x, link: 'https://x.test/1', kind: known-gap}\n");
        assertTrue(m.waiverFor("a", 2, "graph/allreduce/float32/sum/1021").isPresent());
        assertTrue(m.waiverFor("a", 2, "allreduce/float32/sum/1/in-place").isEmpty());
    }

    @Test
    void notYaml_saysSoWithTheLine() {
        MatrixException e = error("cells: 'unclosed\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line"), e.getMessage());
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void emptyFile_andNoCells_areErrors() {
        assertTrue(error("").getMessage().contains("the file is empty"));
        assertTrue(error("cells: []\n").getMessage().contains("field cells: expected at least one cell"));
    }

    @Test
    void durationsAndWorlds_areValidated() {
        assertTrue(error(CELL + "    timeout: soon\n").getMessage().contains("expected a duration like 90s, 10m or 1h, got 'soon'"));
        assertTrue(error(CELL + "    worlds: [0]\n").getMessage().contains("expected a non-empty list of world sizes in 1..64"));
    }

    @Test
    void perfPolicy_expectsNoRegressionUnlessTheMatrixSlowsABuildOnPurpose() {
        String perfCell = CELL + "    mode: perf\n";
        assertEquals(Matrix.PerfPolicy.Expectation.NONE, MatrixLoader.parse(FILE, perfCell + "perf: {baseline: 2.22.3}\n").perf().expect());
        assertEquals(Matrix.PerfPolicy.Expectation.REGRESSION,
                MatrixLoader.parse(FILE, perfCell + "perf: {baseline: 2.22.3, expect: regression}\n").perf().expect());
        assertTrue(error(perfCell + "perf: {baseline: 2.22.3, expect: slower}\n").getMessage()
                .contains("field perf.expect: expected 'none' (the default: any regression fails) or 'regression'"));
    }

    private static final String PROCESS_PERF_CELLS = """
            cells:
              - {name: perf-a, flavor: nccl, version: 2.28.3, host: {path: /a/libnccl.so.2}, mode: perf}
              - {name: perf-b, flavor: nccl, version: 2.28.9, host: {path: /b/libnccl.so.2}, mode: perf}
            """;

    @Test
    void perfPairing_isInProcessWhereEveryPerfCellRunsAsProcesses_acrossProcessesWhereOneRunsInContainers() {
        assertEquals(Matrix.PerfPolicy.Pairing.IN_PROCESS,
                MatrixLoader.parse(FILE, PROCESS_PERF_CELLS + "perf: {baseline: perf-a}\n").perf().pairing());
        assertEquals(Matrix.PerfPolicy.Pairing.ACROSS_PROCESSES,
                MatrixLoader.parse(FILE, PROCESS_PERF_CELLS + "perf: {baseline: perf-a, pairing: across-processes}\n").perf().pairing());
        assertEquals(Matrix.PerfPolicy.Pairing.ACROSS_PROCESSES,
                MatrixLoader.parse(FILE, CELL + "    mode: perf\nperf: {baseline: 2.22.3}\n").perf().pairing(),
                "a container cell cannot share a process with another library");
        Matrix m = MatrixLoader.parse(FILE, PROCESS_PERF_CELLS + "perf: {baseline: perf-a, notJudged: {worlds: [2], reason: x}}\n");
        assertTrue(m.perf().pairsInProcess(1) && !m.perf().pairsInProcess(2), "a world that is not judged is not paired");
    }

    @Test
    void perfPairing_inProcessWithAContainerCell_orAnUnknownWord_isRefusedNamingTheCell() {
        MatrixException e = error(CELL + "    mode: perf\nperf: {baseline: 2.22.3, pairing: in-process}\n");
        assertTrue(e.getMessage().contains("field perf.pairing: in-process pairing loads the baseline's library in each "
                + "candidate's own process") && e.getMessage().contains("cell a (line 2) runs in containers; write pairing: "
                + "across-processes"), e.getMessage());
        assertTrue(error(PROCESS_PERF_CELLS + "perf: {baseline: perf-a, pairing: paired}\n").getMessage()
                .contains("field perf.pairing: expected 'in-process'"));
    }

    @Test
    void thePairedBaselineVariable_isTheLaunchers_notACellsEnv() {
        assertTrue(error(CELL + "    env: {NCCLFFM_PERF_BASELINE: /x.so}\n").getMessage()
                .contains("NCCLFFM_PERF_BASELINE is set by the launcher"));
    }

    @Test
    void perfPolicy_readsNotJudgedWorldsAndRequiresTheirReason() {
        String perfCell = CELL + "    mode: perf\n";
        Matrix m = MatrixLoader.parse(FILE, perfCell + """
                perf:
                  baseline: 2.22.3
                  threshold: 0.2
                  notJudged: {worlds: [2, 4], reason: "sockets"}
                """);
        assertEquals(0.2, m.perf().threshold());
        assertEquals(java.util.Set.of(2, 4), m.perf().notJudgedWorlds());
        assertEquals("sockets", m.perf().notJudgedReason());
        assertTrue(m.perf().judges(1) && !m.perf().judges(4));
        assertTrue(error(perfCell + "perf: {baseline: 2.22.3, notJudged: {worlds: [2]}}\n").getMessage()
                .contains("field perf.notJudged.reason: say why these worlds are not judged"));
        assertTrue(error(perfCell + "perf: {baseline: 2.22.3, notJudged: {worlds: [], reason: x}}\n").getMessage()
                .contains("field perf.notJudged.worlds: expected a non-empty list of world sizes"));
        assertTrue(error(perfCell + "perf: {baseline: 2.22.3, notJudged: {worlds: [0], reason: x}}\n").getMessage()
                .contains("field perf.notJudged.worlds[0]: expected a world size >= 1, got 0"));
    }

    @Test
    void select_keepsMatchingCellsAndRejectsAFilterThatMatchesNothing() {
        Matrix m = MatrixLoader.load(Path.of("../../matrix/debian.yaml"));
        assertEquals(2, m.select("nccl-*").cells().size());
        MatrixException e = assertThrows(MatrixException.class, () -> m.select("nope"));
        assertTrue(e.getMessage().contains("no cell matches 'nope'"), e.getMessage());
    }

    /** Every word of the matrix's vocabulary a cell sets, a word it does not know, and the error naming the choices. */
    static Stream<Arguments> unknownWords() {
        return Stream.of(
                arguments("flavor: hccl", "line 3, field cells[0].flavor: expected nccl or rccl, got 'hccl'"),
                arguments("mode: bench", "line 7, field cells[0].mode: expected check or perf, got 'bench'"),
                arguments("network: lan", "line 7, field cells[0].network: expected cell or host, got 'lan'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownWords")
    void anUnknownWord_namesFileLineFieldAndTheWordsItCouldBe(String line, String problem) {
        String yaml = line.startsWith("flavor") ? CELL.replace("flavor: nccl", line) : CELL + "    " + line + "\n";
        MatrixException e = error(yaml);
        assertEquals("matrix/test.yaml, " + problem, e.getMessage());
    }

    @Test
    void theVocabulary_isReadInAnyCase_asTheFileWritesIt() {
        Cell c = MatrixLoader.parse(FILE, CELL.replace("flavor: nccl", "flavor: NCCL") + "    mode: Perf\n").cells().get(0);
        assertEquals(io.ncclffm.Flavor.NCCL, c.flavor());
        assertEquals(io.ncclffm.harness.protocol.WorkerConfig.Mode.PERF, c.mode());
        assertTrue(c.perf());
    }

    /** Every setting a cell inherits from defaults, a bad value for it, and what the error must say. */
    static Stream<Arguments> badInheritedSettings() {
        return Stream.of(
                arguments("worlds", "[0]", ": expected a non-empty list of world sizes in 1..64, got [0]"),
                arguments("gpu", "intel", ": expected none, nvidia, amd or a mapping"),
                arguments("timeout", "soon", ": expected a duration like 90s, 10m or 1h, got 'soon'"),
                arguments("network", "lan", ": expected cell or host, got 'lan'"),
                arguments("counts", "[0]", ": expected positive element counts, got [0]"),
                arguments("checks", "[allreduce, ~]", "[1]: missing; expected one of [all, version"),
                arguments("checks", "[allreduce, graph/*]", "[1]: 'graph/*' selects nothing; expected one of [all, version"),
                arguments("checks", "allreduce", ": expected a list of strings, got a string 'allreduce'"),
                arguments("env", "{A: }", ".A: missing; expected the variable's value"),
                arguments("env", "[A]", ": expected a mapping of names to strings, got a list"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInheritedSettings")
    void badDefault_isReportedAtDefaultsAndItsOwnLine(String key, String value, String problem) {
        MatrixException e = error("# shared settings\n\ndefaults: {" + key + ": " + value + "}\n" + CELL);
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 3, field defaults." + key + problem), e.getMessage());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInheritedSettings")
    void badCellSetting_isReportedAtTheCell(String key, String value, String problem) {
        MatrixException e = error("defaults: {timeout: 5m}\n" + CELL + "    " + key + ": " + value + "\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 8, field cells[0]." + key + problem), e.getMessage());
    }

    @Test
    void badDefault_isReportedEvenWhenEveryCellOverridesIt() {
        MatrixException e = error("defaults: {timeout: soon}\n" + CELL + "    timeout: 5m\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 1, field defaults.timeout:"), e.getMessage());
    }

    @Test
    void aWorkerSettingTheWorkerWouldRefuse_isReportedAtItsLine_withTheWorkersOwnWords() {
        MatrixException e = error(CELL + "    env: {NCCL_DEBUG: INFO,\n          NCCLFFM_PERF_DTYPES: 'float32,fp7'}\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 8, field cells[0].env.NCCLFFM_PERF_DTYPES: NCCLFFM_PERF_DTYPES="
                + "'float32,fp7': expected a comma-separated list of [float32, bfloat16, float16, float64] ('fp7' is none of them)"),
                e.getMessage());
        MatrixException range = error("defaults: {env: {NCCLFFM_MAX_RECREATES: '101'}}\n" + CELL);
        assertTrue(range.getMessage().startsWith("matrix/test.yaml, line 1, field defaults.env.NCCLFFM_MAX_RECREATES: "
                + "NCCLFFM_MAX_RECREATES='101': expected an integer in [0, 100]"), range.getMessage());
    }

    @Test
    void ncclDebugFile_namingADescriptor_isRefused_andAFilePathIsTaken() {
        for (String fd : java.util.List.of("/proc/self/fd/64", "/dev/fd/3", "/proc/1234/fd/64", "/proc/thread-self/fd/9")) {
            MatrixException e = error(CELL + "    env: {NCCL_DEBUG: INFO, NCCL_DEBUG_FILE: '" + fd + "'}\n");
            assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7, field cells[0].env.NCCL_DEBUG_FILE: '" + fd
                    + "' names an open file descriptor, and the worker's event pipe is one"), e.getMessage());
        }
        Cell c = MatrixLoader.parse(FILE, CELL + "    env: {NCCL_DEBUG: INFO, NCCL_DEBUG_FILE: '/tmp/nccl.%h.%p'}\n").cells().get(0);
        assertEquals("/tmp/nccl.%h.%p", c.env().get("NCCL_DEBUG_FILE"));
    }

    @Test
    void aVariableTheLauncherSets_isRefusedInEnv_pointingAtTheCellsOwnField() {
        MatrixException e = error(CELL + "    env: {NCCLFFM_CHECKS: allreduce}\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7, field cells[0].env.NCCLFFM_CHECKS: NCCLFFM_CHECKS is set by "
                + "the launcher from the cell's own fields (library, checks, counts, mode, gpu)"), e.getMessage());
        assertTrue(error(CELL + "    env: {NCCLFFM_SO_PATH: /x.so}\n").getMessage().contains("NCCLFFM_SO_PATH is set by the launcher"));
    }

    @Test
    void goodWorkerSettingsAndOtherVariables_passThroughToTheCell() {
        Cell c = MatrixLoader.parse(FILE, CELL + "    env: {NCCLFFM_COLLECTIVE_TIMEOUT_S: '20', NCCLFFM_SHIM_DELAY_US: '30'}\n").cells().get(0);
        assertEquals(java.util.Map.of("NCCLFFM_COLLECTIVE_TIMEOUT_S", "20", "NCCLFFM_SHIM_DELAY_US", "30"), c.env());
    }

    @Test
    void goodDefaults_areInheritedAndACellsOwnValueWins() {
        Matrix m = MatrixLoader.parse(FILE, "defaults: {timeout: 5m, worlds: [2], env: {A: x, B: y}, network: host}\n"
                + CELL + "    env: {B: z}\n    worlds: [4]\n");
        Cell c = m.cells().get(0);
        assertEquals(Duration.ofMinutes(5), c.timeout());
        assertEquals(java.util.List.of(4), c.worlds());
        assertEquals(java.util.Map.of("A", "x", "B", "z"), c.env());
        assertEquals(Cell.Network.HOST, c.network());
    }

    @Test
    void load_missingFile_namesTheFileAndSaysItDoesNotExist(@TempDir Path dir) {
        Path file = dir.resolve("h100.yaml");
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.load(file));
        assertEquals("matrix file " + file + " does not exist", e.getMessage());
    }

    @Test
    void load_directory_saysItIsADirectory(@TempDir Path dir) {
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.load(dir));
        assertEquals("matrix file " + dir + " is a directory; expected a YAML matrix file", e.getMessage());
    }

    @Test
    void load_unreadableFile_saysPermissionDenied(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("m.yaml"), CELL);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "root reads any file");
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.load(file));
        assertEquals("matrix file " + file + " cannot be read: permission denied", e.getMessage());
    }

    @Test
    void load_binaryFile_saysItIsNotUtf8Text(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("m.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.load(file));
        assertEquals("matrix file " + file + " is not UTF-8 text; expected a YAML matrix file", e.getMessage());
    }

    /** A cell timeout the loader refuses, and why: it overflows, it is no time at all, or it is longer than any run. */
    static Stream<Arguments> timeoutsOutOfBounds() {
        return Stream.of(
                arguments("99999999999999999999h", "the number does not fit a long"),
                arguments("9999999999999h", "fits a long as seconds, and no run lasts it"),
                arguments("0s", "no time at all"),
                arguments("25h", "a day and an hour"),
                arguments("86401s", "a second over a day"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("timeoutsOutOfBounds")
    void timeout_outsideOneSecondToADay_isRefusedWithFileLineAndField(String timeout, String why) {
        MatrixException cell = error(CELL + "    timeout: " + timeout + "\n");
        assertEquals("matrix/test.yaml, line 7, field cells[0].timeout: expected a duration from 1s to 24h, like 90s, 10m or 1h, got '"
                + timeout + "'", cell.getMessage());
        MatrixException defaults = error("defaults: {timeout: " + timeout + "}\n" + CELL);
        assertTrue(defaults.getMessage().startsWith("matrix/test.yaml, line 1, field defaults.timeout: expected a duration from 1s"),
                defaults.getMessage());
    }

    @Test
    void timeout_fromOneSecondToADay_isTaken() {
        assertEquals(Duration.ofSeconds(1), MatrixLoader.parse(FILE, CELL + "    timeout: 1s\n").cells().getFirst().timeout());
        assertEquals(Duration.ofHours(24), MatrixLoader.parse(FILE, CELL + "    timeout: 24h\n").cells().getFirst().timeout());
        assertEquals(Duration.ofHours(24), MatrixLoader.parse(FILE, CELL + "    timeout: 1440m\n").cells().getFirst().timeout());
    }

    @Test
    void supported_withAVersionThatDoesNotParse_namesTheEndItIsAt() {
        MatrixException e = error("supported:\n  nccl: {lowest: 2.x, highest: 2.22.3}\n" + CELL);
        assertEquals("matrix/test.yaml, line 2, field supported.nccl.lowest: expected a version like 2.28.9, got '2.x'", e.getMessage());
        MatrixException high = error("supported:\n  nccl:\n    lowest: 2.22.3\n    highest: latest\n" + CELL);
        assertEquals("matrix/test.yaml, line 4, field supported.nccl.highest: expected a version like 2.28.9, got 'latest'",
                high.getMessage());
    }

    @Test
    void envNames_withEqualsOrNul_andValuesWithNul_areRefusedAtTheVariable() {
        MatrixException equals = error(CELL + "    env: {'A=B': x}\n");
        assertEquals("matrix/test.yaml, line 7, field cells[0].env.A=B: 'A=B' is no environment variable name: a name is not empty"
                + " and has no '=' and no NUL character", equals.getMessage());
        MatrixException nul = error("defaults:\n  env: {\"A\\0B\": x}\n" + CELL);
        assertTrue(nul.getMessage().startsWith("matrix/test.yaml, line 2, field defaults.env.A"), nul.getMessage());
        assertTrue(nul.getMessage().endsWith("'A\\0B' is no environment variable name: a name is not empty and has no '=' and no NUL"
                + " character"), nul.getMessage());
        MatrixException value = error(CELL + "    env: {A: \"x\\0y\"}\n");
        assertEquals("matrix/test.yaml, line 7, field cells[0].env.A: the value has a NUL character, which no environment can hold",
                value.getMessage());
    }

    @Test
    void aKeyWrittenTwice_isAnError_namingBothLines_notTheLastOneWinning() {
        MatrixException cell = error(CELL + "    timeout: 5m\n    worlds: [1]\n    timeout: 10m\n");
        assertEquals("matrix/test.yaml, line 9, field cells[0].timeout: duplicate key 'timeout' (first written at line 7); a key may "
                + "appear once in a mapping", cell.getMessage());
        MatrixException flow = error("defaults: {timeout: 5m, timeout: 6m}\n" + CELL);
        assertTrue(flow.getMessage().startsWith("matrix/test.yaml, line 1, field defaults.timeout: duplicate key 'timeout'"),
                flow.getMessage());
        MatrixException top = error(CELL + CELL);
        assertEquals("matrix/test.yaml, line 7, field cells: duplicate key 'cells' (first written at line 1); a key may appear once "
                + "in a mapping", top.getMessage());
        MatrixException env = error(CELL + "    env: {A: x, A: y}\n");
        assertTrue(env.getMessage().startsWith("matrix/test.yaml, line 7, field cells[0].env.A: duplicate key 'A'"), env.getMessage());
    }

    @Test
    void load_aFifo_isRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("m.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        MatrixException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(MatrixException.class, () -> MatrixLoader.load(fifo)));
        assertEquals("matrix file " + fifo + " is not a regular file (it is a FIFO); expected a YAML matrix file", e.getMessage());
    }

    @Test
    void load_aDevice_isRefusedBeforeItIsRead() {
        MatrixException zero = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(MatrixException.class, () -> MatrixLoader.load(Path.of("/dev/zero"))));
        assertEquals("matrix file /dev/zero is not a regular file (it is a character device); expected a YAML matrix file",
                zero.getMessage());
    }

    @Test
    void load_aFileOverTheLimit_isRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(4L << 30); // sparse: reading it whole would need 4 GiB of memory
        }
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.load(big));
        assertEquals("matrix file " + big + " is " + (4L << 30) + " bytes; a matrix file has at most 1048576 bytes (1 MiB)",
                e.getMessage());
        Path limit = Files.writeString(dir.resolve("limit.yaml"), CELL + "#".repeat(MatrixLoader.MAX_BYTES - CELL.length()));
        assertEquals(1, MatrixLoader.load(limit).cells().size(), "a file of exactly the limit is read");
    }

    /** A value of the wrong shape where a list or mapping belongs, and the whole message it must produce. */
    static Stream<Arguments> wrongShapes() {
        return Stream.of(
                arguments("cells: nccl\n", "line 1, field cells: expected a list of cells, got a string 'nccl'"),
                arguments("cells: [nccl]\n", "line 1, field cells[0]: expected a cell (a mapping with keys name, flavor, version,"),
                arguments(CELL + "    worlds: 2\n", "line 7, field cells[0].worlds: expected a list of integers, got the number 2"),
                arguments(CELL + "    env: [A]\n", "line 7, field cells[0].env: expected a mapping of names to strings, got a list"),
                arguments(CELL + "    checks: {a: b}\n", "line 7, field cells[0].checks: expected a list of strings, got a mapping"),
                arguments(CELL + "    host: /lib/libnccl.so.2\n",
                        "line 7, field cells[0].host: expected a host library (a mapping with keys path, sha256), got a string '/lib/libnccl.so.2'"),
                arguments(CELL.replace("{ref: some/image}", "some/image"),
                        "line 5, field cells[0].image: expected an image (a mapping with keys build, args, ref, fromHost, sha256), got a string 'some/image'"),
                arguments(CELL + "waivers: {cell: a}\n", "line 7, field waivers: expected a list of waivers, got a mapping"),
                arguments("supported: [nccl]\n" + CELL, "line 1, field supported: expected a mapping of names to version ranges, got a list"),
                arguments("defaults: 3\n" + CELL, "line 1, field defaults: expected a mapping with keys worlds, gpu, timeout,"),
                arguments(CELL + "perf: {baseline: 2.22.3, threshold: high}\n", "line 7, field perf.threshold: expected a number, got a string 'high'"),
                arguments("- nccl\n", "line 1, field (top level): expected a matrix (a mapping with keys supported, defaults, cells,"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("wrongShapes")
    void wrongShape_saysWhatWasExpectedAndWhatWasWritten_inWords(String yaml, String expected) {
        String message = error(yaml).getMessage();
        assertTrue(message.startsWith("matrix/test.yaml, " + expected), message);
        assertFalse(message.contains("java.") || message.contains("ncclffm") || message.contains("$")
                || message.contains("`") || message.contains("Cannot "), "no Java type or Jackson wording: " + message);
    }

    @Test
    void unclosedFlowMapping_onTheLastLine_isReportedWhereItOpened() {
        MatrixException e = error("cells: [{name: a\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 1: not valid YAML: the flow mapping '{' opened at line 1, "
                + "column 9 is not closed before the end of the file"), e.getMessage());
    }

    @Test
    void unclosedFlowMapping_midFile_isReportedAtTheLineThatOpenedIt() {
        String yaml = CELL + "    env: {A: b\n    worlds: [1]\n    network: cell\n";
        assertEquals(9, yaml.lines().count());
        MatrixException e = error(yaml);
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7: not valid YAML: the flow mapping '{' opened at line 7, "
                + "column 10 is not closed before line 8, column 11"), e.getMessage());
    }

    @Test
    void unclosedFlowList_isReportedAsSyntax_notAsTheTypeErrorItCausesFirst() {
        MatrixException e = error(CELL + "    worlds: [1,\n    network: cell\n    mode: check\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7: not valid YAML: the flow list '[' opened at line 7, "
                + "column 13 is not closed before line 9"), e.getMessage());
    }

    @Test
    void badIndentation_isReportedWhereTheParserNoticed_notAtTheStartOfTheBlock() {
        MatrixException e = error(CELL + "   worlds: [1]\n");
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, line 7: not valid YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains("starts at line 2"), e.getMessage());
    }

    private static final String LIBRARY_CELL = """
            cells:
              - name: lib
                flavor: nccl
                version: 2.4.2
            """;

    private static Cell libraryCell(String lines) {
        return MatrixLoader.parse(FILE, LIBRARY_CELL + lines).cells().getFirst();
    }

    @Test
    void library_maven_givesCanonicalCoordinatesAndRunsAsProcessesByDefault() {
        Cell c = libraryCell("""
                    library:
                      maven: org.bytedeco:cuda:jar:linux-x86_64-redist:10.1-7.5-1.5
                      entry: org/bytedeco/cuda/linux-x86_64/libnccl.so.2
                """);
        Cell.Coordinates coords = assertInstanceOf(Cell.Coordinates.class, c.source());
        assertEquals(Cell.Launch.PROCESS, coords.launch());
        assertEquals(false, c.source().containerized());
        assertEquals(null, c.soPath(), "resolved when the cell runs");
        assertEquals("maven:org.bytedeco:cuda:jar:linux-x86_64-redist:10.1-7.5-1.5!org/bytedeco/cuda/linux-x86_64/libnccl.so.2",
                coords.library().key());
        Cell plain = libraryCell("    library: {maven: 'g:a:1.0', entry: lib/libnccl.so.2}\n");
        assertEquals("maven:g:a:jar:1.0!lib/libnccl.so.2", ((Cell.Coordinates) plain.source()).library().key(), "extension defaults to jar");
    }

    @Test
    void library_debian_defaultsItsFileByFlavor_andContainerLaunchIsContainerized() {
        Cell c = libraryCell("""
                    library:
                      debian: {package: libnccl2, version: 2.22.3-1-1, suite: trixie, components: main contrib}
                    launch: container
                """);
        Cell.Coordinates coords = assertInstanceOf(Cell.Coordinates.class, c.source());
        assertEquals(new LibrarySource.DebianPackage("libnccl2", "2.22.3-1-1", "trixie", "main contrib",
                "/usr/lib/x86_64-linux-gnu/libnccl.so.2"), coords.library());
        assertEquals(Cell.Launch.CONTAINER, coords.launch());
        assertTrue(c.source().containerized());
        Cell rccl = MatrixLoader.parse(FILE, LIBRARY_CELL.replace("flavor: nccl", "flavor: rccl").replace("2.4.2", "2.13.4")
                + "    library: {debian: {package: librccl1, version: 5.4.3-3}}\n").cells().getFirst();
        var d = (LibrarySource.DebianPackage) ((Cell.Coordinates) rccl.source()).library();
        assertEquals("/usr/lib/x86_64-linux-gnu/librccl.so.1", d.file());
        assertEquals("trixie", d.suite(), "the recipe's default suite");
        assertEquals("main contrib", d.components());
    }

    @Test
    void library_pipAndWheel_takeRelativePathsFromTheMatrixFilesFolder() {
        Cell pip = libraryCell("""
                    library:
                      pip: nvidia-nccl-cu13==2.30.7
                      findLinks: wheels
                      entry: nvidia/nccl/lib/libnccl.so.2
                """);
        var p = (LibrarySource.PipWheel) ((Cell.Coordinates) pip.source()).library();
        assertEquals(Path.of("matrix/wheels").toAbsolutePath().normalize(), p.findLinks());
        assertEquals("pip:nvidia-nccl-cu13==2.30.7@" + Path.of("matrix/wheels").toAbsolutePath().normalize() + "!nvidia/nccl/lib/libnccl.so.2",
                p.key(), "the find-links folder is part of the source");
        Cell wheel = libraryCell("    library: {wheel: /opt/w/nvidia_nccl_cu13-2.30.7-py3-none-manylinux_2_18_x86_64.whl, entry: nvidia/nccl/lib/libnccl.so.2}\n");
        var w = (LibrarySource.WheelFile) ((Cell.Coordinates) wheel.source()).library();
        assertEquals(Path.of("/opt/w/nvidia_nccl_cu13-2.30.7-py3-none-manylinux_2_18_x86_64.whl"), w.wheel());
        assertEquals("wheel:/opt/w/nvidia_nccl_cu13-2.30.7-py3-none-manylinux_2_18_x86_64.whl!nvidia/nccl/lib/libnccl.so.2", w.key(),
                "the wheel's folder is part of the source");
    }

    private static final String SHA = "7666832ccc11d7ee114a539b8baab03ce06ffee855356078a5174bc8a4339b78";
    private static final String OTHER_SHA = "297c7d1e62c14cb24d77303970855fc89b038cf9c1bd3d217e9f1451c0ea426e";

    @Test
    void sha256_pinsALibraryHostOrImageCell_inLowerCase() {
        Cell maven = libraryCell("    library: {maven: 'g:a:1.0', entry: e.so, sha256: " + SHA.toUpperCase() + "}\n");
        assertEquals(SHA, maven.pinnedSha256(), "written as sha256sum or in capitals, kept as sha256sum prints it");
        assertEquals(SHA, libraryCell("    library: {debian: {package: libnccl2, version: 2.22.3-1-1}, sha256: " + SHA + "}\n").pinnedSha256());
        assertEquals(SHA, libraryCell("    library: {pip: 'x==1', entry: e.so, sha256: " + SHA + "}\n").pinnedSha256());
        assertEquals(SHA, libraryCell("    library: {wheel: /w/x-1-py3-none-any.whl, entry: e.so, sha256: " + SHA + "}\n").pinnedSha256());
        assertEquals(SHA, libraryCell("    host: {path: /usr/lib/libnccl.so.2, sha256: " + SHA + "}\n").pinnedSha256());
        assertEquals(SHA, libraryCell("    image: {fromHost: /usr/lib/libnccl.so.2, sha256: " + SHA + "}\n").pinnedSha256());
        Cell built = libraryCell("    image: {build: debian, args: {PACKAGE: librccl1}, sha256: " + SHA + "}\n    soPath: /usr/lib/librccl.so.1\n");
        assertEquals(SHA, built.pinnedSha256(), "the file at soPath inside the image");
        assertEquals(null, libraryCell("    host: {path: /usr/lib/libnccl.so.2}\n").pinnedSha256(), "no pin unless one is written");
    }

    @Test
    void sha256_ofAMixedCell_staysWithEachMember() {
        Matrix m = MatrixLoader.parse(FILE, """
                cells:
                  - {name: a, flavor: nccl, version: 2.22.3, host: {path: /a.so, sha256: %s}}
                  - {name: b, flavor: nccl, version: 2.23.4, library: {maven: 'g:a:1.0', entry: e.so, sha256: %s}}
                  - {name: c, flavor: nccl, version: 2.24.3, host: {path: /c.so}}
                  - {name: m, mix: [a, b, c]}
                """.formatted(SHA, OTHER_SHA));
        Cell mix = m.cells().get(3);
        assertEquals(SHA, mix.forRank(0).pinnedSha256());
        assertEquals(OTHER_SHA, mix.forRank(1).pinnedSha256());
        assertEquals(null, mix.forRank(2).pinnedSha256(), "an unpinned member stays unpinned");
        assertEquals(SHA, mix.pinnedSha256(), "the mixed cell mirrors its first member, as its source and soPath do");
        assertEquals(OTHER_SHA, mix.withMix(java.util.List.of(mix.mix().get(1), mix.mix().get(0))).pinnedSha256());
    }

    static Stream<Arguments> malformedPins() {
        return Stream.of(
                arguments("    library:\n      maven: g:a:1.0\n      entry: e.so\n      sha256: abc123\n",
                        "line 8, field cells[0].library.sha256: expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), got 'abc123' (6 characters)"),
                arguments("    host:\n      path: /a.so\n      sha256: " + SHA.replace('c', 'g') + "\n",
                        "line 7, field cells[0].host.sha256: expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), got '"
                                + SHA.replace('c', 'g') + "'"),
                arguments("    image: {fromHost: /a.so, sha256: 'sha256:" + SHA + "'}\n",
                        "line 5, field cells[0].image.sha256: expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), got 'sha256:"
                                + SHA + "' (71 characters)"),
                arguments("    library: {maven: 'g:a:1.0', entry: e.so, sha256: ''}\n",
                        "line 5, field cells[0].library.sha256: expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), got '' (0 characters)"),
                arguments("    library:\n      maven: g:a:1.0\n      entry: e.so\n      sha256:\n",
                        "line 8, field cells[0].library.sha256: missing; expected the library file's SHA-256 as 64 hex digits"),
                arguments("    library: {maven: 'g:a:1.0', entry: e.so, sha-256: " + SHA + "}\n",
                        "line 5, field cells[0].library.sha-256: unknown key 'sha-256'; expected one of"));
    }

    @ParameterizedTest
    @MethodSource("malformedPins")
    void sha256_notSixtyFourHexDigits_isRefusedWithFileLineAndField(String lines, String expected) {
        MatrixException e = error(LIBRARY_CELL + lines);
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, " + expected), e.getMessage());
    }

    @Test
    void releasesMatrix_pinsEveryRelease() {
        Matrix m = MatrixLoader.load(Path.of("../../matrix/releases.yaml"));
        java.util.List<String> unpinned = m.cells().stream().filter(c -> !c.mixed())
                .filter(c -> c.pinnedSha256() == null).map(Cell::name).toList();
        assertEquals(java.util.List.of(), unpinned, "every release the matrix names is pinned, the GPU host's own builds too");
        assertTrue(m.cells().stream().filter(Cell::mixed).allMatch(c -> c.mix().stream().allMatch(x -> x.pinnedSha256() != null)),
                "each member of a mixed pair keeps its release's pin");
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> malformedLibraries() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("    library: {maven: 'g:a:1.0', pip: 'x==1', entry: e.so}\n",
                        "line 5, field cells[0].library: expected exactly one of maven"),
                org.junit.jupiter.params.provider.Arguments.of("    library: {entry: e.so}\n",
                        "line 5, field cells[0].library: expected exactly one of maven (coordinates g:a[:ext[:classifier]]:v), debian"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      maven: just-a-name\n      entry: e.so\n",
                        "line 6, field cells[0].library.maven: expected Maven coordinates groupId:artifactId[:extension[:classifier]]:version, got 'just-a-name'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      maven: g:a:1.0\n",
                        "line 5, field cells[0].library.entry: missing; expected the library's path inside the archive"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      maven: g:a:1.0\n      entry: /abs/e.so\n",
                        "line 7, field cells[0].library.entry: expected a file's path inside the archive (no leading or trailing '/'), got '/abs/e.so'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      pip: nvidia-nccl-cu13\n      entry: e.so\n",
                        "line 6, field cells[0].library.pip: expected a pinned requirement name==version"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      maven: g:a:1.0\n      entry: e.so\n      findLinks: /w\n",
                        "line 8, field cells[0].library.findLinks: findLinks applies to a pip source only"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      wheel: /w/x.zip\n      entry: e.so\n",
                        "line 6, field cells[0].library.wheel: expected a wheel file (*.whl), got '/w/x.zip'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      debian: {version: 2.22.3-1-1}\n",
                        "line 6, field cells[0].library.debian.package: missing; expected a Debian package name such as libnccl2"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      debian: {package: libnccl2, version: latest}\n",
                        "line 6, field cells[0].library.debian.version: expected a Debian version such as 2.22.3-1-1, got 'latest'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      debian: {package: libnccl2, version: 2.22.3-1-1}\n      entry: e.so\n",
                        "line 7, field cells[0].library.entry: a debian source names its file with 'file', not 'entry'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      debian: {package: libnccl2, version: 2.22.3-1-1}\n      file: lib/x.so\n",
                        "line 7, field cells[0].library.file: expected an absolute path inside the image, got 'lib/x.so'"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      maven: g:a:1.0\n      entry: e.so\n      file: /x.so\n",
                        "line 8, field cells[0].library.file: 'file' applies to a debian source"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      debian: {package: libnccl2, version: 2.22.3-1-1, suit: sid}\n",
                        "line 6, field cells[0].library.debian.suit: unknown key 'suit'; expected one of"),
                org.junit.jupiter.params.provider.Arguments.of("    library:\n      mavn: g:a:1.0\n",
                        "line 6, field cells[0].library.mavn: unknown key 'mavn'; expected one of"),
                org.junit.jupiter.params.provider.Arguments.of("    library: {maven: 'g:a:1.0', entry: e.so}\n    launch: docker\n",
                        "line 6, field cells[0].launch: expected process or container, got 'docker'"),
                org.junit.jupiter.params.provider.Arguments.of("    image: {ref: x/y}\n    soPath: /l.so\n    launch: container\n",
                        "line 7, field cells[0].launch: launch applies to a 'library' source only"),
                org.junit.jupiter.params.provider.Arguments.of("    image: {ref: x/y}\n    library: {maven: 'g:a:1.0', entry: e.so}\n",
                        "line 6, field cells[0].library: expected exactly one of 'image', 'host' or 'library', got 2"),
                org.junit.jupiter.params.provider.Arguments.of("    library: {maven: 'g:a:1.0', entry: e.so}\n    soPath: /x/libnccl.so.2\n",
                        "line 6, field cells[0].soPath: a library cell's file is resolved from 'library'; leave soPath out"));
    }

    @ParameterizedTest
    @MethodSource("malformedLibraries")
    void library_malformed_namesTheLineAndFieldAndWhatWasExpected(String lines, String expected) {
        MatrixException e = error(LIBRARY_CELL + lines);
        assertTrue(e.getMessage().startsWith("matrix/test.yaml, " + expected), e.getMessage());
    }

    @Test
    void noSource_listsLibraryAmongTheChoices() {
        MatrixException e = error(LIBRARY_CELL);
        assertTrue(e.getMessage().contains("'host' (path) or 'library' (maven, debian, pip or wheel), got 0"), e.getMessage());
    }

    @Test
    void waiverKinds_includeABuildWithoutCodeForTheGpu_andAnythingElseIsNamed() {
        String base = """
                cells:
                  - {name: a, flavor: nccl, version: 2.4.2, host: {path: /a.so}}
                waivers:
                """;
        Matrix ok = MatrixLoader.parse(FILE, base + "  - {cell: a, check: '*', kind: no-kernel-image, reason: 'no sm_90 code', link: 'https://x'}\n");
        assertEquals(Waiver.Kind.NO_KERNEL_IMAGE, ok.waivers().getFirst().kind());
        assertEquals("no-kernel-image", ok.waivers().getFirst().kind().toString(), "written back in the file's own word");
        MatrixException bad = error(base + "  - {cell: a, check: '*', kind: maybe, reason: r, link: 'https://x'}\n");
        assertTrue(bad.getMessage().contains("field waivers[0].kind: expected waiver, known-gap or no-kernel-image, got 'maybe'"), bad.getMessage());
    }
}
