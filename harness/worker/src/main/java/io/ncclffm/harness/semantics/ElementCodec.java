package io.ncclffm.harness.semantics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import io.ncclffm.DataType;

/**
 * Element {@code i} of a device buffer copied to the host, for every NCCL type. Buffers are plain little-endian
 * {@code byte[]} so that a result can be compared byte for byte with the model, and so that a mutant can reread
 * the same bytes as another type, exactly as a binding passing the wrong {@code ncclDataType_t} would make NCCL do.
 *
 * <p>Elements travel as raw bits in a {@code long}, zero-extended: signedness and float-ness are decided by whoever
 * interprets them, never by the storage.
 */
public final class ElementCodec {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ElementCodec() {
    }

    /** The bits of element {@code i}, zero-extended to 64 bits. */
    public static long bits(DataType t, byte[] buffer, int i) {
        return switch (t.size()) {
            case 1 -> buffer[i] & 0xffL;
            case 2 -> (short) SHORT.get(buffer, i * 2) & 0xffffL;
            case 4 -> (int) INT.get(buffer, i * 4) & 0xffff_ffffL;
            case 8 -> (long) LONG.get(buffer, i * 8);
            default -> throw new IllegalArgumentException("no elements of type " + t);
        };
    }

    /** Stores the low {@code 8 * size} bits of {@code bits} as element {@code i}. */
    public static void putBits(DataType t, byte[] buffer, int i, long bits) {
        switch (t.size()) {
            case 1 -> buffer[i] = (byte) bits;
            case 2 -> SHORT.set(buffer, i * 2, (short) bits);
            case 4 -> INT.set(buffer, i * 4, (int) bits);
            case 8 -> LONG.set(buffer, i * 8, bits);
            default -> throw new IllegalArgumentException("no elements of type " + t);
        }
    }

    /** The narrow format behind a 16- or 8-bit float type, or {@code null} for every other type. */
    public static MiniFloat miniFloat(DataType t) {
        return switch (t) {
            case FLOAT16 -> MiniFloat.FLOAT16;
            case BFLOAT16 -> MiniFloat.BFLOAT16;
            case FLOAT8_E4M3 -> MiniFloat.E4M3;
            case FLOAT8_E5M2 -> MiniFloat.E5M2;
            default -> null;
        };
    }

    /**
     * The number the bits stand for: exact for every float type and for integers up to 2^53 in magnitude (larger
     * 64-bit integers are only ever formatted, where their exact text comes from {@link #format}).
     */
    public static double value(DataType t, long bits) {
        return switch (t) {
            case INT8 -> (byte) bits;
            case INT32 -> (int) bits;
            case INT64 -> bits;
            case UINT8, UINT32 -> bits;
            case UINT64 -> bits >= 0 ? bits : 0x1p64 + bits;
            case FLOAT32 -> Float.intBitsToFloat((int) bits);
            case FLOAT64 -> Double.longBitsToDouble(bits);
            case FLOAT16, BFLOAT16, FLOAT8_E4M3, FLOAT8_E5M2 -> miniFloat(t).decode((int) bits);
            default -> throw new IllegalArgumentException("no elements of type " + t);
        };
    }

    /**
     * The bits of a float type nearest to {@code v}, ties to even; narrow types saturate like NCCL's fp8 path when
     * asked to. The input generator only passes values that are exact, so for it this is plain encoding.
     */
    public static long encode(DataType t, double v, boolean saturate) {
        return switch (t) {
            case FLOAT32 -> Float.floatToRawIntBits((float) v) & 0xffff_ffffL;
            case FLOAT64 -> Double.doubleToRawLongBits(v);
            case FLOAT16, BFLOAT16, FLOAT8_E4M3, FLOAT8_E5M2 -> miniFloat(t).encode(v, saturate);
            default -> throw new IllegalArgumentException(t + " is not a floating-point type");
        };
    }

    /** Element {@code i} for a report: the number and its bits, e.g. {@code 1.5 (0x3e00)} or {@code -56 (0xc8)}. */
    public static String format(DataType t, byte[] buffer, int i) {
        return format(t, bits(t, buffer, i));
    }

    public static String format(DataType t, long bits) {
        String hex = String.format("0x%0" + (2 * t.size()) + "x", bits);
        String number = switch (t) {
            case INT8 -> Byte.toString((byte) bits);
            case INT32 -> Integer.toString((int) bits);
            case INT64 -> Long.toString(bits);
            case UINT8, UINT32 -> Long.toString(bits);
            case UINT64 -> Long.toUnsignedString(bits);
            case FLOAT32 -> Float.toString(Float.intBitsToFloat((int) bits));
            default -> Double.toString(value(t, bits));
        };
        return number + " (" + hex + ")";
    }
}
