package io.ncclffm.harness.semantics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Mismatch;

class ResultComparisonTest {

    @Test
    void firstMismatches_listsDifferingElementsInOrderUpToTheLimit() {
        byte[] expected = Elements.bits(DataType.INT8, 1, 2, 3, 4, 5);
        byte[] got = Elements.bits(DataType.INT8, 1, 0xc8, 3, 0, 0);
        List<Mismatch> found = ResultComparison.firstMismatches(DataType.INT8, ReduceOp.SUM, 2, got, expected, 2);
        assertEquals(List.of(new Mismatch(1, "-56 (0xc8)", "2 (0x02)"), new Mismatch(3, "0 (0x00)", "4 (0x04)")),
                found);
    }

    @Test
    void firstMismatches_ofEqualBuffers_isEmpty() {
        byte[] expected = Elements.bits(DataType.FLOAT64, 1, 2, 3);
        assertTrue(ResultComparison.firstMismatches(DataType.FLOAT64, ReduceOp.AVG, 3, expected.clone(), expected, 10)
                .isEmpty());
    }

    @Test
    void tolerance_appliesOnlyToFloatAveragesOverWorldsThatAreNotPowersOfTwo() {
        assertEquals(3, ResultComparison.toleranceUlps(DataType.FLOAT16, ReduceOp.AVG, 3));
        assertEquals(7, ResultComparison.toleranceUlps(DataType.FLOAT8_E5M2, ReduceOp.AVG, 7));
        assertEquals(0, ResultComparison.toleranceUlps(DataType.FLOAT16, ReduceOp.AVG, 4));
        assertEquals(0, ResultComparison.toleranceUlps(DataType.FLOAT16, ReduceOp.SUM, 3));
        assertEquals(0, ResultComparison.toleranceUlps(DataType.INT32, ReduceOp.AVG, 3));
        assertEquals(0, ResultComparison.toleranceUlps(DataType.FLOAT32, ReduceOp.AVG, 1));
    }

    @Test
    void floatAverageOverThreeRanks_acceptsThreeStepsAndNoMore() {
        byte[] expected = Elements.bits(DataType.FLOAT16, 0x3c00, 0x0001);
        assertTrue(ResultComparison.matches(DataType.FLOAT16, ReduceOp.AVG, 3,
                Elements.bits(DataType.FLOAT16, 0x3c03, 0x8002), expected)); // 3 steps; across zero, 3 steps
        assertEquals(List.of(new Mismatch(0, "1.00390625 (0x3c04)", "1.0 (0x3c00)")),
                ResultComparison.firstMismatches(DataType.FLOAT16, ReduceOp.AVG, 3,
                        Elements.bits(DataType.FLOAT16, 0x3c04, 0x0001), expected, 10));
        assertTrue(!ResultComparison.matches(DataType.FLOAT16, ReduceOp.AVG, 4,
                Elements.bits(DataType.FLOAT16, 0x3c01, 0x0001), expected)); // four ranks: exact
    }

    @Test
    void tolerance_neverAcceptsNaNOrInfinity() {
        byte[] expected = Elements.bits(DataType.FLOAT8_E5M2, 0x7b);
        assertTrue(!ResultComparison.matches(DataType.FLOAT8_E5M2, ReduceOp.AVG, 3,
                Elements.bits(DataType.FLOAT8_E5M2, 0x7c), expected));
        assertTrue(!ResultComparison.matches(DataType.FLOAT8_E5M2, ReduceOp.AVG, 3,
                Elements.bits(DataType.FLOAT8_E5M2, 0x7d), expected));
    }

    @Test
    void buffersOfDifferentLengths_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> ResultComparison.firstMismatches(DataType.INT32,
                ReduceOp.SUM, 2, new byte[4], new byte[8], 1));
    }
}
