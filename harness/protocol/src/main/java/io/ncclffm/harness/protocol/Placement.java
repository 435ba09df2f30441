package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a timed collective writes its result over its input or into a second buffer, as nccl-tests times both. */
public enum Placement {
    OUT_OF_PLACE("out-of-place"),
    IN_PLACE("in-place");

    private final String label;

    Placement(String label) {
        this.label = label;
    }

    /** As points and reports spell it: {@code out-of-place}, {@code in-place}. */
    @JsonValue
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** @throws IllegalArgumentException naming the input and the known placements */
    @JsonCreator
    public static Placement of(String label) {
        for (Placement p : values()) if (p.label.equals(label)) return p;
        throw new IllegalArgumentException("unknown placement '" + label + "', expected out-of-place or in-place");
    }
}
