package io.ncclffm.harness.protocol;

import java.util.List;
import java.util.Set;

/**
 * One collective's timing: the median over trials of the average over {@code iterations} back-to-back calls, with
 * every trial's value so that two runs can be compared by more than their medians.
 *
 * @param library    e.g. {@code NCCL 2.28.9}
 * @param source     who measured: {@link #JAVA} (the binding), {@link #C} (the separate C baseline),
 *                   {@link #IN_PROCESS_C} (the same calls from C in the worker's process) or {@link #NCCL_TESTS}
 * @param world      ranks
 * @param collective {@code allReduce}, {@code allGather}, ... ({@link #COLLECTIVES}); {@code allReduce} when a line
 *                   written before the field existed lacks it
 * @param bytes      message size in bytes, as nccl-tests prints it: for allGather the whole receive buffer, for
 *                   reduceScatter the whole send buffer, for alltoall either buffer; for the rest one rank's buffer
 * @param dtype      element type, e.g. {@code float32}
 * @param placement  {@code in-place} or {@code out-of-place}
 * @param mode       {@code launch} (one call per iteration) or {@code graph} (replayed from a CUDA graph)
 * @param iterations calls per trial
 * @param timeUs     microseconds per call, the median of {@code trialsUs}
 * @param algBwGBs   bytes / time, in GB/s (1e9)
 * @param busBwGBs   algBw times the collective's bus factor ({@link #busFactor(String, int)}), nccl-tests' convention
 * @param trialsUs   every trial's microseconds per call, in the order measured; empty when the writer kept only the
 *                   median (such a point can never show a significant change)
 * @param cell       the matrix cell that measured it, when it came from a matrix run; else {@code null}
 * @param run        which run of its cell measured it (1, 2, ...) when the matrix runs each perf cell in several
 *                   processes (a process can be slower than the next for its whole life, C and NCCL included); 0
 *                   when it is not numbered
 * @param pairedBaseline whether the point was measured from the perf baseline's library inside the candidate cell's
 *                   own process ({@code perf.pairing: in-process}): its trials alternate, one by one, with the
 *                   cell's own point of the same measurement, so that trial {@code t} of the two was taken seconds
 *                   apart on one host state; its {@code library} is the baseline's, its {@code cell} the candidate's.
 *                   {@code false} for a cell's own points
 */
