package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code launcher: slurm} cells: what the loader takes, and each mistake named with its field. */
class SlurmCellTest {

    private static final Path FILE = Path.of("matrix/test.yaml");
    private static final String HOST_CELL = """
            cells:
              - name: s
                flavor: nccl
                version: 2.22.3
                host: {path: /shared/nccl/libnccl.so.2}
                worlds: [2, 4]
                timeout: 3m
            """;

    private static Cell only(String yaml) {
        return MatrixLoader.parse(FILE, yaml).cells().getFirst();
    }

    private static String error(String yaml) {
        return assertThrows(MatrixException.class, () -> MatrixLoader.parse(FILE, yaml)).getMessage();
    }

    @Test
    void aSlurmCell_takesItsSettings_andTheCellTimeoutAsItsTimeLimitByDefault() {
        Cell c = only(HOST_CELL + """
                    launcher: slurm
                    slurm: {nodes: 2, partition: gpu, account: ml-infra, srunOptions: [--exclusive, --mpi=none]}
                """);
        assertEquals(new SlurmSettings(2, 0, "gpu", "ml-infra", Duration.ofMinutes(3), List.of("--exclusive", "--mpi=none")), c.slurm());
        assertEquals(3, c.slurm().timeMinutes());
        assertNull(only(HOST_CELL).slurm(), "a host cell without launcher runs as processes");
    }

    @Test
    void aMixedCell_runsUnderSlurm_withItsMembersOnePerNode() {
        String yaml = HOST_CELL + """
                  - {name: t, flavor: nccl, version: 2.29.7, host: {path: /shared/2.29.7/libnccl.so.2}}
                  - {name: m, mix: [s, t], worlds: [2], launcher: slurm, slurm: {nodes: 2, tasksPerNode: 1, time: 90s}}
                """;
        Cell m = MatrixLoader.parse(FILE, yaml).cells().get(2);
        assertTrue(m.mixed());
        assertEquals(2, m.forRank(1).slurm().nodes(), "each rank's cell keeps the step's settings");
        assertEquals(2, m.slurm().timeMinutes(), "90 s rounds up to two minutes");
    }

    @Test
    void slurmSettingsWithoutTheLauncher_areRefused() {
        assertTrue(error(HOST_CELL + "    slurm: {nodes: 2}\n").contains("field cells[0].slurm: slurm settings apply to a cell with "
                + "'launcher: slurm'"));
    }

    @Test
    void anotherLauncher_isRefused_namingTheOneThereIs() {
        String e = error(HOST_CELL + "    launcher: mpirun\n");
        assertTrue(e.contains("field cells[0].launcher: expected 'slurm'") && e.contains("'mpirun'"), e);
    }

    @Test
    void anImageCell_cannotRunUnderSlurm() {
        String e = error("""
                cells:
                  - {name: i, flavor: nccl, version: 2.22.3, image: {ref: some/image}, soPath: /x.so, launcher: slurm}
                """);
        assertTrue(e.contains("a Slurm cell's library is a file every node sees at one path: give it as host.path"), e);
    }

    @Test
    void aWorldSmallerThanItsNodes_orNotNodesTimesTasks_isRefused() {
        assertTrue(error(HOST_CELL + "    launcher: slurm\n    slurm: {nodes: 3}\n")
                .contains("field cells[0].slurm.nodes: world 2 cannot span 3 nodes"));
        assertTrue(error(HOST_CELL + "    launcher: slurm\n    slurm: {nodes: 2, tasksPerNode: 1}\n")
                .contains("field cells[0].slurm.tasksPerNode: world 4 is not 2 nodes × 1 tasks"));
    }

    @Test
    void srunOptions_thatTheLauncherOwnsOrThatAreNotLongOptions_areRefused() {
        String owned = error(HOST_CELL + "    launcher: slurm\n    slurm: {srunOptions: [--exclusive, --output=x]}\n");
        assertTrue(owned.contains("field cells[0].slurm.srunOptions[1]: --output is set by the launcher"), owned);
        String shortOption = error(HOST_CELL + "    launcher: slurm\n    slurm: {srunOptions: ['-N 2']}\n");
        assertTrue(shortOption.contains("field cells[0].slurm.srunOptions[0]: expected one long srun option per entry"), shortOption);
    }

    @Test
    void aCellsEnv_cannotMakeItsRanksSlurmTasks() {
        String e = error(HOST_CELL + "    env: {NCCLFFM_SLURM: '1'}\n");
        assertTrue(e.contains("field cells[0].env.NCCLFFM_SLURM: NCCLFFM_SLURM is set by the launcher"), e);
    }

    @Test
    void aBadPartitionOrTime_isRefused() {
        assertTrue(error(HOST_CELL + "    launcher: slurm\n    slurm: {partition: 'gpu;rm'}\n")
                .contains("field cells[0].slurm.partition: expected a Slurm name"));
        assertTrue(error(HOST_CELL + "    launcher: slurm\n    slurm: {time: 2d}\n")
                .contains("field cells[0].slurm.time: expected a duration like 90s, 10m or 1h"));
    }
}
