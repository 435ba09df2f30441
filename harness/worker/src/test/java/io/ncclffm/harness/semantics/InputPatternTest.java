package io.ncclffm.harness.semantics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

class InputPatternTest {
    private static final int[] COUNTS = {1, 2, 3, 1021};

    static Stream<Arguments> cells() {
        return Cells.TYPES.stream().flatMap(t -> Cells.OPS.stream().map(op -> Arguments.of(t, op)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void sameArguments_giveTheSameBytes(DataType t, ReduceOp op) {
        for (int world = 1; world <= InputPattern.MAX_WORLD; world++) {
            for (int rank = 0; rank < world; rank++) {
                assertArrayEquals(InputPattern.forRank(t, op, world, rank, 1021),
                        InputPattern.forRank(t, op, world, rank, 1021));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void differentRanks_getDifferentInputs(DataType t, ReduceOp op) {
        for (int world = 2; world <= InputPattern.MAX_WORLD; world++) {
            List<byte[]> inputs = InputPattern.forAllRanks(t, op, world, 1021);
            for (int a = 0; a < world; a++) {
                for (int b = a + 1; b < world; b++) {
                    assertFalse(Arrays.equals(inputs.get(a), inputs.get(b)),
                            "world " + world + " ranks " + a + ", " + b);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void floatInputs_areNeverNaNInfiniteOrNegativeZero(DataType t, ReduceOp op) {
        if (!t.isFloatingPoint()) return;
        for (int world = 1; world <= InputPattern.MAX_WORLD; world++) {
            for (int count : COUNTS) {
                for (byte[] input : InputPattern.forAllRanks(t, op, world, count)) {
                    for (long bits : Elements.read(t, input)) {
                        double v = ElementCodec.value(t, bits);
                        assertTrue(Double.isFinite(v) && !(v == 0 && 1 / v < 0),
                                ElementCodec.format(t, bits) + " in world " + world + " count " + count);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void expectedResult_neverEqualsTheSentinelAtTheFirstOrLastElement(DataType t, ReduceOp op) {
        long sentinel = ElementCodec.bits(t, InputPattern.sentinel(t), 0);
        for (int world = 1; world <= InputPattern.MAX_WORLD; world++) {
            for (int count : COUNTS) {
                byte[] expected = HostReduction.allReduce(t, op, InputPattern.forAllRanks(t, op, world, count), count);
                String where = "world " + world + " count " + count;
                assertNotEquals(sentinel, ElementCodec.bits(t, expected, 0), where);
                assertNotEquals(sentinel, ElementCodec.bits(t, expected, count - 1), where);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void expectedResult_isTheSameInAnyReductionOrder(DataType t, ReduceOp op) {
        for (int world = 2; world <= InputPattern.MAX_WORLD; world++) {
            for (int count : COUNTS) {
                List<byte[]> inputs = InputPattern.forAllRanks(t, op, world, count);
                byte[] expected = HostReduction.allReduce(t, op, inputs, count);
                String where = "world " + world + " count " + count;
                List<byte[]> reversed = new ArrayList<>(inputs);
                Collections.reverse(reversed);
                assertArrayEquals(expected, HostReduction.allReduce(t, op, reversed, count), "reversed, " + where);
                List<byte[]> rotated = new ArrayList<>(inputs);
                Collections.rotate(rotated, 1);
                assertArrayEquals(expected, HostReduction.allReduce(t, op, rotated, count), "rotated, " + where);
                assertArrayEquals(expected, treeOrder(t, op, inputs, count), "tree, " + where);
                if (t.isFloatingPoint() && op == ReduceOp.AVG) {
                    assertArrayEquals(expected, sumThenScale(t, inputs, count), "sum, then scale, " + where);
                }
            }
        }
    }

    @Test
    void worldsBeyondTheDesignedSize_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> InputPattern.forRank(DataType.INT8, ReduceOp.SUM, 9, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> InputPattern.forRank(DataType.INT8, ReduceOp.SUM, 2, 2, 1));
        assertThrows(IllegalArgumentException.class,
                () -> InputPattern.forRank(DataType.UNKNOWN, ReduceOp.SUM, 2, 0, 1));
    }

    @Test
    void sentinels_areNaNForFloatsAndA5ForIntegers() {
        for (DataType t : Cells.TYPES) {
            long bits = ElementCodec.bits(t, InputPattern.sentinel(t), 0);
            if (t.isFloatingPoint()) {
                assertTrue(Double.isNaN(ElementCodec.value(t, bits)), t.toString());
            } else {
                assertArrayEquals(filled(t.size()), InputPattern.sentinel(t), t.toString());
            }
        }
    }

    private static byte[] filled(int size) {
        byte[] a5 = new byte[size];
        Arrays.fill(a5, (byte) 0xa5);
        return a5;
    }

    /** Ranks reduced in pairs, then pairs of partial results, as NCCL's trees do (premultiplied for average). */
    private static byte[] treeOrder(DataType t, ReduceOp op, List<byte[]> inputs, int count) {
        ReduceOp combine = op;
        List<byte[]> level = inputs;
        if (op == ReduceOp.AVG && t.isFloatingPoint()) {
            double scale = HostReduction.averageScale(t, inputs.size());
            level = inputs.stream().map(in -> scaled(t, in, count, scale)).toList();
            combine = ReduceOp.SUM;
        } else if (op == ReduceOp.AVG) {
            return HostReduction.allReduce(t, op, inputs, count); // integer sums are exact in any order
        }
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size()
                        ? HostReduction.allReduce(t, combine, List.of(level.get(i), level.get(i + 1)), count)
                        : level.get(i));
            }
            level = next;
        }
        return level.getFirst();
    }

    /** The newer NCCL average: sum first, then multiply by the rounded 1/n once. */
    private static byte[] sumThenScale(DataType t, List<byte[]> inputs, int count) {
        byte[] sum = HostReduction.allReduce(t, ReduceOp.SUM, inputs, count);
        return scaled(t, sum, count, HostReduction.averageScale(t, inputs.size()));
    }

    private static byte[] scaled(DataType t, byte[] in, int count, double scale) {
        byte[] out = new byte[in.length];
        for (int i = 0; i < count; i++) {
            double v = ElementCodec.value(t, ElementCodec.bits(t, in, i));
            ElementCodec.putBits(t, out, i, ElementCodec.encode(t, HostReduction.round(t, v * scale), false));
        }
        return out;
    }
}
