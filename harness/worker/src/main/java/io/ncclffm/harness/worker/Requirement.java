package io.ncclffm.harness.worker;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;

/**
 * What a planned check needs from the library (and, for some data types, the device). Declared when the check is
 * planned, so that {@link Capabilities} can say why it cannot run without running it, GPU or not.
 */
sealed interface Requirement {

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
