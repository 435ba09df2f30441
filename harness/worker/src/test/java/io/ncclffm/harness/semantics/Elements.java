package io.ncclffm.harness.semantics;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/** Builds and reads small buffers for the tests: one element per argument, little-endian. */
final class Elements {

    private Elements() {
    }

    static byte[] bits(DataType t, long... bits) {
        byte[] buffer = new byte[bits.length * t.size()];
        for (int i = 0; i < bits.length; i++) ElementCodec.putBits(t, buffer, i, bits[i]);
        return buffer;
    }

    static byte[] values(DataType t, double... values) {
        return bits(t, Arrays.stream(values).mapToLong(v -> ElementCodec.encode(t, v, false)).toArray());
    }

    static long[] read(DataType t, byte[] buffer) {
        return IntStream.range(0, buffer.length / t.size()).mapToLong(i -> ElementCodec.bits(t, buffer, i)).toArray();
    }

    /** The single-element allReduce of one value per rank, as raw bits. */
    static long reduceBits(DataType t, ReduceOp op, long... perRank) {
        List<byte[]> inputs = Arrays.stream(perRank).mapToObj(b -> bits(t, b)).toList();
        return ElementCodec.bits(t, HostReduction.allReduce(t, op, inputs, 1), 0);
    }

    /** The single-element allReduce of one value per rank, as a number. */
    static double reduceValues(DataType t, ReduceOp op, double... perRank) {
        List<byte[]> inputs = Arrays.stream(perRank).mapToObj(v -> values(t, v)).toList();
        return ElementCodec.value(t, ElementCodec.bits(t, HostReduction.allReduce(t, op, inputs, 1), 0));
    }
}
