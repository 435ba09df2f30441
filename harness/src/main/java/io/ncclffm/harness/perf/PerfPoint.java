package io.ncclffm.harness.perf;

/**
 * One allReduce timing: an average over {@code iterations} back-to-back calls after warm-up.
 *
 * @param library   e.g. {@code NCCL 2.28.9}
 * @param source    who measured: {@code java} (the binding) or {@code c} (the C baseline)
 * @param world     ranks
 * @param bytes     message size in bytes
 * @param dtype     element type, e.g. {@code float32}
 * @param placement {@code in-place} or {@code out-of-place}
 * @param mode      {@code launch} (one call per iteration) or {@code graph} (replayed from a CUDA graph)
 * @param timeUs    microseconds per allReduce
 * @param algBwGBs  bytes / time, in GB/s (1e9)
 * @param busBwGBs  algBw * 2(n-1)/n, nccl-tests' convention for allReduce
 */
public record PerfPoint(
        String library,
        String source,
        int world,
        long bytes,
        String dtype,
        String placement,
        String mode,
        int iterations,
        double timeUs,
        double algBwGBs,
        double busBwGBs) {

    /**
     * nccl-tests' bus bandwidth factor for allReduce: 2(n-1)/n. It is 0 for one rank, where nothing crosses a bus
     * and algBw is the figure to read.
     */
    public static double busFactor(int world) {
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        return 2.0 * (world - 1) / world;
    }

    public static PerfPoint of(String library, String source, int world, long bytes, String dtype, String placement,
                               String mode, int iterations, double timeUs) {
        double alg = timeUs <= 0 ? 0 : bytes / (timeUs * 1e-6) / 1e9;
        return new PerfPoint(library, source, world, bytes, dtype, placement, mode, iterations, timeUs, alg,
                alg * busFactor(world));
    }
}
