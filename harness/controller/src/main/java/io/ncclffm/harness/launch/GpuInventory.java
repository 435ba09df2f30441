package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.ncclffm.harness.matrix.GpuAssignment;

/**
 * The GPUs this host exposes, counted from their device files: {@code /dev/nvidia<N>} for NVIDIA, {@code
 * /dev/dri/renderD<N>} for AMD. Used before a {@code per-rank} cell starts, so that a world larger than the host
 * (a matrix listing worlds 2, 4 and 8 on a runner of two GPUs) is reported as not started, with the reason,
 * instead of starting ranks that would each fail to find their GPU; and to size the {@link GpuPool}.
 */
public final class GpuInventory {

    private final Path dev;

    public GpuInventory(Path dev) {
        this.dev = dev;
    }

    public static GpuInventory host() {
        return new GpuInventory(Path.of("/dev"));
    }

    /** The device files of the vendor's GPUs, sorted. */
    public List<Path> devices(GpuAssignment gpu) {
        Path dir = gpu.amd() ? dev.resolve("dri") : dev;
        String pattern = gpu.amd() ? "renderD\\d+" : "nvidia\\d+";
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(pattern)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Why a cell that assigns GPUs cannot start here at all: it asks for a vendor's GPUs and the host shows none.
     * {@code null} when the cell assigns none or the host has some.
     */
    public String missing(GpuAssignment gpu) {
        if (!gpu.present() || !devices(gpu).isEmpty()) return null;
        return "the cell assigns " + (gpu.amd() ? "AMD" : "NVIDIA") + " GPUs, but this host shows none ("
                + (gpu.amd() ? dev.resolve("dri") + "/renderD<N>" : dev + "/nvidia<N>") + " does not exist)";
    }

    /**
     * Why {@code world} ranks cannot have a GPU each here, or {@code null} when they can, when the cell does not
     * place one rank per GPU, or when the host shows no GPU at all (then every rank reports that itself, as broken).
     */
    public String shortfall(GpuAssignment gpu, int world) {
        if (!gpu.present() || gpu.assign() != GpuAssignment.Assign.PER_RANK) return null;
        List<Path> found = devices(gpu);
        if (found.isEmpty() || world <= found.size()) return null;
        return "world " + world + " needs " + world + " GPUs, one per rank (gpu.assign: per-rank); this host has "
                + found.size() + ": " + String.join(", ", found.stream().map(Path::toString).toList());
    }
}
