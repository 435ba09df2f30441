package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.protocol.WorkerConfig;

class CellTest {

    private static final Cell.HostLibrary LIB = new Cell.HostLibrary("/x.so");

    @Test
    void aBuiltCell_takesTheMatrixFilesDefaults_forWhatItDoesNotSet() {
        Cell c = Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 3)).source(LIB, "/x.so").build();
        assertEquals(new Cell("c", Flavor.NCCL, NcclVersion.of(2, 28, 3), LIB, "/x.so", List.of(1), GpuAssignment.NONE,
                Duration.ofMinutes(10), Map.of(), Cell.Network.CELL, List.of(), List.of(), WorkerConfig.Mode.CHECK, 0, null, List.of(),
                null, null, null), c);
    }

    @Test
    void toBuilder_keepsEveryField_andWithersChangeOnlyTheirOwn() {
        Cell c = Cell.builder("p", Flavor.RCCL, NcclVersion.of(2, 13, 4)).source(LIB, "/x.so").worlds(List.of(2, 4))
                .timeout(Duration.ofSeconds(90)).env(Map.of("A", "1")).network(Cell.Network.HOST).counts(List.of(7))
                .checks(List.of("version")).mode(WorkerConfig.Mode.PERF).line(12).release("ROCm 5.4.3")
                .pinnedSha256("ab".repeat(32)).build();
        assertEquals(c, c.toBuilder().build());
        Cell paired = c.withPairedBaseline("/base.so");
        assertEquals("/base.so", paired.pairedBaseline());
        assertEquals(c, paired.toBuilder().pairedBaseline(null).build());
        assertEquals(c, c.withPinnedSha256(null).withPinnedSha256("ab".repeat(32)));
    }

    @Test
    void theBuildersRules_areTheRecordsOwn() {
        assertEquals("cell c: a paired baseline library is for perf cells only", assertThrows(IllegalArgumentException.class,
                () -> Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 3)).source(LIB, "/x.so").pairedBaseline("/b.so").build())
                .getMessage());
    }
}
