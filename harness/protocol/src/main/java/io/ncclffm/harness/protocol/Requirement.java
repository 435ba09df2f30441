package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;

/**
 * What a planned check needs from the library (and, for some data types, the device). Declared when the check is
 * planned and sent with the plan ({@link WorkerEvent.PlannedCheck}), so that the worker can say why a check cannot
 * run without running it, GPU or not, and so that a reader of the plan sees what each check needs.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "needs")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Requirement.Type.class, name = "type"),
        @JsonSubTypes.Type(value = Requirement.Op.class, name = "op"),
        @JsonSubTypes.Type(value = Requirement.Function.class, name = "function"),
        @JsonSubTypes.Type(value = Requirement.Release.class, name = "release"),
})
public sealed interface Requirement {

    /** A data type the release must know; float8 also needs a device that reduces it. */
    record Type(DataType type) implements Requirement {
    }

    /** A reduction operator the release must know. */
    record Op(ReduceOp op) implements Requirement {
    }

    /**
     * C functions the release must export.
     *
     * @param purpose what the check does with them, for the message (e.g. "aborting a hung init"), or {@code null}
     */
    record Function(Feature feature, String purpose) implements Requirement {
    }

    /** Behaviour a release series introduced without a symbol to look for, e.g. collectives in CUDA graphs. */
    record Release(NcclVersion since, String what) implements Requirement {
    }

    static Requirement type(DataType t) {
        return new Type(t);
    }

    static Requirement op(ReduceOp op) {
        return new Op(op);
    }

    static Requirement function(Feature feature) {
        return new Function(feature, null);
    }
}
