package io.ncclffm.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DeviceRuntimesTest {

    private static boolean hasNvidiaGpu() {
        return Files.exists(Path.of("/dev/nvidiactl"));
    }

    @Test
    void cuda_withoutADriver_isUnavailableWithTheReason_notALinkageError() {
        Assumptions.assumeFalse(hasNvidiaGpu(), "this machine has an NVIDIA GPU; the GPU runs cover CUDA there");
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> DeviceRuntimes.open(DeviceRuntimes.Platform.CUDA));
        assertTrue(e.getMessage().contains("libcuda.so.1") || e.getMessage().contains("cuInit"), e.getMessage());
    }

    @Test
    void hip_withoutRocm_isUnavailableWithTheReason() {
        Assumptions.assumeFalse(Files.exists(Path.of("/dev/kfd")), "this machine has ROCm");
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> DeviceRuntimes.open(DeviceRuntimes.Platform.HIP));
        assertTrue(e.getMessage().startsWith("no HIP runtime: libamdhip64.so does not load"), e.getMessage());
    }

    @Test
    void ownedBuffer_isFreedOnce() {
        List<Long> freed = new ArrayList<>();
        DeviceBuffer b = DeviceBuffer.owned(0x7000L, 64, freed::add);
        b.close();
        b.close();
        assertEquals(List.of(0x7000L), freed);
        assertEquals("DeviceBuffer[0x7000, 64 bytes]", b.toString());
    }
}
