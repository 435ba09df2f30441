package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One host value of an {@code ncclDataType_t}, as {@code ncclRedOpCreatePreMulSum} reads its scalar. */
final class Scalars {

    private Scalars() {
    }

    static MemorySegment encode(Arena arena, double value, DataType type) {
        MemorySegment s = arena.allocate(Math.max(type.size(), 1), 8);
        switch (type) {
            case INT8, UINT8 -> s.set(ValueLayout.JAVA_BYTE, 0, (byte) integral(value, type));
            case INT32, UINT32 -> s.set(ValueLayout.JAVA_INT, 0, (int) integral(value, type));
            case INT64, UINT64 -> s.set(ValueLayout.JAVA_LONG, 0, integral(value, type));
            case FLOAT16 -> s.set(ValueLayout.JAVA_SHORT, 0, Float.floatToFloat16((float) value));
            case FLOAT32 -> s.set(ValueLayout.JAVA_FLOAT, 0, (float) value);
            case FLOAT64 -> s.set(ValueLayout.JAVA_DOUBLE, 0, value);
            case BFLOAT16 -> s.set(ValueLayout.JAVA_SHORT, 0, bfloat16((float) value));
            default -> throw new IllegalArgumentException("a PreMulSum scalar cannot be written as " + type.shortName()
                    + "; expected an integer, float16, bfloat16, float32 or float64 type");
        }
        return s;
    }

    private static long integral(double value, DataType type) {
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException("a " + type.shortName() + " PreMulSum scalar must be a whole number, got " + value);
        }
        return (long) value;
    }

    /** float to bfloat16, rounding to nearest even; NaN stays a quiet NaN. */
    static short bfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
