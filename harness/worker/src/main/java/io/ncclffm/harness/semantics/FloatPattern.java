package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * The bulk of a float input: values whose every partial result is exact, so that NCCL's reduction order (ring,
 * tree, NVLS with wider accumulators) cannot change a bit of the result.
 * <ul>
 *   <li>max and min: distinct values ranked by {@link Ranking}, exact by construction;</li>
 *   <li>sum and average over a power-of-two world: {@code k * 2^e} with one exponent per element and
 *       {@code |k| <= 2^precision / world}, so every partial sum is an integer multiple of {@code 2^e} that fits the
 *       significand, and dividing by the world only shifts the exponent;</li>
 *   <li>product: {@code +-2^e} per rank, one rank's with a factor {@code m} of full precision, the exponents
 *       bounded so that no partial product leaves the normal range;</li>
 *   <li>average over other worlds: at most two non-zero contributions, equal or opposite, so that
 *       {@code RN(a/n) + RN(a/n)} and {@code RN((a + a)/n)} agree in every order.</li>
 * </ul>
 */
final class FloatPattern {

    private FloatPattern() {
    }

    static double bulk(DataType t, ReduceOp op, int world, int rank, int i, long element) {
        FloatRange range = FloatRange.of(t);
        long h = ElementHash.rank(element, rank);
        return switch (op) {
            case PROD -> product(range, world, rank, element, h);
            case AVG -> Integer.bitCount(world) == 1 ? scaledInteger(range, world, element, h)
                    : sparse(range, world, rank, element);
            case MAX, MIN -> ranked(range, op, world, Ranking.level(world, rank, i), element);
            default -> scaledInteger(range, world, element, h);
        };
    }

    /**
     * {@code (b -+ level) * c * 2^e}: distinct per rank, ordered by {@link Ranking}, with an odd multiplier
     * {@code c} that fills the significand and a base {@code b} that often puts the element across zero.
     */
    private static double ranked(FloatRange range, ReduceOp op, int world, int level, long element) {
        int span = spanOf(range);
        int e = ElementHash.between(element, Math.max(-span, range.minSubnormalExponent()),
                Math.min(span, range.maxExponent() - range.precision()));
        long c = 2 * Long.remainderUnsigned(element >>> 7, 1L << Math.max(0, range.precision() - 4)) + 1;
        int b = op == ReduceOp.MAX ? ElementHash.between(element << 17, world - 9, 8)
                : ElementHash.between(element << 17, -8, 9 - world);
        int v = op == ReduceOp.MAX ? b - level : b + level;
        return Math.scalb((double) v * c, e);
    }

    /** {@code k * 2^e}: {@code e} shared by the element, {@code k} the rank's. */
    private static double scaledInteger(FloatRange range, int world, long element, long h) {
        int log2World = 31 - Integer.numberOfLeadingZeros(world);
        int span = spanOf(range);
        int lo = Math.max(-span, range.minSubnormalExponent() + log2World);
        int hi = Math.min(span, range.maxExponent() - range.precision());
        int e = ElementHash.between(element, lo, hi);
        long limit = range.exactIntegerPerRank(world);
        long k = 1 + Long.remainderUnsigned(h >>> 1, limit);
        return Math.scalb((double) ((h & 1) == 0 ? k : -k), e);
    }

    private static double product(FloatRange range, int world, int rank, long element, long h) {
        int d = Math.min(range.exponentSpreadPerRank(world), 6);
        int e = ElementHash.between(h, -d, d);
        double m = rank == Long.remainderUnsigned(element, world) ? significand(range, element) : 1.0;
        return Math.scalb((h & 1) == 0 ? m : -m, e);
    }

    /**
     * {@code 1 + j * 2^-(precision-1)} for an odd {@code j} up to three quarters of the range: it uses the last
     * significand bit and stays at most 1.75, which e4m3's top binade still holds.
     */
    private static double significand(FloatRange range, long element) {
        int fractionBits = Math.min(range.precision() - 1, 52);
        long odd = 2 * Long.remainderUnsigned(element >>> 11, Math.max(1, (3L << fractionBits) >> 3)) + 1;
        return 1 + Math.scalb((double) odd, -fractionBits);
    }

    /** One or two non-zero contributions (equal, or opposite) and zeros elsewhere. */
    private static double sparse(FloatRange range, int world, int rank, long element) {
        int first = (int) Long.remainderUnsigned(element >>> 8, world);
        int second = (first + 1 + (int) Long.remainderUnsigned(element >>> 24, world - 1)) % world;
        int mode = (int) ((element >>> 40) & 3); // 0: one value, 1 and 2: two equal, 3: two opposite
        if (rank != first && (rank != second || mode == 0)) return 0.0;
        int lo = range.minNormalExponent() + 3;
        int hi = range.maxExponent() - range.precision() - 1;
        int span = spanOf(range);
        int e = ElementHash.between(element, Math.max(lo, -span), Math.min(hi, span));
        long k = 1 + Long.remainderUnsigned(element >>> 3, (1L << Math.min(range.precision(), 40)) - 1);
        double a = Math.scalb((double) ((element & 1) == 0 ? k : -k), e);
        return rank == second && mode == 3 ? -a : a;
    }

    private static int spanOf(FloatRange range) {
        return range.precision() >= 53 ? 60 : range.precision() >= 24 ? 30 : 8;
    }
}
