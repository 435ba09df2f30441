package io.ncclffm.harness.semantics;

import java.util.ArrayList;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * Every rank's allReduce input. Two demands shape it:
 * <ol>
 *   <li>Discrimination: a binding that passes another type or operator code, a count one short, or never gets
 *       NCCL to write the output, must see a wrong result on at least one rank, even with a single element.
 *       Element 0 is a designed anchor per type and operator ({@link IntegerAnchors}, {@link FloatAnchors}); the
 *       last element repeats it with the ranks rotated by one, so two elements still differ pairwise; max and min
 *       rotate their winning rank from element to element ({@link Ranking}). {@code WrongMappings} (in the tests) is the proof,
 *       run by the tests for every cell.</li>
 *   <li>Exactness: NCCL reduces in an order of its own (ring, tree, NVLS), so float inputs are chosen to make
 *       every partial result exact ({@link FloatPattern}); the expected result then cannot depend on the order.</li>
 * </ol>
 * Inputs are pure functions of (type, operator, world, rank, count), so every rank of the worker computes every
 * other rank's input, and the expected result, without communicating; a failure reproduces from its check id.
 * Float inputs are never NaN, infinite or -0.0.
 */
public final class InputPattern {
    /**
     * The largest world the constructions are sized for (one node's GPUs): e5m2 holds the integers up to 8
     * exactly, which bounds exact sums of one unit per rank, and max/min rank at most 8 distinct levels.
     */
    public static final int MAX_WORLD = 8;

    private InputPattern() {
    }

    /**
     * Rank {@code rank}'s input, {@code count} elements. Ranks differ wherever the bulk has room to vary (the
     * anchors of some cells repeat a value across ranks, as e4m3 has only two values below -384, say).
     */
    public static byte[] forRank(DataType t, ReduceOp op, int world, int rank, int count) {
        if (t == DataType.UNKNOWN || op == ReduceOp.UNKNOWN) throw new IllegalArgumentException(t + " " + op);
        if (world < 1 || world > MAX_WORLD || rank < 0 || rank >= world) {
            throw new IllegalArgumentException("rank " + rank + " of " + world + "; worlds of 1 to " + MAX_WORLD);
        }
        byte[] input = new byte[Math.multiplyExact(count, t.size())];
        long cell = ElementHash.cell(t, op, world);
        for (int i = 0; i < count; i++) {
            long element = ElementHash.element(cell, i);
            ElementCodec.putBits(t, input, i, elementBits(t, op, world, rank, i, count, element));
        }
        return input;
    }

    /** Every rank's input, as each rank of the worker generates them to compute the expected result. */
    public static List<byte[]> forAllRanks(DataType t, ReduceOp op, int world, int count) {
        List<byte[]> inputs = new ArrayList<>(world);
        for (int rank = 0; rank < world; rank++) inputs.add(forRank(t, op, world, rank, count));
        return inputs;
    }

    /**
     * One element's bytes that out-of-place outputs are filled with before the call: a NaN for float types, which
     * no expected result is, and {@code 0xa5} repeated for integers, which the pattern keeps out of the first and
     * last expected element.
     */
    public static byte[] sentinel(DataType t) {
        return sentinelFilled(t, 1);
    }

    public static byte[] sentinelFilled(DataType t, int count) {
        byte[] filled = new byte[Math.multiplyExact(count, t.size())];
        long bits = sentinelBits(t);
        for (int i = 0; i < count; i++) ElementCodec.putBits(t, filled, i, bits);
        return filled;
    }

    static long sentinelBits(DataType t) {
        return switch (t) {
            case FLOAT16 -> 0x7d5aL;
            case BFLOAT16 -> 0x7fa5L;
            case FLOAT32 -> 0x7fa5_a5a5L;
            case FLOAT64 -> 0x7ff5_a5a5_a5a5_a5a5L;
            case FLOAT8_E4M3 -> 0xffL;
            case FLOAT8_E5M2 -> 0xfdL;
            default -> 0xa5a5_a5a5_a5a5_a5a5L;
        };
    }

    /**
     * Element 0 is the designed anchor; the last element is the anchor rotated by one rank, so that a count of two
     * still has distinct pairs per rank; everything between comes from the bulk generators. A world of one has no
     * anchors (nothing but unwritten bytes can be seen there) and only bytes that no float reading takes for NaN or
     * infinity, so that its outcome does not hinge on how a device rewrites those.
     */
    private static long elementBits(DataType t, ReduceOp op, int world, int rank, int i, int count, long element) {
        if (world > 1 && (i == 0 || i == count - 1)) {
            int anchorRank = i == 0 ? rank : (rank + 1) % world;
            return t.isFloatingPoint()
                    ? ElementCodec.encode(t, FloatAnchors.value(t, op, world, anchorRank), false)
                    : IntegerAnchors.value(t, op, world, anchorRank) & mask(t);
        }
        for (long attempt = 0; ; attempt++) {
            long e = attempt == 0 ? element : ElementHash.mix(element + attempt);
            long bits = bulkBits(t, op, world, rank, i, e);
            if (world > 1 || (isTame(bits, t.size()) && bits != (sentinelBits(t) & mask(t)))) return bits;
        }
    }

    private static long bulkBits(DataType t, ReduceOp op, int world, int rank, int i, long element) {
        if (t.isFloatingPoint()) {
            return ElementCodec.encode(t, FloatPattern.bulk(t, op, world, rank, i, element), false);
        }
        long h = ElementHash.rank(element, rank) & mask(t);
        return switch (op) {
            case PROD -> h | 1;
            case MAX, MIN -> ranked(t, op, world, Ranking.level(world, rank, i), element, h);
            default -> h;
        };
    }

    /**
     * The top three bits place the value at its {@link Ranking} level in the type's own order (signed or not),
     * starting from a per-element offset so that signed elements often straddle zero; the rest is random.
     */
    private static long ranked(DataType t, ReduceOp op, int world, int level, long element, long h) {
        int width = 8 * t.size();
        boolean signed = t.kind() == DataType.Kind.SIGNED;
        int lowest = signed ? -4 : 0;
        int start = op == ReduceOp.MAX ? ElementHash.between(element, lowest + world - 1, lowest + 7)
                : ElementHash.between(element, lowest, lowest + 8 - world);
        long top3 = (op == ReduceOp.MAX ? start - level : start + level) & 7;
        return (top3 << (width - 3) | h & (mask(t) >>> 3)) & mask(t);
    }

    /** No byte has bits 6..2 all set: then no aligned reading as any float type is NaN or infinite. */
    private static boolean isTame(long bits, int size) {
        for (int b = 0; b < size; b++) {
            if ((bits >>> (8 * b) & 0x7c) == 0x7c) return false;
        }
        return true;
    }

    private static long mask(DataType t) {
        return t.size() == 8 ? -1L : (1L << (8 * t.size())) - 1;
    }
}
