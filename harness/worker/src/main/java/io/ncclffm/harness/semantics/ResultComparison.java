package io.ncclffm.harness.semantics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Mismatch;

/**
 * Compares a rank's output with {@link HostReduction}'s, bit for bit. A binding cannot make NCCL compute a little
 * wrong, only wholly wrong (another type, operator, count or buffer), so exactness costs nothing in false alarms
 * and keeps every mapping mistake visible.
 *
 * <p>One documented exception: a float {@code ncclAvg} over a world that is not a power of two. {@code 1/n} is
 * then inexact, and NCCL releases differ in where they apply it (premultiplying each contribution, or scaling the
 * sum), so {@link #toleranceUlps} allows {@code world} units in the last place there, counted as representable
 * steps between the two values. The inputs
 * {@link InputPattern} makes for that case have at most two non-zero contributions per element, which makes both
 * formulas and every summation order agree exactly; the tolerance only absorbs formulas not modelled here. The
 * discrimination tests compare through this class, so they prove that no mapping mistake hides inside it.
 */
public final class ResultComparison {

    private ResultComparison() {
    }

    /** Units in the last place allowed between device and model: {@code world} for the case above, else 0. */
    public static int toleranceUlps(DataType t, ReduceOp op, int world) {
        boolean powerOfTwo = Integer.bitCount(world) == 1;
        return t.isFloatingPoint() && op == ReduceOp.AVG && !powerOfTwo ? world : 0;
    }

    /** Whether {@code got} is an acceptable output for {@code expected}. */
    public static boolean matches(DataType t, ReduceOp op, int world, byte[] got, byte[] expected) {
        return firstMismatches(t, op, world, got, expected, 1).isEmpty();
    }

    /**
     * Up to {@code limit} differing elements, in index order, each formatted as number and bits for the report.
     * Both buffers must hold the same number of elements.
     */
    public static List<Mismatch> firstMismatches(DataType t, ReduceOp op, int world, byte[] got, byte[] expected,
                                                 int limit) {
        if (got.length != expected.length) {
            throw new IllegalArgumentException("got " + got.length + " bytes, expected " + expected.length);
        }
        int size = t.size();
        int tolerance = toleranceUlps(t, op, world);
        List<Mismatch> found = new ArrayList<>();
        int from = 0;
        while (found.size() < limit) {
            int at = Arrays.mismatch(got, from, got.length, expected, from, expected.length);
            if (at < 0) break;
            int i = (from + at) / size;
            long g = ElementCodec.bits(t, got, i);
            long e = ElementCodec.bits(t, expected, i);
            if (!withinTolerance(t, g, e, tolerance)) {
                found.add(new Mismatch(i, ElementCodec.format(t, g), ElementCodec.format(t, e)));
            }
            from = (i + 1) * size;
        }
        return found;
    }

    /**
     * Distance in representable steps: the bits read as sign and magnitude, mapped to one ordered integer line, so
     * that neighbours differ by one across binades and across zero.
     */
    private static boolean withinTolerance(DataType t, long got, long expected, int ulps) {
        if (ulps == 0) return got == expected;
        if (!Double.isFinite(ElementCodec.value(t, got)) || !Double.isFinite(ElementCodec.value(t, expected))) {
            return false;
        }
        return Math.abs(ordered(t, got) - ordered(t, expected)) <= ulps;
    }

    private static long ordered(DataType t, long bits) {
        int width = 8 * t.size();
        long sign = width == 64 ? Long.MIN_VALUE : 1L << (width - 1);
        long magnitude = bits & ~sign & (width == 64 ? -1L : (1L << width) - 1);
        return (bits & sign) != 0 ? -magnitude : magnitude;
    }
}
