package io.ncclffm.harness.semantics;

/**
 * Where {@code ncclAllReduce} writes. It decides what a rank's output holds wherever NCCL wrote nothing: its own
 * input in place, the sentinel out of place. That is the only way a too-short count or a wider type becomes
 * visible when every value it did write happens to be right.
 */
public enum Placement {
    IN_PLACE("in-place"),
    OUT_OF_PLACE("out-of-place");

    private final String label;

    Placement(String label) {
        this.label = label;
    }

    /** As check ids spell it, e.g. {@code out-of-place}. */
    public String label() {
        return label;
    }
}
