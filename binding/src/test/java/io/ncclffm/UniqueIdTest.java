package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class UniqueIdTest {

    private static byte[] pattern(int seed) {
        byte[] b = new byte[UniqueId.BYTES];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    @Test
    void equality_isByteEquality() {
        UniqueId a = UniqueId.fromBytes(pattern(1));
        UniqueId b = UniqueId.fromBytes(pattern(1));
        byte[] lastDiffers = pattern(1);
        lastDiffers[127] ^= 1;
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, UniqueId.fromBytes(lastDiffers));
        assertNotEquals(a.fingerprint(), UniqueId.fromBytes(lastDiffers).fingerprint());
    }

    @Test
    void bytes_areCopiedInAndOut() {
        byte[] source = pattern(7);
        UniqueId id = UniqueId.fromBytes(source);
        source[0] = 99;
        byte[] out = id.toBytes();
        out[1] = 99;
        assertArrayEquals(pattern(7), id.toBytes());
    }

    @Test
    void fromBytes_rejectsAnyOtherLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UniqueId.fromBytes(new byte[127]));
        assertEquals("an ncclUniqueId has exactly 128 bytes, got 127", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UniqueId.fromBytes(new byte[129]));
        assertThrows(IllegalArgumentException.class, () -> UniqueId.fromBytes(null));
    }

    @Test
    void fingerprint_isTheSha256PrefixAndToStringHidesTheBytes() {
        UniqueId zero = UniqueId.fromBytes(new byte[128]);
        // sha256 of 128 zero bytes starts with 38723a2e5e8a17aa
        assertEquals("38723a2e5e8a17aa", zero.fingerprint());
        assertEquals("UniqueId[38723a2e5e8a17aa]", zero.toString());
        assertTrue(zero.isZero());
        assertFalse(UniqueId.fromBytes(pattern(3)).isZero());
    }

    @Test
    void segment_roundTripsTheBytes() {
        try (Arena arena = Arena.ofConfined()) {
            UniqueId id = UniqueId.fromBytes(pattern(5));
            MemorySegment s = id.toSegment(arena);
            assertEquals(128, s.byteSize());
            assertArrayEquals(pattern(5), s.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(id, UniqueId.fromSegment(s));
        }
    }
}
