package io.ncclffm.harness.semantics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;

class ElementCodecTest {

    @Test
    void elements_areLittleEndianAtTheirIndex() {
        byte[] buffer = new byte[8];
        ElementCodec.putBits(DataType.INT32, buffer, 1, 0x0403_0201L);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 2, 3, 4}, buffer);
        assertEquals(0x0403_0201L, ElementCodec.bits(DataType.INT32, buffer, 1));
        assertEquals(0x0201L, ElementCodec.bits(DataType.FLOAT16, buffer, 2));
    }

    @Test
    void bits_areZeroExtended() {
        byte[] buffer = Elements.bits(DataType.INT8, 0xc8);
        assertEquals(0xc8L, ElementCodec.bits(DataType.INT8, buffer, 0));
        assertEquals(-56.0, ElementCodec.value(DataType.INT8, 0xc8));
        assertEquals(200.0, ElementCodec.value(DataType.UINT8, 0xc8));
    }

    @Test
    void format_showsTheNumberAndItsBits() {
        assertEquals("-56 (0xc8)", ElementCodec.format(DataType.INT8, 0xc8));
        assertEquals("200 (0xc8)", ElementCodec.format(DataType.UINT8, 0xc8));
        assertEquals("18446744073709551615 (0xffffffffffffffff)", ElementCodec.format(DataType.UINT64, -1L));
        assertEquals("1.5 (0x3e00)", ElementCodec.format(DataType.FLOAT16, 0x3e00));
        assertEquals("1.0 (0x3f80)", ElementCodec.format(DataType.BFLOAT16, 0x3f80));
        assertEquals("448.0 (0x7e)", ElementCodec.format(DataType.FLOAT8_E4M3, 0x7e));
        assertEquals("NaN (0x7f)", ElementCodec.format(DataType.FLOAT8_E4M3, 0x7f));
        assertEquals("0.1 (0x3dcccccd)", ElementCodec.format(DataType.FLOAT32, 0x3dcc_cccdL));
        assertEquals("-0.0 (0x8000000000000000)", ElementCodec.format(DataType.FLOAT64, Long.MIN_VALUE));
    }

    @Test
    void encode_roundsEachFloatTypeOnce() {
        assertEquals(0x3c00L, ElementCodec.encode(DataType.FLOAT16, 1.0, false));
        assertEquals(0x3f80L, ElementCodec.encode(DataType.BFLOAT16, 1.0, false));
        assertEquals(0x3f80_0000L, ElementCodec.encode(DataType.FLOAT32, 1.0, false));
        assertEquals(0x7bL, ElementCodec.encode(DataType.FLOAT8_E5M2, 1e9, true));
        assertEquals(0x7cL, ElementCodec.encode(DataType.FLOAT8_E5M2, 1e9, false));
    }
}
