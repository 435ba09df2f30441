package io.ncclffm.harness.protocol;

import java.util.Set;

import io.ncclffm.DataType;

/**
 * The group names checks are reported under ({@link CheckResult#group()}, {@link WorkerEvent.PlannedCheck#group()}):
 * the families the grid rolls results up into. A group of one check (load, version, the communicator's life cycle)
 * has that check's id as its name.
 */
public final class CheckGroup {

    public static final String LOAD = "load";
    public static final String VERSION = "version";
    public static final String ERROR_STRINGS = "error-strings";
    public static final String UNIQUE_ID = "unique-id";
    public static final String COMM_INIT = "comm-init";
    public static final String INIT_WITHOUT_GPU = "init-without-gpu";
    public static final String ABORT_HUNG_INIT = "abort-hung-init";
    public static final String COMM_DESTROY = "comm-destroy";
    public static final String BROADCAST = "broadcast";
    public static final String ALLGATHER = "allgather";
    public static final String SENDRECV = "sendrecv";
    public static final String ALLTOALL = "alltoall";
    public static final String REDUCE = "reduce";
    public static final String REDUCESCATTER = "reducescatter";
    public static final String GRAPH_CAPTURE = "graph-capture";
    public static final String FEATURES = "features";
    /** Perf mode's own checks: its C loop, its paired baseline, the combinations it cannot time, nccl-tests. */
    public static final String PERF = "perf";

    /**
     * The groups whose checks a rank runs without a GPU: loading, version, error strings, the unique ID, and init's
     * clean failure on a cell without one. Every other group needs the rank's device.
     */
    public static final Set<String> HOST = Set.of(LOAD, VERSION, ERROR_STRINGS, UNIQUE_ID, INIT_WITHOUT_GPU);

    private CheckGroup() {
    }

    /** allReduce checks are grouped by element type, e.g. {@code allreduce bfloat16}. */
    public static String allReduce(DataType type) {
        return "allreduce " + type.shortName();
    }
}
