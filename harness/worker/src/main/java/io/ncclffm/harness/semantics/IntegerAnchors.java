package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * The first element of an integer input, designed so that on its own (a count of one) it tells the intended type
 * and operator apart from every other one a binding could pass. Values are built per width: {@code top} is the sign
 * bit, {@code all} every bit; "narrower readings" are the same bytes taken as a smaller type, which is what NCCL
 * does when a binding passes a smaller type's code.
 */
final class IntegerAnchors {
    private static final long POSITIVE_BYTES = 0x7f7f_7f7f_7f7f_7f7fL;
    private static final long NEGATIVE_BYTES = 0x8080_8080_8080_8080L;

    private IntegerAnchors() {
    }

    static long value(DataType t, ReduceOp op, int world, int rank) {
        if (op == ReduceOp.AVG) return average(t, world, rank);
        int width = 8 * t.size();
        long all = width == 64 ? -1L : (1L << width) - 1;
        long top = 1L << (width - 1);
        boolean signed = t.kind() == DataType.Kind.SIGNED;
        if (rank == 0) return first(op, signed, width, all, top);
        long middle = middle(width, rank); // bits 8 to width - 2
        long lowByte = 0x10L * rank; // 0x10..0x70: distinct per rank, positive as int8
        return switch (op) {
            // Rank 0 holds -1, so the sum carries through every byte the others leave zero, and past the top.
            case SUM -> middle | lowByte | 0x1;
            case PROD -> middle | lowByte | 0x3;
            // Rank 0 holds the winner, a NaN in the float type of the same width, so a float reading ignores it.
            // The others sit across the sign bit, so that the other signedness picks one of them, and their bytes
            // beat rank 0's in every narrower reading: positive bytes against rank 0's 0xff for max, negative ones
            // against its 0xff or 0x7f for min.
            case MAX -> signed
                    ? width == 8 ? top | lowByte : top | (middle & POSITIVE_BYTES) | lowByte
                    : width == 8 ? lowByte : (middle & POSITIVE_BYTES) | lowByte;
            case MIN -> signed
                    ? width == 8 ? lowByte : (middle | NEGATIVE_BYTES) & (all >>> 1) | lowByte | 0x80
                    : top | middle | NEGATIVE_BYTES & all | lowByte;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private static long first(ReduceOp op, boolean signed, int width, long all, long top) {
        long maxSigned = all ^ top;
        return switch (op) {
            case SUM, PROD -> all;
            // The signed maximum 0x7f..f is NaN as a float of its width; so is 0xff for 8 bits, and the sign plus
            // exponent field over a small payload for 32 and 64 bits, which leaves lower bytes for others to beat.
            case MAX -> signed ? maxSigned : switch (width) {
                case 8 -> all;
                case 32 -> 0xff80_0081L;
                default -> 0xfff0_0000_0000_0081L;
            };
            case MIN -> signed ? all : maxSigned;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /**
     * Rich values on ranks 1 and up, and on rank 0 whatever makes the wrapped sum a chosen target with its sign bit
     * set, where signed and unsigned averages differ. The target moves up until the average equals neither an
     * input (so it differs from the maximum, the minimum and every rank's own input) nor the product, and, for 32
     * bits, until the same pairs of elements read as one 64-bit integer (a count of two) leave a remainder in their
     * high word: the wide division then carries it into the low word, which the 32-bit average never does.
     */
    private static long average(DataType t, int world, int rank) {
        int width = 8 * t.size();
        long all = width == 64 ? -1L : (1L << width) - 1;
        long top = 1L << (width - 1);
        if (rank > 0) return (middle(width, rank) | 0x10L * rank | 0x7) & all;
        long others = 0;
        for (int r = 1; r < world; r++) others += average(t, world, r);
        boolean signed = t.kind() == DataType.Kind.SIGNED;
        long target = top | (middle(width, 0) & all & ~top) | 0xa5;
        while (world > 1 && (!averageStandsOut(t, target, others, world)
                || width == 32 && !leavesWideRemainder(target, others, world, signed))) {
            target++;
        }
        return (target - others) & all;
    }

    private static boolean averageStandsOut(DataType t, long target, long others, int world) {
        int width = 8 * t.size();
        long all = width == 64 ? -1L : (1L << width) - 1;
        int shift = 64 - width;
        long sum = target & all;
        long average = (t.kind() == DataType.Kind.SIGNED
                ? ((sum << shift) >> shift) / world : Long.divideUnsigned(sum, world)) & all;
        long first = (target - others) & all;
        long product = first;
        boolean standsOut = average != first;
        for (int r = 1; r < world; r++) {
            long v = average(t, world, r);
            product = product * v & all;
            standsOut &= average != v;
        }
        return standsOut && average != product;
    }

    /**
     * Whether the 64-bit reading of two elements that each sum to {@code target} (with the carries out of the low
     * word) has a high word, or for a signed type the high word of the negative sum's magnitude, that the world
     * does not divide. The reading of the other signedness differs anyway, as it divides a different number.
     */
    private static boolean leavesWideRemainder(long target, long others, int world, boolean signed) {
        long first = (target - others) & 0xffff_ffffL;
        long carries = (others + first) >>> 32;
        long high = (target + carries) & 0xffff_ffffL;
        return (signed ? 0xffff_ffffL - high : high) % world != 0;
    }

    /** Pseudo-random bits between the low byte and the sign, the same for every cell of a width. */
    private static long middle(int width, int rank) {
        long all = width == 64 ? -1L : (1L << width) - 1;
        return ElementHash.mix(rank * 0x1f1fL + width) & (all >>> 1) & ~0xffL;
    }
}
