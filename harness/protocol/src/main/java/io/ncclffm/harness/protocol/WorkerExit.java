package io.ncclffm.harness.protocol;

/** The rank worker's exit status: what the process returns, and what a launcher reads back from it. */
public enum WorkerExit {
    /** Every check passed or was skipped with a reason. */
    ALL_PASSED(0),
    /** At least one check failed. */
    CHECKS_FAILED(1),
    /** The worker could not run its checks: bad configuration, broken infrastructure. */
    BROKEN(2),
    /** A collective or init hung and was aborted, or the worker's own deadline ran out. */
    TIMED_OUT(3),
    /** An exit status the worker never returns (its JVM failed to start, say); {@link #code()} is -1. */
    UNKNOWN(-1);

    private final int code;

    WorkerExit(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /**
     * The exit of a worker that reported all its results: a timeout anywhere decides it (even when a re-created
     * communicator let later checks pass), then any failure, then anything broken. The worker exits so, and the
     * controller holds a finished rank's exit status against the results it reported.
     *
     * @param timedOut whether any check ran past its timeout
     */
    public static WorkerExit forResults(boolean timedOut, int failed, int broken) {
        if (timedOut) return TIMED_OUT;
        if (failed > 0) return CHECKS_FAILED;
        return broken > 0 ? BROKEN : ALL_PASSED;
    }

    /** The exit for a process status; {@link #UNKNOWN} for any the worker does not return. */
    public static WorkerExit fromCode(int code) {
        for (WorkerExit e : values()) if (e != UNKNOWN && e.code == code) return e;
        return UNKNOWN;
    }
}
