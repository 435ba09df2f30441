package io.ncclffm.harness.protocol;

/** The outcome of one check on one rank, or merged over all ranks. */
public enum CheckStatus {
    /** Checked and correct. */
    PASSED,
    /** Checked and wrong: a product defect (wrong value, wrong version, NCCL error where success was due). */
    FAILED,
    /** Not checked, with a reason (needs a GPU, needs NCCL >= 2.10, waived). Never a pass. */
    SKIPPED,
    /** Could not be checked because the infrastructure broke (rank died, timeout, container failed). */
    BROKEN;

    /** The worse of two outcomes, for merging ranks: BROKEN > FAILED > SKIPPED > PASSED. */
    public CheckStatus worse(CheckStatus other) {
        return rank(this) >= rank(other) ? this : other;
    }

    private static int rank(CheckStatus s) {
        return switch (s) {
            case PASSED -> 0;
            case SKIPPED -> 1;
            case FAILED -> 2;
            case BROKEN -> 3;
        };
    }
}
