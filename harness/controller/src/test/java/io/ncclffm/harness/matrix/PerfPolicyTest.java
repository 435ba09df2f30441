package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The perf policy's baseline: a cell by name (or glob), or a version that stands for its perf cells. */
class PerfPolicyTest {

    private static final Path FILE = Path.of("matrix/perf.yaml");

    private static String cell(String name, String version, String worlds) {
        return "  - name: " + name + "\n    flavor: nccl\n    version: " + version + "\n    host: {path: /lib/libnccl.so.2}\n"
                + "    worlds: " + worlds + "\n    mode: perf\n";
    }

    private static final String AA = "cells:\n" + cell("perf-a", "2.28.3", "[1]") + cell("perf-b", "2.28.3", "[1]");

    @Test
    void aBaselineCellByName_tellsTwoCellsOfOneVersionApart() {
        Matrix m = MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-a}\n");
        assertEquals(Set.of("perf-a"), m.perf().baselineCells());
        assertTrue(m.perf().isBaseline("perf-a") && !m.perf().isBaseline("perf-b"));
        assertEquals(0.10, m.perf().threshold());
    }

    @Test
    void eachPerfCellRunsThreeTimesUnlessTheFileSays_andOnceWithoutARegressionCheck() {
        assertEquals(3, MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-a}\n").perfRuns());
        assertEquals(5, MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-a, runs: 5}\n").perfRuns());
        assertEquals(1, MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-a, runs: 1}\n").perfRuns());
        assertEquals(1, MatrixLoader.parse(FILE, AA).perfRuns(), "nothing compares one run with another");
    }

    @Test
    void runsOutsideOneToNine_areRejectedNamingTheKey() {
        for (String runs : new String[] {"0", "-1", "10"}) {
            MatrixException e = assertThrows(MatrixException.class,
                    () -> MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-a, runs: " + runs + "}\n"));
            assertTrue(e.getMessage().contains("perf.runs") && e.getMessage().contains("from 1 to 9")
                    && e.getMessage().contains("got " + runs), e.getMessage());
        }
    }

    @Test
    void aVersionNamingTwoCellsOfOneWorld_isRejected_askingForTheCell() {
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.parse(FILE, AA + "perf: {baseline: 2.28.3}\n"));
        assertTrue(e.getMessage().contains("names two perf cells of world 1 (perf-a, perf-b); name the one cell"), e.getMessage());
    }

    @Test
    void aVersionOrAGlob_standsForItsPerfCellsOfDifferentWorlds() {
        String yaml = "cells:\n" + cell("perf-2.28.3-w1", "2.28.3", "[1]") + cell("perf-2.28.3-shared", "2.28.3", "[2, 4]")
                + cell("perf-2.28.9-w1", "2.28.9", "[1]");
        assertEquals(Set.of("perf-2.28.3-w1", "perf-2.28.3-shared"),
                MatrixLoader.parse(FILE, yaml + "perf: {baseline: 2.28.3}\n").perf().baselineCells());
        assertEquals(Set.of("perf-2.28.3-w1", "perf-2.28.3-shared"),
                MatrixLoader.parse(FILE, yaml + "perf: {baseline: perf-2.28.3-*}\n").perf().baselineCells());
    }

    @Test
    void aBaselineThatIsNeitherACellNorAVersion_namesThePerfCells() {
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.parse(FILE, AA + "perf: {baseline: perf-c}\n"));
        assertTrue(e.getMessage().contains("no perf cell is named 'perf-c' (perf cells: [perf-a, perf-b])"), e.getMessage());
    }

    @Test
    void theRepositorysAaAndShimMatrices_nameTheirBaselineCell() {
        Matrix aa = MatrixLoader.load(Path.of("../../matrix/one-gpu-perf-aa.yaml"));
        assertEquals(Set.of("perf-2.28.3-a"), aa.perf().baselineCells());
        assertTrue(aa.cells().stream().allMatch(c -> c.version().toString().equals("2.28.3")
                && c.soPath().equals("/usr/lib/x86_64-linux-gnu/libnccl.so.2")), "one build, twice");
        Matrix shim = MatrixLoader.load(Path.of("../../matrix/one-gpu-perf-shim.yaml"));
        assertEquals(Set.of("perf-2.28.3"), shim.perf().baselineCells());
        assertEquals("/tmp/ncclffm/libncclffm_slow_shim.so", shim.cells().get(1).soPath());
        assertEquals(Set.of("perf-2.28.3-w1", "perf-2.28.3-shared"),
                MatrixLoader.load(Path.of("../../matrix/one-gpu-perf.yaml")).perf().baselineCells());
    }
}
