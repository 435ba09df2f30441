package io.ncclffm.harness.semantics;

import java.util.ArrayList;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * Every {@link MappingMutant} of one (type, operator) cell, and which of them a given set of inputs would let
 * through. A mutant is caught when at least one rank's output differs, by {@link ResultComparison}, from the
 * expected result; that is exactly when the GPU check fails for a binding with that mistake.
 */
public final class WrongMappings {

    private WrongMappings() {
    }

    /** Every other type, every other operator, then count - 1, untouched output and local-only. */
    public static List<MappingMutant> of(DataType t, ReduceOp op) {
        List<MappingMutant> all = new ArrayList<>();
        for (DataType other : DataType.values()) {
            if (other != t && other != DataType.UNKNOWN) all.add(MappingMutant.otherType(other));
        }
        for (ReduceOp other : ReduceOp.values()) {
            if (other != op && other != ReduceOp.UNKNOWN) all.add(MappingMutant.otherOp(other));
        }
        all.add(MappingMutant.of(MappingMutant.Kind.ONE_ELEMENT_SHORT));
        all.add(MappingMutant.of(MappingMutant.Kind.OUTPUT_UNTOUCHED));
        all.add(MappingMutant.of(MappingMutant.Kind.LOCAL_ONLY));
        return List.copyOf(all);
    }

    /** The mutants whose outputs would pass the check on every rank. */
    public static List<MappingMutant> undetected(DataType t, ReduceOp op, List<byte[]> inputs, int count,
                                                 Placement placement) {
        byte[] expected = HostReduction.allReduce(t, op, inputs, count);
        List<MappingMutant> missed = new ArrayList<>();
        for (MappingMutant mutant : of(t, op)) {
            if (!caught(t, op, mutant.outputs(t, op, inputs, count, placement), expected)) missed.add(mutant);
        }
        return missed;
    }

    private static boolean caught(DataType t, ReduceOp op, List<byte[]> outputs, byte[] expected) {
        for (byte[] output : outputs) {
            if (!ResultComparison.matches(t, op, outputs.size(), output, expected)) return true;
        }
        return false;
    }
}
