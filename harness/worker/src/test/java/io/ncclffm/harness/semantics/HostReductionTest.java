package io.ncclffm.harness.semantics;

import static io.ncclffm.harness.semantics.Elements.reduceBits;
import static io.ncclffm.harness.semantics.Elements.reduceValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

class HostReductionTest {

    @Test
    void allReduce_int8Sum_wrapsAroundAtEightBits() {
        assertEquals(0xc8, reduceBits(DataType.INT8, ReduceOp.SUM, 100, 100)); // 200 is -56
        assertEquals(0x00, reduceBits(DataType.UINT8, ReduceOp.SUM, 0xff, 0x01));
    }

    @Test
    void allReduce_integerProducts_keepTheLowBitsOfTheirWidth() {
        assertEquals(0x10, reduceBits(DataType.INT8, ReduceOp.PROD, 0x84, 0x04)); // -124 * 4 = -496 = 0x..10
        assertEquals(0xfffe_0001L, reduceBits(DataType.UINT32, ReduceOp.PROD, 0xffff, 0xffff));
        assertEquals(1L, reduceBits(DataType.INT64, ReduceOp.PROD, -1L, -1L));
    }

    @Test
    void allReduce_uint8Max_distinguishesFromInt8() {
        assertEquals(0xff, reduceBits(DataType.UINT8, ReduceOp.MAX, 0xff, 0x01));
        assertEquals(0x01, reduceBits(DataType.INT8, ReduceOp.MAX, 0xff, 0x01));
        assertEquals(0x01, reduceBits(DataType.UINT8, ReduceOp.MIN, 0xff, 0x01));
        assertEquals(0xff, reduceBits(DataType.INT8, ReduceOp.MIN, 0xff, 0x01));
    }

