package io.ncclffm.harness.protocol;

import java.util.List;

/**
 * The names a cell's {@code checks} list (and a worker's {@value WorkerConfig#CHECKS}) selects checks by
 * ({@link WorkerConfig.Checks#wants}). The unique-ID exchange and the communicator's init and destroy are planned whatever
 * is selected: every other check depends on them.
 */
public final class CheckSelection {

    /** Every check. */
    public static final String ALL = "all";
    public static final String VERSION = "version";
    public static final String ERROR_STRINGS = "error-strings";
    /** allReduce for every element type, operator, count and placement. */
    public static final String ALLREDUCE = "allreduce";
    /** broadcast, allgather, sendrecv, alltoall, reduce and reducescatter for every element type. */
    public static final String COLLECTIVES = "collectives";
    /** allReduce captured in a CUDA graph and replayed. */
    public static final String GRAPH = "graph";
    /** What users rely on beyond single collectives: split, PreMulSum, registered buffers, windows, ... */
    public static final String FEATURES = "features";
    /** Aborting a hung init, on rank 0 only. */
    public static final String ABORT = "abort";

    /** Every name a selection may hold. */
    public static final List<String> NAMES = List.of(ALL, VERSION, ERROR_STRINGS, ALLREDUCE, COLLECTIVES, GRAPH, FEATURES, ABORT);

    private CheckSelection() {
    }
}
