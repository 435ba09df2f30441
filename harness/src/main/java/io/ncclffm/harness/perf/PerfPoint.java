package io.ncclffm.harness.perf;

/**
 * One allReduce timing: the median over trials of the average over {@code iterations} back-to-back calls.
 *
 * @param library   e.g. {@code NCCL 2.28.9}
 * @param source    who measured: {@link #JAVA} (the binding), {@link #C} (the separate C baseline) or
 *                  {@link #IN_PROCESS_C} (the same calls from C in the worker's process)
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

    /** The binding, timed by the Java perf mode. */
    public static final String JAVA = "java";
    /** The separate C baseline process, {@code perf/c-baseline/nccl_allreduce_bench}. */
    public static final String C = "c";
    /** The same calls made from C in the worker's process, {@code perf/c-baseline/ncclffm_c_loop.c}. */
    public static final String IN_PROCESS_C = "c-inproc";

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
