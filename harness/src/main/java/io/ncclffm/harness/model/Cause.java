package io.ncclffm.harness.model;

/**
 * Why a check ended the way it did, in a form the controller can count without reading messages: the gate
 * tells release gaps from checks that were never run, and a timeout from a wrong value.
 */
public enum Cause {
    /** FAILED: a result differs from the host model of NCCL's arithmetic. */
    WRONG_VALUES,
    /** FAILED: NCCL returned an error where success was due. */
    NCCL_ERROR,
    /** FAILED: a call or wait ran past its timeout and the communicator was aborted. */
    TIMEOUT,
    /** FAILED: the library reports another version or flavor than the cell expects. */
    WRONG_VERSION,
    /** FAILED: any other failed expectation. */
    OTHER_FAILURE,
    /** SKIPPED: the library release lacks the function, dtype or op (e.g. bf16 needs NCCL >= 2.10). */
    RELEASE_GAP,
    /** SKIPPED: the device lacks it (e.g. fp8 reductions need sm_90). */
    DEVICE_GAP,
    /** SKIPPED: a GPU check planned on a cell that assigns no GPU. */
    NO_GPU,
    /** SKIPPED: not run because something it depends on failed (no unique ID, no communicator, a limit reached). */
    BLOCKED,
    /** SKIPPED: the cell gives nothing to judge against (e.g. no expected version). */
    NOT_CONFIGURED,
    /** SKIPPED: the cell could not start (no Docker, no GPU, ...) and the run was told to allow that. */
    NOT_STARTED,
    /** BROKEN: the infrastructure failed (a rank died or hung, a container or image failed). */
    INFRASTRUCTURE
}
