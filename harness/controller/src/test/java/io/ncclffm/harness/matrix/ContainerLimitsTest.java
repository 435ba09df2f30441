package io.ncclffm.harness.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ContainerLimitsTest {

    @Test
    void of_withoutSettings_isTheDefault_withCpusFittedToTheHost() {
        ContainerLimits d = ContainerLimits.of(Map.of());
        assertEquals(OptionalLong.of(16L << 30), d.memoryBytes());
        assertEquals(OptionalLong.of(4096), d.pids());
        assertEquals(OptionalLong.of(2_000_000_000L), d.cpusOn(2), "never more CPUs than a host of two has");
        assertEquals(OptionalLong.of(8_000_000_000L), d.cpusOn(64));
    }

    @Test
    void of_aCellsOwnSettings_winAndAreTakenAsWritten() {
        ContainerLimits l = ContainerLimits.of(Map.of(ContainerLimits.MEMORY, "1g", ContainerLimits.PIDS, "512", ContainerLimits.CPUS, "1.5"));
        assertEquals(OptionalLong.of(1L << 30), l.memoryBytes());
        assertEquals(OptionalLong.of(512), l.pids());
        assertEquals(OptionalLong.of(1_500_000_000L), l.cpusOn(64));
        assertEquals(OptionalLong.of(1_500_000_000L), l.cpusOn(1), "an explicit limit is the cell's: Docker says if the host is too small");
        ContainerLimits none = ContainerLimits.of(Map.of(ContainerLimits.MEMORY, "none", ContainerLimits.PIDS, "NONE", ContainerLimits.CPUS, "none"));
        assertEquals(new ContainerLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), false), none);
    }

    @Test
    void check_refusesWhatDockerOrARankCouldNotUse_namingTheVariable() {
        for (String[] bad : new String[][] {{ContainerLimits.MEMORY, "16GB"}, {ContainerLimits.MEMORY, "1m"}, {ContainerLimits.MEMORY, "99999999999999t"},
                {ContainerLimits.PIDS, "10"}, {ContainerLimits.PIDS, "-1"}, {ContainerLimits.CPUS, "0"}, {ContainerLimits.CPUS, "2,5"},
                {ContainerLimits.CPUS, "2000"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContainerLimits.check(bad[0], bad[1]), bad[1]);
            assertTrue(e.getMessage().startsWith(bad[0] + "='" + bad[1] + "': expected"), e.getMessage());
        }
    }

    @Test
    void theMatrixLoader_reportsABadLimit_atItsCellAndLine() {
        String yaml = """
                cells:
                  - name: c
                    flavor: nccl
                    version: 2.22.3
                    image: {ref: "ncclffm/base:trixie"}
                    soPath: /usr/lib/x86_64-linux-gnu/libnccl.so.2
                    env: {NCCLFFM_CONTAINER_MEMORY: lots}
                """;
        MatrixException e = assertThrows(MatrixException.class, () -> MatrixLoader.parse(Path.of("m.yaml"), yaml));
        assertTrue(e.getMessage().contains("field cells[0].env.NCCLFFM_CONTAINER_MEMORY: NCCLFFM_CONTAINER_MEMORY='lots': expected a size"),
                e.getMessage());
        assertTrue(e.getMessage().contains("line 7"), e.getMessage());
    }
}
