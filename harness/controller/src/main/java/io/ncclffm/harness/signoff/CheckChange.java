package io.ncclffm.harness.signoff;

import io.ncclffm.harness.report.RunManifest;

/**
 * How one check differs from the base to the candidate.
 *
 * @param family    the check's family, the grid's row
 * @param slot      where it ran: cell, world and run ({@link Side#slot})
 * @param base      the base's outcome, or {@code null} when only the candidate has the check
 * @param candidate the candidate's outcome, or {@code null} when only the base has it
 * @param flaky     whether it both passed and failed across recent runs of the same library on the same host
 *                  ({@link History}): then it counts as neither a regression nor a fix
 */
public record CheckChange(String family, String slot, String check, Kind kind, RunManifest.Check base, RunManifest.Check candidate,
                          boolean flaky) {

    /** What changed, and whether it stops a sign-off. */
    public enum Kind {
        REGRESSION("now fail", true),
        FIX("failed → passed", false),
        HIDDEN_BY_WAIVER("passed → failed, hidden by a waiver", true),
        NOW_WAIVED("failed → waived", false),
        NEWLY_NOT_RUN("now skipped or not run", true),
        STILL_FAILING("failed on both", true),
        NEWLY_RUN("skipped or not run → passed", false),
        ONLY_IN_BASE("only in the base", false),
        ONLY_IN_CANDIDATE("only in the candidate", false);

        private final String words;
        private final boolean blocks;

        Kind(String words, boolean blocks) {
            this.words = words;
            this.blocks = blocks;
        }

        public String words() {
            return words;
        }

        /** Whether a change of this kind alone makes the sign-off NO-GO (a flaky one never does). */
        public boolean blocks() {
            return blocks;
        }
    }

    /**
     * Whether this change stops the sign-off: a blocking kind that is not flaky; a check only the base has stops it
     * when the base passed it (coverage lost), one only the candidate has when the candidate fails it, and a check
     * that is no longer run when the base passed it.
     */
    public boolean blocks() {
        if (flaky) return false;
        if (kind == Kind.ONLY_IN_BASE) return Outcome.of(base) == Outcome.PASSED;
        if (kind == Kind.ONLY_IN_CANDIDATE) return Outcome.of(candidate) == Outcome.FAILED;
        if (kind == Kind.NEWLY_NOT_RUN) return Outcome.of(base) == Outcome.PASSED;
        return kind.blocks();
    }

    /** A check's outcome as a sign-off reads it: broken counts as failed, and a skip by why. */
    public enum Outcome {
        PASSED, FAILED, WAIVED, RELEASE_GAP, NOT_RUN;

        public static Outcome of(RunManifest.Check c) {
            return switch (c.status()) {
                case PASSED -> PASSED;
                case FAILED, BROKEN -> FAILED;
                case SKIPPED -> c.waiver() != null ? WAIVED
                        : c.cause() == io.ncclffm.harness.protocol.Cause.RELEASE_GAP ? RELEASE_GAP : NOT_RUN;
            };
        }
    }

    /**
     * The change from {@code base} to {@code candidate}, or {@code null} when nothing a sign-off reads changed (the same
     * outcome, or one skip for another).
     */
    static Kind kindOf(RunManifest.Check base, RunManifest.Check candidate) {
        if (base == null) return Kind.ONLY_IN_CANDIDATE;
        if (candidate == null) return Kind.ONLY_IN_BASE;
        Outcome b = Outcome.of(base), c = Outcome.of(candidate);
        if (b == Outcome.FAILED && c == Outcome.FAILED) return Kind.STILL_FAILING;
        if (b == c) return null;
        return switch (b) {
            case PASSED -> c == Outcome.FAILED ? Kind.REGRESSION : c == Outcome.WAIVED ? Kind.HIDDEN_BY_WAIVER : Kind.NEWLY_NOT_RUN;
            case FAILED -> c == Outcome.PASSED ? Kind.FIX : c == Outcome.WAIVED ? Kind.NOW_WAIVED : Kind.NEWLY_NOT_RUN;
            case WAIVED, RELEASE_GAP, NOT_RUN -> c == Outcome.PASSED ? Kind.NEWLY_RUN : c == Outcome.FAILED ? Kind.REGRESSION : null;
        };
    }
}
