package io.ncclffm.harness.protocol;

/**
 * Why a check did not pass, typed so that reports can group and count without reading messages. Every value
 * belongs to one {@link CheckStatus}; a pass has no cause.
 */
public enum Cause {
    /** A result differs from the host model of NCCL's arithmetic or data movement. */
    WRONG_VALUES(CheckStatus.FAILED),
    /** NCCL returned an error, synchronously or through {@code ncclCommGetAsyncError}, where success was due. */
    NCCL_ERROR(CheckStatus.FAILED),
    /** A call or a wait ran past its timeout, and the communicator was aborted. */
    TIMEOUT(CheckStatus.FAILED),
    /** The library reports another version or flavor than the cell expects. */
    WRONG_VERSION(CheckStatus.FAILED),
    /** A product failure of any other kind (e.g. a communicator formed with the wrong rank count). */
    OTHER_FAILURE(CheckStatus.FAILED),

    /** The library's release lacks the function, data type or operator, e.g. "bfloat16 needs NCCL >= 2.10". */
    RELEASE_GAP(CheckStatus.SKIPPED),
    /** The device lacks it, e.g. float8 reductions need sm_90. */
    DEVICE_GAP(CheckStatus.SKIPPED),
    /** A GPU check planned on a cell that assigns no GPU. */
    NO_GPU(CheckStatus.SKIPPED),
    /**
     * Not run because something it depends on failed: no unique ID, no communicator, or the limit of communicator
     * re-creations was reached.
     */
    BLOCKED(CheckStatus.SKIPPED),
    /** The cell gives nothing to judge against, e.g. no expected version. */
    NOT_CONFIGURED(CheckStatus.SKIPPED),
    /**
     * A mixed-release cell's ranks refused, every one with NCCL's own error, to form a communicator: what an
     * incompatible pair should do. The checks that needed the communicator were not run.
     */
    REFUSED_PAIR(CheckStatus.SKIPPED),
    /** The cell could not start (no Docker, no GPU) and the run was told to allow that: counted as not run. */
    NOT_STARTED(CheckStatus.SKIPPED),

    /** The infrastructure broke (no usable device, a rank died, an unexpected exception): nothing was judged. */
    INFRASTRUCTURE(CheckStatus.BROKEN);

    private final CheckStatus status;

    Cause(CheckStatus status) {
        this.status = status;
    }

    /** The status every result with this cause has. */
    public CheckStatus status() {
        return status;
    }
}
