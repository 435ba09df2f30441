package io.ncclffm.harness.launch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

import io.ncclffm.harness.matrix.GpuAssignment;

/**
 * Places the cell runs that run at once on the host's GPUs: each run takes the GPUs with the fewest ranks on them
 * now (the lowest first among equals), and gives them back when it ends. A cell with one GPU per rank gets {@code
 * world} distinct GPUs, rank i on the i-th; a cell whose ranks share a GPU gets one. Runs are never held back here
 * (how many run at once is the scheduler's {@code --parallel}): where more ranks run than the host has GPUs, they
 * share the least loaded ones, as ranks of different communicators may. A cell whose ranks see every GPU, or none,
 * takes nothing and gets no list ({@link RankPlacement} then places rank i on GPU i).
 *
 * <p>Alone, a run gets GPUs 0 to world - 1, as without a pool: a perf cell, which the scheduler runs alone, is
 * measured on the same GPUs every time.
 */
public final class GpuPool {

    /**
     * Ranks placed on each GPU now, per vendor (the counts of NVIDIA and AMD devices differ), sized by the host's
     * count at the vendor's first run.
     */
    private final Map<GpuAssignment.Vendor, int[]> load = new HashMap<>();
    private final ToIntFunction<GpuAssignment> count;

    /** @param count how many GPUs of the assignment's vendor the host has */
    public GpuPool(ToIntFunction<GpuAssignment> count) {
        this.count = count;
    }

    /** The host's GPUs, counted from their device files ({@link GpuInventory}). */
    public static GpuPool host() {
        GpuInventory inventory = GpuInventory.host();
        return new GpuPool(gpu -> inventory.devices(gpu).size());
    }

    /** A cell run's GPUs, to give back with {@link #release} when it has ended. */
    public record Lease(GpuAssignment.Vendor vendor, List<Integer> devices, int ranksEach) {
        /** e.g. {@code GPU 2, 3}; empty when the run was given no list. */
        public String describe() {
            if (devices.isEmpty()) return "";
            return (devices.size() == 1 ? "GPU " : "GPUs ") + String.join(", ", devices.stream().map(String::valueOf).toList());
        }
    }

    /**
     * The GPUs for a run of {@code world} ranks.
     *
     * @throws IllegalArgumentException when one GPU per rank is asked of a host with fewer (checked before a run starts)
     */
    public synchronized Lease acquire(GpuAssignment gpu, int world) {
        if (!gpu.present() || gpu.assign() == GpuAssignment.Assign.ALL) return new Lease(null, List.of(), 0);
        int[] ranks = load.computeIfAbsent(gpu.vendor(), v -> new int[Math.max(0, count.applyAsInt(gpu))]);
        if (ranks.length == 0) return new Lease(null, List.of(), 0);  // the ranks report the missing GPU themselves
        boolean perRank = gpu.assign() == GpuAssignment.Assign.PER_RANK;
        int take = perRank ? world : 1;
        if (take > ranks.length) {
            throw new IllegalArgumentException("world " + world + " needs " + world + " GPUs, one per rank; this host has " + ranks.length);
        }
        List<Integer> chosen = new ArrayList<>(IntStream.range(0, ranks.length).boxed()
                .sorted(Comparator.comparingInt((Integer d) -> ranks[d]).thenComparingInt(d -> d)).limit(take).toList());
        chosen.sort(null);
        int each = perRank ? 1 : world;
        for (int d : chosen) ranks[d] += each;
        return new Lease(gpu.vendor(), List.copyOf(chosen), each);
    }

    /** Gives a run's GPUs back. */
    public synchronized void release(Lease lease) {
        if (lease.devices().isEmpty()) return;
        int[] ranks = load.get(lease.vendor());
        for (int d : lease.devices()) ranks[d] -= lease.ranksEach();
    }

    /** Ranks placed on each GPU of the vendor now. */
    public synchronized List<Integer> load(GpuAssignment.Vendor vendor) {
        int[] ranks = load.get(vendor);
        return ranks == null ? List.of() : IntStream.of(ranks).boxed().toList();
    }
}
