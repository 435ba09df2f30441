package io.ncclffm.harness.semantics;

/**
 * The floating-point formats narrower than {@code float} that NCCL reduces: IEEE binary16, bfloat16 and the two
 * OCP fp8 formats. Java has no arithmetic in them, so the host model computes in {@code double} (exact for one
 * operation on two such values) and rounds once through {@link #encode}; that is bit-identical to the device's
 * round-to-nearest-even instructions, which is the whole point of modelling NCCL bit-exactly.
 *
 * <p>{@link #E4M3} is the "fn" variant CUDA's {@code __nv_fp8_e4m3} uses: no infinities, {@code S.1111.111} is
 * NaN, so the top binade stops at 448. {@link #E5M2} is IEEE-like, with infinities.
 */
public enum MiniFloat {
    FLOAT16(5, 10, true),
    BFLOAT16(8, 7, true),
    E4M3(4, 3, false),
    E5M2(5, 2, true);

    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final boolean hasInfinity;
    private final int maxExponent;
    private final double maxFinite;
    private final int maxFiniteBits;
    private final double[] values;
    private final byte[] fromHalf;
    private final byte[] fromHalfSaturating;

    MiniFloat(int exponentBits, int mantissaBits, boolean hasInfinity) {
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = (1 << (exponentBits - 1)) - 1;
        this.hasInfinity = hasInfinity;
        int topBiased = (1 << exponentBits) - 1;
        // IEEE-like formats reserve the all-ones exponent; e4m3fn only reserves the all-ones mantissa within it.
        int maxBiased = hasInfinity ? topBiased - 1 : topBiased;
        int maxMantissa = hasInfinity ? (1 << mantissaBits) - 1 : (1 << mantissaBits) - 2;
        this.maxExponent = maxBiased - bias;
        this.maxFinite = Math.scalb(1.0 + maxMantissa / (double) (1 << mantissaBits), maxExponent);
        this.maxFiniteBits = (maxBiased << mantissaBits) | maxMantissa;
        this.values = new double[1 << (1 + exponentBits + mantissaBits)];
        for (int bits = 0; bits < values.length; bits++) values[bits] = decodeSlowly(bits);
        boolean narrow = width() == 8;
        this.fromHalf = narrow ? new byte[1 << 16] : null;
        this.fromHalfSaturating = narrow ? new byte[1 << 16] : null;
        for (int half = 0; narrow && half < 1 << 16; half++) {
            double h = Float.float16ToFloat((short) half);
            fromHalf[half] = (byte) (Double.isNaN(h) ? canonicalNaN() : encodeSlowly(h, false));
            fromHalfSaturating[half] = (byte) (Double.isNaN(h) ? canonicalNaN() : encodeSlowly(h, true));
        }
    }

    /** Bits per encoding: 16 or 8. */
    public int width() {
        return 1 + exponentBits + mantissaBits;
    }

    /** Significant bits including the implicit one; integers up to {@code 2^precision} are exact. */
    public int precision() {
        return mantissaBits + 1;
    }

    /** Exponent of the top binade (15 for float16, 8 for e4m3). */
    public int maxExponent() {
        return maxExponent;
    }

    /** Exponent of the smallest normal number. */
    public int minNormalExponent() {
        return 1 - bias;
    }

    /** Exponent of the smallest subnormal number, the format's finest quantum. */
    public int minSubnormalExponent() {
        return 1 - bias - mantissaBits;
    }

    public double maxFinite() {
        return maxFinite;
    }

    /**
     * The NaN the device writes when an operation has no number to return. Only mutant simulations ever see one;
     * the inputs are chosen so that the correct result never is NaN.
     */
    public int canonicalNaN() {
        return (1 << (width() - 1)) - 1;
    }

    public boolean isNaN(int bits) {
        return Double.isNaN(values[bits & (values.length - 1)]);
    }

    /** The exact value of an encoding. */
    public double decode(int bits) {
        return values[bits & (values.length - 1)];
    }

