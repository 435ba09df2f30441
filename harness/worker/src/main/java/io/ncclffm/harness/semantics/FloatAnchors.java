package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * The first element of a float input, designed so that on its own (a count of one) it tells the intended type and
 * operator apart from every other one a binding could pass. Each recipe names the confusion it is there for;
 * {@code WrongMappingsTest} checks them all. A value per rank, the last one repeated beyond a table's end.
 */
final class FloatAnchors {

    private FloatAnchors() {
    }

    static double value(DataType t, ReduceOp op, int world, int rank) {
        return switch (op) {
            case SUM -> sum(rank) * richOdd(t);
            case AVG -> Integer.bitCount(world) == 1 ? sum(rank) * richOdd(t) : rank == 0 ? richOdd(t) : 0.0;
            case PROD -> product(t, rank);
            case MAX -> max(t, rank);
            case MIN -> min(t, rank);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /**
     * {@code -2, 3, 1, -1, 1, -1, ...} halved: every partial sum is a multiple of 1/2 within 4 of zero, exact even
     * in e5m2 whatever the order; sum, product, maximum, minimum and average all differ for every world from 2
     * to 8 (a small search over such vectors found this one).
     */
    private static double sum(int rank) {
        return switch (rank) {
            case 0 -> -1.0;
            case 1 -> 1.5;
            default -> rank % 2 == 0 ? 0.5 : -0.5;
        };
    }

    /**
     * An odd integer of {@code precision - 2} bits with alternating bits: scaling the anchor by it keeps every
     * partial sum exact (they stay within 4 of zero before scaling) while filling the significand down to its low
     * byte. Without it the low byte of a float16 is zero and float16 read as e5m2 sums to the same bytes (the high
     * byte of a float16 is an e5m2); likewise float32 read as bfloat16.
     */
    private static double richOdd(DataType t) {
        int bits = FloatRange.of(t).precision() - 2;
        return (double) ((0x5555_5555_5555_5555L >>> (64 - bits)) | 1);
    }

    /**
     * {@code 2m, -2, 2, 2, ...} with {@code m = 1.5 + 2^-(p-1)}: the product stays exact and finite up to 8 ranks
     * in every type, and {@code m}'s last significand bit lands in the low byte or half, which a product read as a
     * narrower float type would otherwise reproduce exactly (float16 as e5m2, float32 as bfloat16).
     */
    private static double product(DataType t, int rank) {
        double m = 1.5 + Math.scalb(1.0, 1 - FloatRange.of(t).precision());
        return switch (rank) {
            case 0 -> 2 * m;
            case 1 -> -2.0;
            default -> 2.0;
        };
    }

    /**
     * Rank 0 holds the maximum. Readings as an integer type of the same width order negative floats backwards, so
     * where those exist (8, 32, 64 bits) the values are negative. A narrower reading compares low bytes or halves
     * on their own, so rank 1's low part beats rank 0's in every one of them ({@code 0x3c..} against zeros).
     * bfloat16's maximum {@code 0x7c40} (1.5 * 2^121) is NaN as a float16, which a float16 reading skips; rank 1
     * is large enough not to vanish in a sum with it. e4m3's maximum -384 is -inf as e5m2 (narrowed to -57344)
     * and -448 and -416 are NaN there, so e5m2 picks another value.
     */
    private static double max(DataType t, int rank) {
        return switch (t) {
            case BFLOAT16 -> bits(t, new long[] {0x7c40, 0xfb60, 0xfa20, 0xf910}, rank);
            case FLOAT16 -> bits(t, new long[] {0x4000, 0x3c3c, 0xb800, 0xbc00}, rank);
            case FLOAT8_E4M3 -> bits(t, new long[] {0xfc, 0xfe, 0xfd}, rank);
            case FLOAT8_E5M2 -> bits(t, new long[] {0xc0, 0xc2, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9}, rank);
            case FLOAT32 -> bits(t, new long[] {0xbf80_0000L, 0xc000_3c3cL, 0xc040_0000L}, rank);
            case FLOAT64 -> bits(t, new long[] {0xbff0_0000_0000_0000L, 0xc000_0000_3c3c_3c3cL,
                    0xc008_0000_0000_0000L}, rank);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /**
     * The mirror of {@link #max}: rank 0 holds the minimum, with the larger low part, so that every narrower
     * reading prefers rank 1's zeros. bfloat16's minimum {@code 0xfc40} is NaN as a float16; e4m3's -416 is NaN
     * as e5m2, and the other ranks stay small enough that no sum saturates back to it.
     */
    private static double min(DataType t, int rank) {
        return switch (t) {
            case BFLOAT16 -> bits(t, new long[] {0xfc40, 0x7b00, 0x7a00, 0x3f80}, rank);
            case FLOAT16 -> bits(t, new long[] {0xc03c, 0xbc00, 0x3800, 0x3c00}, rank);
            case FLOAT8_E4M3 -> bits(t, new long[] {0xfd, 0xd8, 0xdc, 0xda, 0xde, 0xd9, 0xdb, 0xdd}, rank);
            case FLOAT8_E5M2 -> bits(t, new long[] {0xc2, 0xc0, 0xbc, 0xbe, 0xb8, 0xba, 0xb4, 0xb6}, rank);
            case FLOAT32 -> bits(t, new long[] {0xc000_3c3cL, 0xbf80_0000L, 0xbf00_0000L}, rank);
            case FLOAT64 -> bits(t, new long[] {0xc000_0000_3c3c_3c3cL, 0xbff0_0000_0000_0000L,
                    0xbfe0_0000_0000_0000L}, rank);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /** Entry {@code rank}, the last entry repeated for ranks beyond the table. */
    private static double bits(DataType t, long[] table, int rank) {
        return ElementCodec.value(t, table[Math.min(rank, table.length - 1)]);
    }
}
