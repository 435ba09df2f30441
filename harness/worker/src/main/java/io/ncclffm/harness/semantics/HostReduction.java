package io.ncclffm.harness.semantics;

import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * What {@code ncclAllReduce} must leave in every rank's output, computed on the host the way NCCL's device code
 * computes it ({@code src/device/reduce_kernel.h}, with the operator setup of {@code hostToDevRedOp} in
 * {@code enqueue.cc}). A check is only as strict as its reference, so the model reproduces NCCL's rounding and
 * wrap-around bit for bit instead of approximating the mathematical result:
 * <ul>
 *   <li>integers wrap at their width; max and min compare signed or unsigned by type;</li>
 *   <li>integer {@code ncclAvg} ({@code FuncSumPostDiv}) divides the wrapped sum, read as signed or unsigned,
 *       truncating toward zero;</li>
 *   <li>float {@code ncclAvg} ({@code FuncPreMulSum}) multiplies every contribution by {@code 1/n} as
 *       {@code hostToDevRedOp} rounds it (through {@code float}), then sums; newer releases sum first and scale
 *       once ({@code FuncSumPostDiv} for floats), which gives the same bits for the inputs of
 *       {@link InputPattern};</li>
 *   <li>every float operation rounds once to the element type, nearest-even; fp8 goes through half the way
 *       NCCL's sm_90 kernels do: widen exactly, operate and round in half, narrow with {@code __NV_SATFINITE};</li>
 *   <li>max and min follow {@code fmaxf}/{@code __hmax}: a NaN operand yields the other one;</li>
 *   <li>one rank is a copy ({@code ncclLaunchOneRank}), except float average, which still premultiplies.</li>
 * </ul>
 * Ranks are folded in rank order. NCCL's order differs by algorithm (ring, tree, NVLS with wider accumulators),
 * so the inputs from {@link InputPattern} make every partial result exact, which makes the order irrelevant. The
 * NaN and infinity rules only matter to mutant simulations ({@code MappingMutant}, in the tests), which read bytes as a type
 * they were not made for.
 */
public final class HostReduction {

    private HostReduction() {
    }

    /** The expected output, {@code count} elements, identical on every rank. */
    public static byte[] allReduce(DataType t, ReduceOp op, List<byte[]> rankInputs, int count) {
        byte[] out = new byte[Math.multiplyExact(count, t.size())];
        reduceInto(t, op, rankInputs, count, out);
        return out;
    }

    /**
     * Writes the reduction of the first {@code count} elements into {@code out} and leaves its remaining bytes as
     * they are, which is what a mutant passing a smaller count or a wider type leaves behind.
     */
    public static void reduceInto(DataType t, ReduceOp op, List<byte[]> rankInputs, int count, byte[] out) {
        if (rankInputs.isEmpty()) throw new IllegalArgumentException("no ranks");
        if (op == ReduceOp.UNKNOWN || t == DataType.UNKNOWN) throw new IllegalArgumentException(t + " " + op);
        int bytes = Math.multiplyExact(count, t.size());
        byte[][] in = rankInputs.toArray(byte[][]::new);
        for (byte[] input : in) {
            if (input.length < bytes) throw new IllegalArgumentException("input shorter than " + count + " " + t);
        }
        if (out.length < bytes) throw new IllegalArgumentException("output shorter than " + count + " " + t);
        boolean floatAverage = t.isFloatingPoint() && op == ReduceOp.AVG;
        if (in.length == 1 && !floatAverage) {
            System.arraycopy(in[0], 0, out, 0, bytes);
        } else if (t.isFloatingPoint()) {
            reduceFloats(t, op, in, count, out);
        } else {
            reduceIntegers(t, op, in, count, out);
        }
    }

