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

    /** The exit for a process status; {@link #UNKNOWN} for any the worker does not return. */
    public static WorkerExit fromCode(int code) {
        for (WorkerExit e : values()) if (e != UNKNOWN && e.code == code) return e;
        return UNKNOWN;
    }
}