public record PerfPoint(
        String library,
        String source,
        int world,
        String collective,
        long bytes,
        String dtype,
        String placement,
        String mode,
        int iterations,
        double timeUs,
        double algBwGBs,
        double busBwGBs,
        List<Double> trialsUs,
        String cell,
        int run,
        boolean pairedBaseline) {

    /** The binding, timed by the Java perf mode. */
    public static final String JAVA = "java";
    /** The separate C baseline process, {@code perf/c-baseline/nccl_allreduce_bench}. */
    public static final String C = "c";
    /** The same calls made from C in the worker's process, {@code perf/c-baseline/ncclffm_c_loop.c}. */
    public static final String IN_PROCESS_C = "c-inproc";
    /** NVIDIA's nccl-tests binaries, run by the perf cell's rank 0 and parsed from their table. */
    public static final String NCCL_TESTS = "nccl-tests";

    public static final String ALL_REDUCE = "allReduce";
    public static final String ALL_GATHER = "allGather";
    public static final String REDUCE_SCATTER = "reduceScatter";
    public static final String BROADCAST = "broadcast";
    public static final String REDUCE = "reduce";
    public static final String ALL_TO_ALL = "alltoall";
    public static final String SEND_RECV = "sendrecv";
    /** The collectives perf mode knows, in the order it measures them. */
    public static final List<String> COLLECTIVES =
            List.of(ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, BROADCAST, REDUCE, ALL_TO_ALL, SEND_RECV);

    public PerfPoint {
        if (collective == null) collective = ALL_REDUCE;
        trialsUs = trialsUs == null ? List.of() : List.copyOf(trialsUs);
        if (run < 0) throw new IllegalArgumentException("a point's run is 1, 2, ... (0 when not numbered), got " + run);
    }

    /** A cell's own point (not a paired baseline's). */
    public PerfPoint(String library, String source, int world, String collective, long bytes, String dtype,
                     String placement, String mode, int iterations, double timeUs, double algBwGBs, double busBwGBs,
                     List<Double> trialsUs, String cell, int run) {
        this(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs, algBwGBs, busBwGBs,
                trialsUs, cell, run, false);
    }

    /** The same point, attributed to the matrix cell that measured it. */
    public PerfPoint inCell(String cellName) {
        return inCell(cellName, run);
    }

    /** The same point, attributed to the matrix cell and the run of it (1, 2, ...) that measured it. */
    public PerfPoint inCell(String cellName, int cellRun) {
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs,
                algBwGBs, busBwGBs, trialsUs, cellName, cellRun, pairedBaseline);
    }

    /** The same point, marked as measured from the perf baseline's library in the candidate's process. */
    public PerfPoint asPairedBaseline() {
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs,
                algBwGBs, busBwGBs, trialsUs, cell, run, true);
    }

    /** The trials, or the median alone for a point that carries none. */
    public double[] trials() {
        return trialsUs.isEmpty() ? new double[] {timeUs} : trialsUs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * nccl-tests' bus bandwidth factor for allReduce: 2(n-1)/n. It is 0 for one rank, where nothing crosses a bus
     * and algBw is the figure to read.
     */
    public static double busFactor(int world) {
        return busFactor(ALL_REDUCE, world);
    }

    /**
     * nccl-tests' bus bandwidth factors ({@code src/*.cu}, {@code getBw}): 2(n-1)/n for allReduce; (n-1)/n for
     * allGather, reduceScatter and alltoall; 1 for broadcast, reduce and sendrecv.
     */
    public static double busFactor(String collective, int world) {
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        return switch (collective) {
            case ALL_REDUCE -> 2.0 * (world - 1) / world;
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> (double) (world - 1) / world;
            case BROADCAST, REDUCE, SEND_RECV -> 1.0;
            default -> throw new IllegalArgumentException("unknown collective '" + collective + "', expected one of " + COLLECTIVES);
        };
    }

    /**
     * The collective's canonical name from any spelling a user may write: {@code allreduce}, {@code all_reduce},
     * {@code allReduce}, {@code alltoall}, {@code send_recv}, ... (case and underscores ignored).
     *
     * @throws IllegalArgumentException naming the input and the known collectives
     */
    public static String collective(String name) {
        String key = name == null ? "" : name.strip().replace("_", "").replace("-", "").toLowerCase(java.util.Locale.ROOT);
        for (String c : COLLECTIVES) if (c.toLowerCase(java.util.Locale.ROOT).equals(key)) return c;
        throw new IllegalArgumentException("unknown collective '" + name + "', expected one of " + COLLECTIVES);
    }

    /**
     * The count one rank passes to NCCL for a message of {@code bytes}, in nccl-tests' size convention
     * ({@code src/*.cu}, {@code GetCollByteCount}, {@code paramcount}): the printed size is the larger buffer, so
     * allGather (its receive buffer), reduceScatter (its send buffer) and alltoall (either buffer) pass
     * {@code bytes / (world * typeSize)}; the rest pass {@code bytes / typeSize}. 0 when the size is too small for
     * one element per rank.
     */
    public static long elementsPerRank(String collective, long bytes, int world, int typeSize) {
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        if (typeSize < 1) throw new IllegalArgumentException("element size must be >= 1 byte, got " + typeSize);
        long count = bytes / typeSize;
        return switch (collective) {
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> count / world;
            case ALL_REDUCE, BROADCAST, REDUCE, SEND_RECV -> count;
            default -> throw new IllegalArgumentException("unknown collective '" + collective + "', expected one of " + COLLECTIVES);
        };
    }

    /**
     * The size nccl-tests prints for that count (its {@code size} column, {@code max(sendBytes, recvBytes)}): for the
     * collectives that split the buffer among ranks, a size that does not divide by {@code world} elements is rounded
     * down to one that does.
     */
    public static long printedBytes(String collective, long elementsPerRank, int world, int typeSize) {
        long perRank = elementsPerRank * typeSize;
        return switch (collective) {
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> perRank * world;
            case ALL_REDUCE, BROADCAST, REDUCE, SEND_RECV -> perRank;
            default -> throw new IllegalArgumentException("unknown collective '" + collective + "', expected one of " + COLLECTIVES);
        };
    }

    /** What the size column of {@code collective}'s table means, in nccl-tests' convention, for the reader. */
    public static String sizeConvention(String collective) {
        return switch (collective) {
            case ALL_GATHER -> "size = the whole receive buffer (n × each rank's send buffer), as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case REDUCE_SCATTER -> "size = the whole send buffer (n × each rank's receive buffer), as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case ALL_TO_ALL -> "size = one rank's whole send (= receive) buffer, n blocks of size/n, as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case ALL_REDUCE -> "size = one rank's buffer; busbw = algbw × 2(n−1)/n";
            case BROADCAST, REDUCE -> "size = one rank's buffer, root 0; busbw = algbw";
            case SEND_RECV -> "size = the buffer each rank sends to the next in a ring (ncclSend/ncclRecv in one group); "
                    + "busbw = algbw";
            default -> throw new IllegalArgumentException("unknown collective '" + collective + "', expected one of " + COLLECTIVES);
        };
    }

    /** nccl-tests' name for an element type ({@code -d}, and its {@code type} column): {@code float}, {@code bfloat16}, ... */
    public static String ncclTestsType(String dtype) {
        return switch (dtype) {
            case "float32" -> "float";
            case "float16" -> "half";
            case "float64" -> "double";
            case "int8", "uint8", "int32", "uint32", "int64", "uint64", "bfloat16" -> dtype;
            default -> throw new IllegalArgumentException("nccl-tests has no name for element type '" + dtype + "'");
        };
    }

    /** The element type of nccl-tests' {@code type} column in this harness's names ({@code float} is {@code float32}). */
    public static String fromNcclTestsType(String type) {
        return switch (type) {
            case "float" -> "float32";
            case "half" -> "float16";
            case "double" -> "float64";
            default -> type;
        };
    }

    /** nccl-tests' binary for {@code collective}: {@code all_reduce_perf}, {@code alltoall_perf}, ... */
    public static String ncclTestsBinary(String collective) {
        return switch (collective) {
            case ALL_REDUCE -> "all_reduce_perf";
            case ALL_GATHER -> "all_gather_perf";
            case REDUCE_SCATTER -> "reduce_scatter_perf";
            case BROADCAST -> "broadcast_perf";
            case REDUCE -> "reduce_perf";
            case ALL_TO_ALL -> "alltoall_perf";
            case SEND_RECV -> "sendrecv_perf";
            default -> throw new IllegalArgumentException("unknown collective '" + collective + "', expected one of " + COLLECTIVES);
        };
    }

    /** Whether {@code collective} takes a reduction operator (nccl-tests prints {@code sum} for those). */
    public static boolean reduces(String collective) {
        return Set.of(ALL_REDUCE, REDUCE_SCATTER, REDUCE).contains(collective);
    }

    /** An allReduce point from its median alone. */
    public static PerfPoint of(String library, String source, int world, long bytes, String dtype, String placement,
                               String mode, int iterations, double timeUs) {
        return of(library, source, world, ALL_REDUCE, bytes, dtype, placement, mode, iterations, timeUs, List.of());
    }

    /** A point of any collective, its median computed from {@code trialsUs} when there are trials. */
    public static PerfPoint of(String library, String source, int world, String collective, long bytes, String dtype,
                               String placement, String mode, int iterations, double timeUs, List<Double> trialsUs) {
        double alg = timeUs <= 0 ? 0 : bytes / (timeUs * 1e-6) / 1e9;
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs, alg,
                alg * busFactor(collective, world), trialsUs, null, 0);
    }

    /** A point whose time is the median of {@code trialsUs}. */
    public static PerfPoint ofTrials(String library, String source, int world, String collective, long bytes,
                                     String dtype, String placement, String mode, int iterations, List<Double> trialsUs) {
        if (trialsUs.isEmpty()) throw new IllegalArgumentException("a point needs at least one trial");
        return of(library, source, world, collective, bytes, dtype, placement, mode, iterations,
                median(trialsUs.stream().mapToDouble(Double::doubleValue).toArray()), trialsUs);
    }

    /**
     * Of several points of one measurement (separate runs of it), the one whose time is the median: for an even
     * count the faster of the two middle ones; equal times in run order, then in the order given.
     */
    public static PerfPoint medianByTime(List<PerfPoint> points) {
        if (points.isEmpty()) throw new IllegalArgumentException("the median of no points");
        List<PerfPoint> sorted = points.stream()
                .sorted(java.util.Comparator.comparingDouble(PerfPoint::timeUs).thenComparingInt(PerfPoint::run)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The middle value; for an even count, the mean of the two middle ones (as the C baseline computes it). */
    public static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
