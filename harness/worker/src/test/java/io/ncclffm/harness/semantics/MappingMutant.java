package io.ncclffm.harness.semantics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * One way a binding can get an {@code ncclAllReduce} call wrong while NCCL still returns success, simulated over the
 * same bytes the real call would see. The checks are worth something only if each of these changes what the ranks
 * read back; {@link WrongMappings} runs them against the generated inputs to prove it.
 *
 * @param kind  the mistake
 * @param dtype the type passed instead, for {@link Kind#OTHER_TYPE}; otherwise {@code null}
 * @param op    the operator passed instead, for {@link Kind#OTHER_OP}; otherwise {@code null}
 */
public record MappingMutant(Kind kind, DataType dtype, ReduceOp op) {

    /** The mistakes a binding can make in mapping its arguments to the C call. */
    public enum Kind {
        /** Another {@code ncclDataType_t} code; NCCL reduces as many of its elements as fit in the same bytes. */
        OTHER_TYPE,
        /** Another {@code ncclRedOp_t} code. */
        OTHER_OP,
        /** {@code count - 1}, e.g. an off-by-one in a size computation: the last element stays unwritten. */
        ONE_ELEMENT_SHORT,
        /** No reduction reaches the output at all, e.g. the wrong buffer or stream. */
        OUTPUT_UNTOUCHED,
        /** Each rank ends up with its own input only, e.g. the communicator of a world of one. */
        LOCAL_ONLY
    }

    public MappingMutant {
        if ((kind == Kind.OTHER_TYPE) != (dtype != null) || (kind == Kind.OTHER_OP) != (op != null)) {
            throw new IllegalArgumentException(kind + " with " + dtype + " " + op);
        }
    }

    public static MappingMutant otherType(DataType dtype) {
        return new MappingMutant(Kind.OTHER_TYPE, dtype, null);
    }

    public static MappingMutant otherOp(ReduceOp op) {
        return new MappingMutant(Kind.OTHER_OP, null, op);
    }

    public static MappingMutant of(Kind kind) {
        return new MappingMutant(kind, null, null);
    }

    /** For reports and test names, e.g. {@code float16 passed as bfloat16} or {@code sum passed as max}. */
    public String describe(DataType t, ReduceOp intended) {
        return switch (kind) {
            case OTHER_TYPE -> t.shortName() + " passed as " + dtype.shortName();
            case OTHER_OP -> intended.shortName() + " passed as " + op.shortName();
            case ONE_ELEMENT_SHORT -> "count - 1 passed";
            case OUTPUT_UNTOUCHED -> "output left untouched";
            case LOCAL_ONLY -> "only the local contribution";
        };
    }

    /**
     * What every rank's output would hold after the mistaken call. Outputs start as the rank's own input in place
     * and as {@link InputPattern#sentinel} out of place; NCCL then writes whatever the mistaken arguments make it
     * write, and nothing beyond.
     */
    public List<byte[]> outputs(DataType t, ReduceOp intended, List<byte[]> inputs, int count, Placement placement) {
        int bytes = count * t.size();
        List<byte[]> outputs = new ArrayList<>(inputs.size());
        for (byte[] input : inputs) {
            boolean own = placement == Placement.IN_PLACE || kind == Kind.LOCAL_ONLY;
            outputs.add(own ? Arrays.copyOf(input, bytes) : InputPattern.sentinelFilled(t, count));
        }
        byte[] written = switch (kind) {
            case OTHER_TYPE -> reduce(dtype, intended, inputs, bytes / dtype.size());
            case OTHER_OP -> reduce(t, op, inputs, count);
            case ONE_ELEMENT_SHORT -> reduce(t, intended, inputs, Math.max(0, count - 1));
            case OUTPUT_UNTOUCHED, LOCAL_ONLY -> new byte[0];
        };
        for (byte[] output : outputs) System.arraycopy(written, 0, output, 0, written.length);
        return outputs;
    }

    private static byte[] reduce(DataType t, ReduceOp op, List<byte[]> inputs, int count) {
        return HostReduction.allReduce(t, op, inputs, count);
    }
}
