package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.verdict.Gate;

/** A run's settings come from configuration parameters by name, as the standalone jar and failsafe give them. */
class MatrixSettingsTest {

    private static MatrixSettings from(Map<String, String> parameters) {
        return MatrixSettings.from(k -> Optional.ofNullable(parameters.get(k)));
    }

    @Test
    void everyOption_isReadFromItsParameter() {
        MatrixSettings s = from(Map.of(MatrixSettings.MATRIX, "m.yaml", MatrixSettings.CELLS, "nccl-*", MatrixSettings.REPORTS_DIR, "out",
                Gate.ALLOW_NOT_STARTED, "true", MatrixSettings.PARALLEL, "4", MatrixSettings.WORLDS, "2,1",
                MatrixSettings.PERF_C, "c/rank0.jsonl", MatrixSettings.LIBRARIES, "libs", MatrixSettings.RUN_ID, "20260101T000000Z-ab12cd"));
        assertEquals(Path.of("m.yaml").toAbsolutePath(), s.matrixFile());
        assertEquals("nccl-*", s.cells());
        assertEquals(Path.of("out").toAbsolutePath(), s.reportsDir());
        assertTrue(s.allowNotStarted());
        assertEquals(4, s.parallel());
        assertEquals(Set.of(1, 2), s.worlds());
        assertEquals("c/rank0.jsonl", s.perfC());
        assertEquals(Path.of("libs"), s.libraries());
        assertEquals("20260101T000000Z-ab12cd", s.runId());
        assertNull(s.allureResults(), "unset: Allure's results go to the run's own folder");
    }

    @Test
    void nothingGiven_isTheDefaults() {
        MatrixSettings s = from(Map.of());
        assertEquals(Path.of("matrix/debian.yaml").toAbsolutePath(), s.matrixFile());
        assertEquals("", s.cells());
        assertFalse(s.allowNotStarted());
        assertEquals(1, s.parallel());
        assertTrue(s.runsWorld(8));
        assertNull(s.perfC());
        assertNull(s.libraries());
        assertNull(s.runId(), "a new run id is made when the run begins");
    }

    @Test
    void aBadValue_isNamedWithWhatItTakes() {
        assertEquals("ncclffm.parallel='0': expected a number of cell runs in 1..256",
                assertThrows(IllegalArgumentException.class, () -> from(Map.of(MatrixSettings.PARALLEL, "0"))).getMessage());
        assertEquals("ncclffm.worlds='1,x': expected comma-separated world sizes, e.g. 1,2",
                assertThrows(IllegalArgumentException.class, () -> from(Map.of(MatrixSettings.WORLDS, "1,x"))).getMessage());
        String runId = assertThrows(IllegalArgumentException.class, () -> from(Map.of(MatrixSettings.RUN_ID, "../elsewhere"))).getMessage();
        assertTrue(runId.startsWith("run id '../elsewhere': expected letters, digits"), runId);
        assertThrows(IllegalArgumentException.class, () -> from(Map.of(MatrixSettings.RUN_ID, "latest")), "latest names the link");
    }
    @Test
    void worlds_areTheSizesACellCanRun() {
        assertEquals(Set.of(1, 64), MatrixSettings.worlds("1, 64"));
        for (String bad : List.of("0", "65", "-1")) {
            assertEquals("ncclffm.worlds='" + bad + "': expected comma-separated world sizes, e.g. 1,2",
                    assertThrows(IllegalArgumentException.class, () -> MatrixSettings.worlds(bad)).getMessage());
        }
    }
}
