package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;

/** Which cell runs a matrix submits, in which order: perf cells several times, round by round, when compared. */
class PerfRunPlanTest {

    private static String cell(String name, String mode, String worlds) {
        return "  - name: " + name + "\n    flavor: nccl\n    version: 2.28.3\n    host: {path: /lib/libnccl.so.2}\n"
                + "    worlds: " + worlds + "\n" + (mode == null ? "" : "    mode: " + mode + "\n");
    }

    private static final String CELLS = "cells:\n" + cell("perf-a", "perf", "[1]") + cell("check", null, "[1, 2]")
            + cell("perf-b", "perf", "[1, 2]");

    private static List<String> plan(String yaml, int... worlds) {
        Matrix m = MatrixLoader.parse(Path.of("matrix/plan.yaml"), yaml);
        java.util.Set<Integer> only = java.util.Arrays.stream(worlds).boxed().collect(java.util.stream.Collectors.toSet());
        return CompatibilityMatrix.plan(m, w -> only.isEmpty() || only.contains(w)).stream()
                .map(p -> p.cell().name() + " w" + p.world() + (p.run() > 0 ? " #" + p.run() : "")).toList();
    }

    @Test
    void withARegressionCheck_eachPerfCellRunsThreeTimes_roundByRound_otherCellsOnce() {
        assertEquals(List.of("perf-a w1 #1", "check w1", "check w2", "perf-b w1 #1", "perf-b w2 #1",
                        "perf-a w1 #2", "perf-b w1 #2", "perf-b w2 #2",
                        "perf-a w1 #3", "perf-b w1 #3", "perf-b w2 #3"),
                plan(CELLS + "perf: {baseline: perf-a}\n"));
    }

    @Test
    void theFileSetsTheRuns_andTheWorldFilterStillApplies() {
        assertEquals(List.of("perf-a w1 #1", "check w1", "perf-b w1 #1", "perf-a w1 #2", "perf-b w1 #2"),
                plan(CELLS + "perf: {baseline: perf-a, runs: 2}\n", 1));
    }

    @Test
    void withoutARegressionCheck_orWithOneRun_everyCellRunsOnce_unnumbered() {
        List<String> once = List.of("perf-a w1", "check w1", "check w2", "perf-b w1", "perf-b w2");
        assertEquals(once, plan(CELLS));
        assertEquals(once, plan(CELLS + "perf: {baseline: perf-a, runs: 1}\n"));
    }
}