    @Test
    void allReduce_uint64Max_comparesAllSixtyFourBitsUnsigned() {
        assertEquals(-1L, reduceBits(DataType.UINT64, ReduceOp.MAX, -1L, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, reduceBits(DataType.INT64, ReduceOp.MAX, -1L, Long.MAX_VALUE));
        assertEquals(0x8000_0000L, reduceBits(DataType.UINT32, ReduceOp.MAX, 0x8000_0000L, 0x7fff_ffffL));
    }

    @Test
    void allReduce_signedIntegerAverage_truncatesNegativeSumsTowardZero() {
        assertEquals(0xfd, reduceBits(DataType.INT8, ReduceOp.AVG, -3 & 0xff, -4 & 0xff)); // -7/2 = -3, not -4
        assertEquals(-2L & 0xffff_ffffL, reduceBits(DataType.INT32, ReduceOp.AVG, -1 & 0xffff_ffffL,
                -2 & 0xffff_ffffL, -3 & 0xffff_ffffL, -3 & 0xffff_ffffL)); // -9/4 = -2
        assertEquals(-3L, reduceBits(DataType.INT64, ReduceOp.AVG, -5L, -2L)); // -7/2
        assertEquals(-1L, reduceBits(DataType.INT64, ReduceOp.AVG, Long.MAX_VALUE, Long.MAX_VALUE)); // -2/2
    }

    @Test
    void allReduce_integerAverage_dividesTheWrappedSum() {
        assertEquals(0xe4, reduceBits(DataType.INT8, ReduceOp.AVG, 100, 100)); // 200 wraps to -56; -56/2 = -28
        assertEquals(0x64, reduceBits(DataType.UINT8, ReduceOp.AVG, 100, 100)); // 200/2
        assertEquals(124, reduceBits(DataType.UINT8, ReduceOp.AVG, 250, 255)); // 505 wraps to 249; 249/2
        assertEquals(0xc000_0000L, reduceBits(DataType.INT32, ReduceOp.AVG, 0x7fff_ffffL, 1)); // -2^31 / 2
        assertEquals(0x4000_0000L, reduceBits(DataType.UINT32, ReduceOp.AVG, 0x7fff_ffffL, 1)); // 2^31 / 2
        assertEquals(Long.MAX_VALUE, reduceBits(DataType.UINT64, ReduceOp.AVG, -1L, -1L)); // (2^64 - 2) / 2
        assertEquals(0L, reduceBits(DataType.INT64, ReduceOp.AVG, -1L, -1L, 1L)); // -1/3 truncates to 0
    }

    @Test
    void allReduce_float16Sum_roundsTiesToEven() {
        assertEquals(2048.0, reduceValues(DataType.FLOAT16, ReduceOp.SUM, 2048, 1));
        assertEquals(2052.0, reduceValues(DataType.FLOAT16, ReduceOp.SUM, 2048, 3));
        assertEquals(0x1p-23, reduceValues(DataType.FLOAT16, ReduceOp.SUM, 0x1p-24, 0x1p-24));
    }

    @Test
    void allReduce_float16_roundsAfterEveryOperation() {
        // In rank order 2048 + 1 rounds back to 2048 twice; summed exactly it would be 2050.
        assertEquals(2048.0, reduceValues(DataType.FLOAT16, ReduceOp.SUM, 2048, 1, 1));
        assertEquals(0x0002L, reduceBits(DataType.FLOAT16, ReduceOp.PROD, 0x0e00, 0x0c00)); // 1.5*2^-12 * 2^-12
    }

    @Test
    void allReduce_float16Overflow_isInfinity() {
        assertEquals(0x7c00L, reduceBits(DataType.FLOAT16, ReduceOp.SUM, 0x7bff, 0x7bff));
    }

    @Test
    void allReduce_bfloat16Sum_roundsTiesToEven() {
        assertEquals(256.0, reduceValues(DataType.BFLOAT16, ReduceOp.SUM, 256, 1));
        assertEquals(260.0, reduceValues(DataType.BFLOAT16, ReduceOp.SUM, 258, 1));
    }

    @Test
    void allReduce_float32_roundsOnceLikeFloatArithmetic() {
        float a = 16777216f;
        assertEquals(a, (float) reduceValues(DataType.FLOAT32, ReduceOp.SUM, a, 1));
        assertEquals(a + 4, (float) reduceValues(DataType.FLOAT32, ReduceOp.SUM, a, 3));
        assertEquals(0.1f * 0.3f, (float) reduceValues(DataType.FLOAT32, ReduceOp.PROD, 0.1f, 0.3f));
    }

    @Test
    void allReduce_fp8Sums_saturateInsteadOfOverflowing() {
        assertEquals(0x7eL, reduceBits(DataType.FLOAT8_E4M3, ReduceOp.SUM, 0x7e, 0x7e)); // 448 + 448
        assertEquals(0xfeL, reduceBits(DataType.FLOAT8_E4M3, ReduceOp.SUM, 0xfe, 0xd0)); // -448 - 8
        assertEquals(0x7bL, reduceBits(DataType.FLOAT8_E5M2, ReduceOp.SUM, 0x7b, 0x7b)); // inf in half, then 57344
        assertEquals(0x7bL, reduceBits(DataType.FLOAT8_E5M2, ReduceOp.PROD, 0x7b, 0x40)); // 57344 * 2
    }

    @Test
    void allReduce_fp8_roundsTiesToEvenAndKeepsSubnormals() {
        assertEquals(1.0, reduceValues(DataType.FLOAT8_E4M3, ReduceOp.SUM, 1.0, 0.0625));
        assertEquals(1.25, reduceValues(DataType.FLOAT8_E4M3, ReduceOp.SUM, 1.125, 0.0625));
        assertEquals(1.0, reduceValues(DataType.FLOAT8_E5M2, ReduceOp.SUM, 1.0, 0.125));
        assertEquals(0x1p-8, reduceValues(DataType.FLOAT8_E4M3, ReduceOp.SUM, 0x1p-9, 0x1p-9));
        assertEquals(0x1p-16, reduceValues(DataType.FLOAT8_E5M2, ReduceOp.PROD, 0x1p-8, 0x1p-8));
        assertEquals(0.0, reduceValues(DataType.FLOAT8_E5M2, ReduceOp.PROD, 0x1p-8, 0x1p-9));
    }

    @Test
    void allReduce_floatMaxAndMin_returnTheOtherOperandOfANaN() {
        assertEquals(0x3c00L, reduceBits(DataType.FLOAT16, ReduceOp.MAX, 0x7e00, 0x3c00));
        assertEquals(0x3c00L, reduceBits(DataType.FLOAT16, ReduceOp.MIN, 0x3c00, 0x7e00));
        assertEquals(0x7fffL, reduceBits(DataType.FLOAT16, ReduceOp.MAX, 0x7e00, 0x7d00)); // both: canonical NaN
        assertEquals(0xc0L, reduceBits(DataType.FLOAT8_E4M3, ReduceOp.MAX, 0x7f, 0xc0));
    }

    @Test
    void allReduce_e5m2MaxOfInfinity_saturatesWhenNarrowedFromHalf() {
        assertEquals(0x7bL, reduceBits(DataType.FLOAT8_E5M2, ReduceOp.MAX, 0x7c, 0x3c));
    }

    @Test
    void allReduce_floatAverage_premultipliesByTheRoundedReciprocal() {
        assertEquals(3.0, reduceValues(DataType.FLOAT16, ReduceOp.AVG, 1, 2, 3, 6));
        assertEquals(MiniFloat.FLOAT16.decode(0x3555), HostReduction.averageScale(DataType.FLOAT16, 3));
        // 5 * RN16(1/3) = 1.66625977 rounds to 1.66601562 (0x3eaa); 5/3 itself would round to 0x3eab.
        assertEquals(0x3eaaL, reduceBits(DataType.FLOAT16, ReduceOp.AVG, 0x4500, 0, 0));
        assertEquals(0.34375, HostReduction.averageScale(DataType.FLOAT8_E4M3, 3));
        assertEquals(0.3125, HostReduction.averageScale(DataType.FLOAT8_E5M2, 3));
        assertEquals((double) (float) (1.0 / 3), HostReduction.averageScale(DataType.FLOAT32, 3));
    }

    @Test
    void allReduce_ofOneRank_copiesEvenNaNs() {
        byte[] input = Elements.bits(DataType.FLOAT32, 0x7fa0_0001L, 0xff80_0000L);
        assertArrayEquals(input, HostReduction.allReduce(DataType.FLOAT32, ReduceOp.SUM, List.of(input), 2));
    }

    @Test
    void allReduce_floatAverageOfOneRank_stillPremultiplies() {
        // ncclLaunchOneRank runs the premultiply kernel for ncclAvg: e5m2 infinity goes through half and saturates.
        assertEquals(0x7bL, reduceBits(DataType.FLOAT8_E5M2, ReduceOp.AVG, 0x7c));
        assertEquals(0x3c00L, reduceBits(DataType.FLOAT16, ReduceOp.AVG, 0x3c00));
    }

    @Test
    void reduceInto_leavesTheBytesBeyondTheCountAlone() {
        byte[] out = Elements.bits(DataType.INT32, 7, 7, 7);
        HostReduction.reduceInto(DataType.INT32, ReduceOp.SUM,
                List.of(Elements.bits(DataType.INT32, 1, 2, 3), Elements.bits(DataType.INT32, 10, 20, 30)), 2, out);
        assertArrayEquals(new long[] {11, 22, 7}, Elements.read(DataType.INT32, out));
    }
}