    /**
     * Rounds to nearest, ties to even. Beyond the largest finite value the result is the largest finite value when
     * {@code saturate} (CUDA's {@code __NV_SATFINITE}, what NCCL's fp8 reductions use), otherwise infinity, or
     * NaN for e4m3, which has no infinity ({@code __NV_NOSAT}).
     */
    public int encode(double v, boolean saturate) {
        if (Double.isNaN(v)) return canonicalNaN();
        float f = (float) v;
        if (f == v && width() == 16) {
            // Nothing was rounded yet, so the JDK's float conversions (intrinsics) round once, as required.
            int bits = this == FLOAT16 ? Float.floatToFloat16(f) & 0xffff : bfloat16(Float.floatToRawIntBits(f));
            boolean overflowed = (bits & 0x7fff) == (((1 << exponentBits) - 1) << mantissaBits) && !Float.isInfinite(f);
            return overflowed && saturate ? (bits & 0x8000) | maxFiniteBits : bits;
        }
        if (f == v && fromHalf != null) {
            short half = Float.floatToFloat16(f);
            // Every fp8 value, and every half result NCCL narrows, is a half exactly: look the rounding up.
            if (Float.float16ToFloat(half) == f) {
                return (saturate ? fromHalfSaturating : fromHalf)[half & 0xffff] & 0xff;
            }
        }
        return encodeSlowly(v, saturate);
    }

    /** Round to nearest even on the bits: add just under half of the dropped part, plus the kept part's last bit. */
    private static int bfloat16(int floatBits) {
        return (floatBits + 0x7fff + (floatBits >>> 16 & 1)) >>> 16;
    }

    private int encodeSlowly(double v, boolean saturate) {
        int sign = Double.doubleToRawLongBits(v) < 0 ? 1 << (width() - 1) : 0;
        double a = Math.abs(v);
        if (a == 0) return sign;
        int exponent = Double.isInfinite(a) ? Integer.MAX_VALUE : Math.max(Math.getExponent(a), minNormalExponent());
        if (exponent <= maxExponent) {
            // a / quantum is exact (a power-of-two scaling); rint rounds half to even.
            double quanta = Math.rint(Math.scalb(a, mantissaBits - exponent));
            if (quanta >= 2L << mantissaBits) {
                quanta /= 2;
                exponent++;
            }
            if (exponent <= maxExponent) {
                int q = (int) quanta;
                int biased = q < (1 << mantissaBits) ? 0 : exponent + bias;
                int bits = (biased << mantissaBits) | (q & ((1 << mantissaBits) - 1));
                if (bits <= maxFiniteBits) return sign | bits;
            }
        }
        if (saturate) return sign | maxFiniteBits;
        return hasInfinity ? sign | (((1 << exponentBits) - 1) << mantissaBits) : sign | canonicalNaN();
    }

    /** The value {@link #encode} would give with saturation, as a double: one rounding step of the device. */
    public double round(double v) {
        return decode(encode(v, true));
    }

    /**
     * Spacing of the format at {@code |v|}: the quantum of its binade, or of the subnormal range below the smallest
     * normal. Used for the documented float-average tolerance only.
     */
    public double ulp(double v) {
        double a = Math.abs(v);
        int exponent = a == 0 ? minNormalExponent() : Math.max(Math.getExponent(a), minNormalExponent());
        return Math.scalb(1.0, Math.min(exponent, maxExponent) - mantissaBits);
    }

    private double decodeSlowly(int bits) {
        int mantissaMask = (1 << mantissaBits) - 1;
        int biased = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
        int mantissa = bits & mantissaMask;
        double sign = (bits >>> (width() - 1)) != 0 ? -1.0 : 1.0;
        int topBiased = (1 << exponentBits) - 1;
        if (hasInfinity && biased == topBiased) {
            return mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (!hasInfinity && biased == topBiased && mantissa == mantissaMask) return Double.NaN;
        if (biased == 0) return sign * Math.scalb((double) mantissa, minSubnormalExponent());
        return sign * Math.scalb((double) (mantissa | (1 << mantissaBits)), biased - bias - mantissaBits);
    }
}
