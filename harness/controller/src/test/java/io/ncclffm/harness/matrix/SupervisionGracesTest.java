package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.WorkerEnvironment;
import io.ncclffm.harness.protocol.RendezvousToken;

class SupervisionGracesTest {

    @Test
    void of_withoutSettings_isTheDefault() {
        assertEquals(new SupervisionGraces(Duration.ofSeconds(30), Duration.ofSeconds(45)), SupervisionGraces.of(Map.of()));
        assertEquals(SupervisionGraces.DEFAULTS, SupervisionGraces.of(Map.of("NCCL_DEBUG", "INFO")));
    }

    @Test
    void of_aCellsOwnSettings_win() {
        SupervisionGraces g = SupervisionGraces.of(Map.of(SupervisionGraces.HUNG, "8", SupervisionGraces.PEER_DEATH, " 600 "));
        assertEquals(Duration.ofSeconds(8), g.hung());
        assertEquals(Duration.ofMinutes(10), g.peerDeath());
    }

    @Test
    void check_refusesAnythingButWholeSecondsInRange_namingTheVariable() {
        for (String bad : new String[] {"0", "-5", "3601", "1.5", "30s", "", "99999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SupervisionGraces.check(SupervisionGraces.HUNG, bad), bad);
            assertEquals(SupervisionGraces.HUNG + "='" + bad + "': expected whole seconds from 1 to 3600", e.getMessage());
        }
    }

    @Test
    void theMatrixLoader_reportsABadGrace_atItsCellAndLine() {
        String yaml = """
                cells:
                  - name: c
                    flavor: nccl
                    version: 2.22.3
                    host: {path: /usr/lib/x86_64-linux-gnu/libnccl.so.2}
                    env: {NCCLFFM_PEER_DEATH_GRACE_S: 1m}
                """;
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.parse(Path.of("m.yaml"), yaml));
        assertTrue(e.getMessage().contains("field cells[0].env.NCCLFFM_PEER_DEATH_GRACE_S: NCCLFFM_PEER_DEATH_GRACE_S='1m': expected whole seconds"),
                e.getMessage());
        assertTrue(e.getMessage().contains("line 6"), e.getMessage());
    }

    @Test
    void theGraces_areTheControllers_notPassedToTheRanks() {
        Cell cell = Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.HostLibrary("/x.so"), "/x.so")
                .timeout(Duration.ofMinutes(1)).env(Map.of(SupervisionGraces.HUNG, "8", "NCCL_DEBUG", "WARN")).worlds(List.of(1)).build();
        Map<String, String> env = WorkerEnvironment.forRank(cell, 1, 0, "127.0.0.1", 29500, "127.0.0.1", RendezvousToken.random(), 0,
                null, null);
        assertFalse(env.containsKey(SupervisionGraces.HUNG), env.toString());
        assertEquals("WARN", env.get("NCCL_DEBUG"), "the cell's other settings still reach the rank");
    }
}
