package io.ncclffm.harness.semantics;

import java.util.Arrays;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/** The (type, operator) cells of the matrix, without the UNKNOWN placeholders. */
final class Cells {
    static final List<DataType> TYPES = Arrays.stream(DataType.values()).filter(t -> t != DataType.UNKNOWN).toList();
    static final List<ReduceOp> OPS = Arrays.stream(ReduceOp.values()).filter(o -> o != ReduceOp.UNKNOWN).toList();

    private Cells() {
    }
}
