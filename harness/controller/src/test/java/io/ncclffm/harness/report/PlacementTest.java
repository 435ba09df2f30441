package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.verdict.Gate;

class PlacementTest {

    private static RankOutput rank(int r, String host) {
        RankOutput o = new RankOutput(r);
        if (host != null) {
            o.acceptStdout("{\"event\":\"hello\",\"rank\":" + r + ",\"world\":4,\"pid\":1,\"host\":\"" + host
                    + "\",\"javaVersion\":\"25\",\"environment\":{}}");
        }
        return o;
    }

    @Test
    void ranksAreGroupedByTheHostTheirWorkerNamed_andARankThatNeverSaidHelloIsLeftOut() {
        Cell cell = Cell.builder("s", Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.HostLibrary("/l.so"), "/l.so").build();
        CellRun run = new CellRun(cell, 4, "slurm", List.of(rank(0, "c1"), rank(1, "c1"), rank(2, "c2"), rank(3, null)),
                Duration.ofSeconds(1), null);
        Placement p = Placement.of(run);
        assertEquals(List.of(new Placement.Node("c1", List.of(0, 1)), new Placement.Node("c2", List.of(2))), p.nodes());
        assertEquals("c1: 0, 1 · c2: 2", p.toString());
        CellSummary summary = CellSummary.of(cell, 4, 0, "slurm", run.wall(), List.of(), -1, Provenance.NONE, p);
        Gate gate = Gate.judge(List.of(new Gate.CellRunVerdicts(summary.cell(), 4, false, List.of())), List.of(), false);
        String grid = new CompatibilityGrid(List.of(summary), gate, null).toMarkdown();
        assertTrue(grid.contains("| s | NCCL 2.22.3 | slurm | 4 | 1.0 s | – | c1: 0, 1 · c2: 2 |"), grid);
    }
}
