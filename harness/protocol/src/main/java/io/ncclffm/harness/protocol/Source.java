package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Who timed a perf point: the binding, or one of the references it is judged against. */
public enum Source {
    /** The binding, timed by the Java perf mode. */
    JAVA("java"),
    /** The separate C baseline process, {@code perf/c-baseline/nccl_allreduce_bench}. */
    C("c"),
    /** The same calls made from C in the worker's process, {@code perf/c-baseline/ncclffm_c_loop.c}. */
    IN_PROCESS_C("c-inproc"),
    /** NVIDIA's nccl-tests binaries, run by the perf cell's rank 0 and parsed from their table. */
    NCCL_TESTS("nccl-tests");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    /** As points and reports spell it: {@code java}, {@code c}, {@code c-inproc}, {@code nccl-tests}. */
    @JsonValue
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** @throws IllegalArgumentException naming the input and the known sources */
    @JsonCreator
    public static Source of(String label) {
        for (Source s : values()) if (s.label.equals(label)) return s;
        throw new IllegalArgumentException("unknown source '" + label + "', expected one of java, c, c-inproc or nccl-tests");
    }
}
