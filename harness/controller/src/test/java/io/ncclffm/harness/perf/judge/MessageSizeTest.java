package io.ncclffm.harness.perf.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MessageSizeTest {

    @Test
    void powersOfTwoGetWholeBinaryUnits() {
        assertEquals("8 B", MessageSize.label(8));
        assertEquals("512 B", MessageSize.label(512));
        assertEquals("1 KiB", MessageSize.label(1024));
        assertEquals("64 MiB", MessageSize.label(MessageSize.LARGE));
        assertEquals("1 GiB", MessageSize.label(1L << 30));
    }

    @Test
    void otherSizesKeepTwoDecimals() {
        assertEquals("1.50 KiB", MessageSize.label(1536));
    }

    @Test
    void log2OfAPowerOfTwoIsItsExponent() {
        assertEquals(3.0, MessageSize.log2(8), 1e-12);
        assertEquals(30.0, MessageSize.log2(1L << 30), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> MessageSize.log2(0));
    }
}
