package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;

/**
 * The numbers of a float type that decide which inputs reduce without rounding: significant bits (integers up to
 * {@code 2^precision} are exact), the exponent of the top binade, and the exponents of the smallest subnormal and
 * the smallest normal number.
 */
record FloatRange(int precision, int maxExponent, int minSubnormalExponent, int minNormalExponent) {

    private static final FloatRange[] BY_CODE = new FloatRange[DataType.values().length];

    static {
        for (DataType t : DataType.values()) {
            if (t.isFloatingPoint()) BY_CODE[t.ordinal()] = compute(t);
        }
    }

    static FloatRange of(DataType t) {
        FloatRange range = BY_CODE[t.ordinal()];
        if (range == null) throw new IllegalArgumentException(t + " is not a floating-point type");
        return range;
    }

    private static FloatRange compute(DataType t) {
        return switch (t) {
            case FLOAT64 -> new FloatRange(53, 1023, -1074, -1022);
            case FLOAT32 -> new FloatRange(24, 127, -149, -126);
            case FLOAT16, BFLOAT16, FLOAT8_E4M3, FLOAT8_E5M2 -> {
                MiniFloat f = ElementCodec.miniFloat(t);
                yield new FloatRange(f.precision(), f.maxExponent(), f.minSubnormalExponent(), f.minNormalExponent());
            }
            default -> throw new IllegalArgumentException(t + " is not a floating-point type");
        };
    }

    /** The largest integer magnitude per rank whose sums over {@code world} ranks stay exact in any order. */
    long exactIntegerPerRank(int world) {
        return Math.max(1, (1L << Math.min(precision, 62)) / world);
    }

    /**
     * The largest exponent spread per rank whose products over {@code world} ranks (one of them with a factor below
     * 1.75 of full precision) stay normal and finite in any order.
     */
    int exponentSpreadPerRank(int world) {
        return Math.min(maxExponent, -minNormalExponent) / world;
    }
}
