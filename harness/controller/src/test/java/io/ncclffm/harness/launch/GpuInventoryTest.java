package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.harness.matrix.GpuAssignment;

/** Worlds larger than the host's GPU count are skipped with the count and the devices, for per-rank cells only. */
class GpuInventoryTest {

    private static final GpuAssignment PER_RANK = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.TOOLKIT, null);

    @Test
    void aWorldLargerThanTheHost_isNamedWithWhatTheHostHas(@TempDir Path dev) throws Exception {
        for (String f : new String[] {"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-caps"}) Files.createFile(dev.resolve(f));
        GpuInventory gpus = new GpuInventory(dev);
        assertNull(gpus.shortfall(PER_RANK, 2));
        assertEquals("world 4 needs 4 GPUs, one per rank (gpu.assign: per-rank); this host has 2: " + dev.resolve("nvidia0")
                + ", " + dev.resolve("nvidia1"), gpus.shortfall(PER_RANK, 4));
        assertNull(gpus.shortfall(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.TOOLKIT, null), 4), "shared: any world fits one GPU");
        assertNull(gpus.shortfall(GpuAssignment.NONE, 4));
    }

    @Test
    void amdCountsRenderNodes_andAHostWithoutGpusIsLeftToTheRanks(@TempDir Path dev) throws Exception {
        Files.createDirectories(dev.resolve("dri"));
        Files.createFile(dev.resolve("dri/renderD128"));
        Files.createFile(dev.resolve("dri/card0"));
        GpuAssignment amd = new GpuAssignment(GpuAssignment.Vendor.AMD, GpuAssignment.Assign.PER_RANK, GpuAssignment.Access.TOOLKIT, null);
        assertEquals(1, new GpuInventory(dev).devices(amd).size());
        assertEquals(true, new GpuInventory(dev).shortfall(amd, 2).contains("this host has 1"));
        assertNull(new GpuInventory(dev.resolve("missing")).shortfall(PER_RANK, 8),
                "no GPU at all: each rank reports 'the cell assigns a GPU but none is usable here'");
    }
}
