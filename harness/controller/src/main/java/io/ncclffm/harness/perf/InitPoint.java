package io.ncclffm.harness.perf;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.ncclffm.harness.protocol.Source;

/**
 * What one communicator cost to make, per release: the wall time of its init and the device memory it took, as rank 0
 * of a perf cell measured it.
 *
 * @param library     e.g. {@code NCCL 2.28.3}
 * @param source      {@code java} (the worker's comm-init check: free device memory across the init call) or
 *                    {@code c} (nccl_allreduce_bench: free memory from when every rank has its context and buffers
 *                    until after the first allReduce, so NCCL's lazy allocations are in)
 * @param world       ranks in the communicator
 * @param initMillis  wall time of the init call
 * @param memoryBytes drop of the device's free memory; device-wide, so ranks sharing one GPU count together
 */
public record InitPoint(String library, Source source, int world, double initMillis, long memoryBytes) {

    /** One row per library, world and source, in that order. */
    public static String markdown(List<InitPoint> points) {
        StringBuilder out = new StringBuilder("| Library | World | Source | Init (ms) | Device memory |\n|---|---:|---|---:|---:|\n");
        points.stream()
                .sorted(Comparator.comparing(InitPoint::library).thenComparingInt(InitPoint::world)
                        .thenComparing(p -> p.source().label()))
                .forEach(p -> out.append("| ").append(p.library()).append(" | ").append(p.world()).append(" | ").append(p.source())
                        .append(" | ").append(String.format(Locale.ROOT, "%.0f", p.initMillis())).append(" | ")
                        .append(p.memoryBytes() < 0 ? "n/a (free memory grew)" : MessageSize.label(p.memoryBytes() >> 20 << 20))
                        .append(" |\n"));
        out.append("\njava: rank 0's free device memory across ncclCommInitRank(Config); c: from every rank ready (context and ")
                .append("buffers made) until after a first allReduce. Device-wide: ranks sharing one GPU count together.\n");
        return out.toString();
    }
}
