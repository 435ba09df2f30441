package io.ncclffm.harness.semantics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class MiniFloatTest {

    @Test
    void float16_knownEncodings_decodeToTheirValues() {
        assertEquals(1.0, MiniFloat.FLOAT16.decode(0x3c00));
        assertEquals(1.5, MiniFloat.FLOAT16.decode(0x3e00));
        assertEquals(65504.0, MiniFloat.FLOAT16.decode(0x7bff));
        assertEquals(0x1p-24, MiniFloat.FLOAT16.decode(0x0001));
        assertEquals(Double.POSITIVE_INFINITY, MiniFloat.FLOAT16.decode(0x7c00));
        assertTrue(Double.isNaN(MiniFloat.FLOAT16.decode(0x7e00)));
    }

    @Test
    void float16_decode_agreesWithTheJdkForEveryEncoding() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float jdk = Float.float16ToFloat((short) bits);
            double ours = MiniFloat.FLOAT16.decode(bits);
            if (Float.isNaN(jdk)) {
                assertTrue(Double.isNaN(ours), Integer.toHexString(bits));
            } else {
                assertEquals(Double.doubleToRawLongBits(jdk), Double.doubleToRawLongBits(ours),
                        Integer.toHexString(bits));
            }
        }
    }

    @Test
    void float16_encode_roundsLikeTheJdkForFloats() {
        SplittableRandom random = new SplittableRandom(16);
        for (int n = 0; n < 200_000; n++) {
            // Floats near the float16 range, with every low bit pattern: ties, subnormals and overflow included.
            float f = Float.intBitsToFloat(random.nextInt(0x3000_0000, 0x4800_0000) | random.nextInt(2) << 31);
            assertEquals(Float.floatToFloat16(f) & 0xffff, MiniFloat.FLOAT16.encode(f, false), Float.toString(f));
        }
    }

    @Test
    void float16_ties_roundToEven() {
        assertEquals(0x6800, MiniFloat.FLOAT16.encode(2049, false)); // 2048 and 2050: 2048 is even
        assertEquals(0x6802, MiniFloat.FLOAT16.encode(2051, false)); // 2050 and 2052: 2052 is even
        assertEquals(0x0002, MiniFloat.FLOAT16.encode(0x1.8p-24, false)); // subnormal tie, 1 and 2 quanta
        assertEquals(0x0000, MiniFloat.FLOAT16.encode(0x1p-25, false)); // half the smallest subnormal
    }

    @Test
    void float16_overflow_isInfinityOrSaturates() {
        assertEquals(0x7c00, MiniFloat.FLOAT16.encode(65520, false)); // the tie above 65504 rounds up, to infinity
        assertEquals(0x7bff, MiniFloat.FLOAT16.encode(65519, false));
        assertEquals(0x7bff, MiniFloat.FLOAT16.encode(1e9, true));
        assertEquals(0xfc00, MiniFloat.FLOAT16.encode(Double.NEGATIVE_INFINITY, false));
    }

    @Test
    void bfloat16_knownEncodings_decodeToTheirValues() {
        assertEquals(1.0, MiniFloat.BFLOAT16.decode(0x3f80));
        assertEquals(-2.0, MiniFloat.BFLOAT16.decode(0xc000));
        assertEquals(0x1.8p121, MiniFloat.BFLOAT16.decode(0x7c40));
        assertEquals(Float.MAX_VALUE - Math.ulp(Float.MAX_VALUE) * ((1 << 16) - 1), MiniFloat.BFLOAT16.decode(0x7f7f));
    }

    @Test
    void bfloat16_encode_roundsToNearestEvenLikeTheCarryTrick() {
        SplittableRandom random = new SplittableRandom(9);
        for (int n = 0; n < 200_000; n++) {
            int f = random.nextInt();
            if (Float.isNaN(Float.intBitsToFloat(f))) continue;
            // The usual float-to-bfloat16 conversion: add 0x7fff plus the lowest kept bit, truncate.
            int expected = (f + 0x7fff + (f >>> 16 & 1)) >>> 16;
            assertEquals(expected, MiniFloat.BFLOAT16.encode(Float.intBitsToFloat(f), false), Integer.toHexString(f));
        }
        assertEquals(0x3f80, MiniFloat.BFLOAT16.encode(Float.intBitsToFloat(0x3f80_8000), false));
        assertEquals(0x3f82, MiniFloat.BFLOAT16.encode(Float.intBitsToFloat(0x3f81_8000), false));
    }

    @Test
    void e4m3_knownEncodings_decodeToTheirValues() {
        assertEquals(1.0, MiniFloat.E4M3.decode(0x38));
        assertEquals(448.0, MiniFloat.E4M3.decode(0x7e));
        assertEquals(-448.0, MiniFloat.E4M3.decode(0xfe));
        assertEquals(0x1p-6, MiniFloat.E4M3.decode(0x08));
        assertEquals(0x1p-9, MiniFloat.E4M3.decode(0x01));
        assertEquals(256.0, MiniFloat.E4M3.decode(0x78));
        assertTrue(Double.isNaN(MiniFloat.E4M3.decode(0x7f)));
        assertTrue(Double.isNaN(MiniFloat.E4M3.decode(0xff)));
        assertEquals(448.0, MiniFloat.E4M3.maxFinite());
    }

    @Test
    void e4m3_encode_roundsToNearestEvenAndSaturatesOnlyWhenAsked() {
        assertEquals(0x38, MiniFloat.E4M3.encode(1.0625, false)); // 1 and 1.125: 1 is even
        assertEquals(0x3a, MiniFloat.E4M3.encode(1.1875, false)); // 1.125 and 1.25: 1.25 is even
        assertEquals(0x7e, MiniFloat.E4M3.encode(464, false)); // 448 and 480 (not finite): 448 is even
        assertEquals(0x7f, MiniFloat.E4M3.encode(480, false)); // no infinity: NaN
        assertEquals(0x7e, MiniFloat.E4M3.encode(480, true));
        assertEquals(0xfe, MiniFloat.E4M3.encode(-1e6, true));
        assertEquals(0x7e, MiniFloat.E4M3.encode(Double.POSITIVE_INFINITY, true));
        assertEquals(0x02, MiniFloat.E4M3.encode(0x1.8p-9, false)); // subnormal tie: 1 and 2 quanta
        assertEquals(0x7f, MiniFloat.E4M3.encode(Double.NaN, true));
    }

    @Test
    void e5m2_knownEncodings_decodeToTheirValues() {
        assertEquals(1.0, MiniFloat.E5M2.decode(0x3c));
        assertEquals(57344.0, MiniFloat.E5M2.decode(0x7b));
        assertEquals(0x1p-16, MiniFloat.E5M2.decode(0x01));
        assertEquals(0x1p-14, MiniFloat.E5M2.decode(0x04));
        assertEquals(Double.NEGATIVE_INFINITY, MiniFloat.E5M2.decode(0xfc));
        assertTrue(Double.isNaN(MiniFloat.E5M2.decode(0x7d)));
        assertEquals(57344.0, MiniFloat.E5M2.maxFinite());
    }

    @Test
    void e5m2_encode_roundsToNearestEvenAndOverflowsToInfinityUnlessSaturating() {
        assertEquals(0x3c, MiniFloat.E5M2.encode(1.125, false)); // 1 and 1.25: 1 is even
        assertEquals(0x3e, MiniFloat.E5M2.encode(1.375, false)); // 1.25 and 1.5: 1.5 is even
        assertEquals(0x7b, MiniFloat.E5M2.encode(61439, false));
        assertEquals(0x7c, MiniFloat.E5M2.encode(61440, false)); // the tie above 57344 rounds up, to infinity
        assertEquals(0x7b, MiniFloat.E5M2.encode(61440, true));
        assertEquals(0x00, MiniFloat.E5M2.encode(0x1p-17, false)); // half the smallest subnormal: to even, zero
        assertEquals(0x80, MiniFloat.E5M2.encode(-0x1p-18, false)); // underflow keeps the sign
    }

    @Test
    void everyFormat_roundsAnyDoubleToTheNearestEncoding_tiesToEven() {
        SplittableRandom random = new SplittableRandom(2024);
        for (MiniFloat f : MiniFloat.values()) {
            for (int n = 0; n < 50_000; n++) {
                // Doubles with more significant bits than a float, so that both the float shortcut and the
                // general path are exercised; ties come from exact midpoints between neighbouring encodings.
                int bits = random.nextInt(1 << f.width());
                double v = f.decode(bits);
                if (!Double.isFinite(v) || Math.abs(v) >= f.maxFinite()) continue;
                double next = f.decode(bits + 1);
                double target = switch (n % 3) {
                    case 0 -> v + (next - v) / 2; // a tie
                    case 1 -> v + (next - v) * random.nextDouble();
                    default -> v + (next - v) * 0x1.0000000001p-1; // just above the tie
                };
                int r = f.encode(target, false);
                double dr = Math.abs(f.decode(r) - target);
                assertTrue(dr <= Math.abs(v - target) && dr <= Math.abs(next - target), f + " " + target);
                if (Math.abs(v - target) == Math.abs(next - target)) assertEquals(0, r & 1, f + " tie " + target);
            }
        }
    }

    @Test
    void everyFormat_roundTripsEveryFiniteEncoding() {
        for (MiniFloat f : MiniFloat.values()) {
            for (int bits = 0; bits < 1 << f.width(); bits++) {
                double v = f.decode(bits);
                if (!Double.isNaN(v)) assertEquals(bits, f.encode(v, false), f + " " + Integer.toHexString(bits));
            }
        }
    }
}