    /**
     * The {@code 1/n} NCCL premultiplies float averages by: {@code double} for float64, otherwise
     * {@code float(1.0/n)} narrowed once more to the element type, as {@code hostToDevRedOp} does.
     */
    public static double averageScale(DataType t, int world) {
        double exact = 1.0 / world;
        return switch (t) {
            case FLOAT64 -> exact;
            case FLOAT32 -> (float) exact;
            case FLOAT16, BFLOAT16, FLOAT8_E4M3, FLOAT8_E5M2 -> ElementCodec.miniFloat(t).round((float) exact);
            default -> throw new IllegalArgumentException(t + " averages by integer division");
        };
    }

    private static void reduceIntegers(DataType t, ReduceOp op, byte[][] in, int count, byte[] out) {
        int width = 8 * t.size();
        long mask = width == 64 ? -1L : (1L << width) - 1;
        int shift = 64 - width;
        boolean signed = t.kind() == DataType.Kind.SIGNED;
        long world = in.length;
        for (int i = 0; i < count; i++) {
            long acc = ElementCodec.bits(t, in[0], i);
            for (int r = 1; r < in.length; r++) {
                long x = ElementCodec.bits(t, in[r], i);
                acc = switch (op) {
                    case SUM, AVG -> (acc + x) & mask;
                    case PROD -> (acc * x) & mask;
                    case MAX -> greater(acc, x, signed, shift) ? acc : x;
                    case MIN -> greater(acc, x, signed, shift) ? x : acc;
                    default -> throw new IllegalArgumentException(op.toString());
                };
            }
            if (op == ReduceOp.AVG) {
                acc = signed ? ((acc << shift) >> shift) / world : Long.divideUnsigned(acc, world);
            }
            ElementCodec.putBits(t, out, i, acc & mask);
        }
    }

    private static boolean greater(long a, long b, boolean signed, int shift) {
        return signed ? (a << shift) >> shift > (b << shift) >> shift : Long.compareUnsigned(a, b) > 0;
    }

    private static void reduceFloats(DataType t, ReduceOp op, byte[][] in, int count, byte[] out) {
        double scale = op == ReduceOp.AVG ? averageScale(t, in.length) : 1.0;
        for (int i = 0; i < count; i++) {
            double acc = contribution(t, op, in[0], i, scale);
            for (int r = 1; r < in.length; r++) {
                double x = contribution(t, op, in[r], i, scale);
                acc = switch (op) {
                    case SUM, AVG -> round(t, acc + x);
                    case PROD -> round(t, acc * x);
                    case MAX -> round(t, DeviceFloat.max(acc, x));
                    case MIN -> round(t, DeviceFloat.min(acc, x));
                    default -> throw new IllegalArgumentException(op.toString());
                };
            }
            ElementCodec.putBits(t, out, i, DeviceFloat.encode(t, acc));
        }
    }

    /** A rank's element as it enters the reduction: premultiplied (and rounded) for average. */
    private static double contribution(DataType t, ReduceOp op, byte[] input, int i, double scale) {
        double x = ElementCodec.value(t, ElementCodec.bits(t, input, i));
        return op == ReduceOp.AVG ? round(t, x * scale) : x;
    }

    /**
     * One device rounding step of the result of one operation on two values of {@code t}, computed in double. For
     * float16 and fp8 the double is exact; for bfloat16 and float32 it is already rounded to 53 bits, and rounding
     * once more to p bits gives the same as rounding once whenever 53 >= 2p + 2 (innocuous double rounding), as
     * here. So this equals the device instruction.
     */
    static double round(DataType t, double exact) {
        return switch (t) {
            case FLOAT64 -> exact;
            case FLOAT32 -> (float) exact;
            case FLOAT16 -> half(exact);
            case BFLOAT16 -> MiniFloat.BFLOAT16.decode(MiniFloat.BFLOAT16.encode(exact, false));
            case FLOAT8_E4M3, FLOAT8_E5M2 -> ElementCodec.miniFloat(t).round(half(exact));
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    private static double half(double exact) {
        return MiniFloat.FLOAT16.decode(MiniFloat.FLOAT16.encode(exact, false));
    }
}
