package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;

/**
 * The GPU's conventions where IEEE leaves a choice: which operand {@code fmaxf}/{@code __hmax} return, and which
 * NaN an operation writes. Correct results never touch them (the inputs contain no NaN and no infinity); they
 * decide what a mutant simulation writes when a buggy binding makes NCCL read bytes under the wrong type.
 */
final class DeviceFloat {

    private DeviceFloat() {
    }

    /** {@code fmax}: a NaN operand yields the other operand; +0 is taken as greater than -0. */
    static double max(double a, double b) {
        if (Double.isNaN(a)) return b;
        if (Double.isNaN(b)) return a;
        return a > b || (a == b && !isNegativeZero(a)) ? a : b;
    }

    /** {@code fmin}: a NaN operand yields the other operand; -0 is taken as less than +0. */
    static double min(double a, double b) {
        if (Double.isNaN(a)) return b;
        if (Double.isNaN(b)) return a;
        return a < b || (a == b && isNegativeZero(a)) ? a : b;
    }

    /** The bits of a value already rounded to {@code t}; NaN becomes the type's canonical NaN (all ones but sign). */
    static long encode(DataType t, double rounded) {
        if (Double.isNaN(rounded)) return canonicalNaN(t);
        return ElementCodec.encode(t, rounded, false);
    }

    static long canonicalNaN(DataType t) {
        return switch (t) {
            case FLOAT32 -> 0x7fff_ffffL;
            case FLOAT64 -> 0x7fff_ffff_ffff_ffffL;
            default -> ElementCodec.miniFloat(t).canonicalNaN();
        };
    }

    private static boolean isNegativeZero(double v) {
        return v == 0 && Double.doubleToRawLongBits(v) != 0;
    }
}
