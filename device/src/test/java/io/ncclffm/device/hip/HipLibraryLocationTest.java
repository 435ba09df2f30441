package io.ncclffm.device.hip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceUnavailableException;

/** Which libamdhip64 {@link HipRuntime} opens: the property, else the environment variable, never a fallback. */
class HipLibraryLocationTest {

    static HipStub stub;

    @BeforeAll
    static void build() throws Exception {
        stub = HipStub.build();
    }

    @Test
    void open_withThePropertySet_usesThatFileEvenWhenTheEnvironmentVariableNamesAnother() {
        HipRuntime hip = HipRuntime.open(stub.path.toString(), "/nonexistent/libamdhip64.so");
        assertEquals("Stub HIP Device 0", hip.deviceName(0));
    }

    @Test
    void open_withOnlyTheEnvironmentVariableSet_usesItsFile() {
        HipRuntime hip = HipRuntime.open(null, stub.path.toString());
        assertEquals("Stub HIP Device 0", hip.deviceName(0));
    }

    @Test
    void open_withTheConfiguredFileMissing_failsNamingTheSourceAndPath_insteadOfFallingBackToTheLoader() {
        DeviceException e = assertThrows(DeviceException.class, () -> HipRuntime.open("/nonexistent/libamdhip64.so", stub.path.toString()));
        assertFalse(e instanceof DeviceUnavailableException, "a misconfiguration must not read as 'no GPU here': " + e);
        assertEquals("system property ncclffm.hip.path = '/nonexistent/libamdhip64.so': no such file; expected the path of libamdhip64.so",
                e.getMessage());
    }

    @Test
    void open_withTheEnvironmentVariableEmpty_saysItIsEmpty() {
        DeviceException e = assertThrows(DeviceException.class, () -> HipRuntime.open(null, " "));
        assertEquals("environment variable NCCLFFM_HIP_PATH = ' ' is empty; expected the path of libamdhip64.so", e.getMessage());
    }

    @Test
    void open_ofADirectory_saysItWantsTheLibraryFileItself(@TempDir Path dir) {
        DeviceException e = assertThrows(DeviceException.class, () -> HipRuntime.open(dir));
        assertEquals("explicit path argument = '" + dir + "' is a directory; expected the path of libamdhip64.so itself", e.getMessage());
    }

    @Test
    void open_ofAFileThatIsNotALibrary_saysItDoesNotLoad() {
        Path source = Path.of("src/test/c/stub_hip.c").toAbsolutePath();
        DeviceException e = assertThrows(DeviceException.class, () -> HipRuntime.open(source));
        assertFalse(e instanceof DeviceUnavailableException, e.toString());
        assertTrue(e.getMessage().startsWith("explicit path argument = '" + source + "' does not load: "), e.getMessage());
    }
}
