package io.ncclffm.harness.protocol;

/** Exit codes of the rank worker. */
public final class WorkerExitCode {

    private WorkerExitCode() {
    }

    /** Every check passed or was skipped with a reason. */
    public static final int ALL_PASSED = 0;
    /** At least one check failed. */
    public static final int CHECKS_FAILED = 1;
    /** The worker could not run its checks: bad configuration, broken infrastructure. */
    public static final int BROKEN = 2;
    /** A collective or init hung and was aborted, or the worker's own deadline ran out. */
    public static final int TIMED_OUT = 3;
}
