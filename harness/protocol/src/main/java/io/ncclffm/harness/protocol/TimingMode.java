package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the timed calls reach the GPU. */
public enum TimingMode {
    /** One call per iteration, launched from the host. */
    LAUNCH("launch"),
    /** The iterations captured once into a CUDA graph and replayed. */
    GRAPH("graph");

    private final String label;

    TimingMode(String label) {
        this.label = label;
    }

    /** As points and reports spell it: {@code launch}, {@code graph}. */
    @JsonValue
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** @throws IllegalArgumentException naming the input and the known modes */
    @JsonCreator
    public static TimingMode of(String label) {
        for (TimingMode m : values()) if (m.label.equals(label)) return m;
        throw new IllegalArgumentException("unknown timing mode '" + label + "', expected launch or graph");
    }
}
