package io.ncclffm;

/**
 * The loaded library lacks a function, data type or operator. Thrown before NCCL is called, with the release that
 * introduced what was asked for.
 */
public final class NcclUnsupportedException extends UnsupportedOperationException {

    private final String what;
    private final NcclVersion since;

    public NcclUnsupportedException(String what, String library, NcclVersion since) {
        super(what + " is not available in " + library + "; it needs NCCL >= " + since);
        this.what = what;
        this.since = since;
    }

    /** What was asked for, e.g. {@code ncclCommInitRankConfig} or {@code ncclBfloat16}. */
    public String what() {
        return what;
    }

    /** The first release that has it. */
    public NcclVersion since() {
        return since;
    }
}
