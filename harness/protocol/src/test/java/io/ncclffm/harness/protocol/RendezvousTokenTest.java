package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class RendezvousTokenTest {

    @Test
    void randomTokensDiffer_andRoundTripThroughHex() {
        RendezvousToken a = RendezvousToken.random();
        RendezvousToken b = RendezvousToken.random();

        assertNotEquals(a, b);
        assertEquals(64, a.toHex().length());
        assertEquals(a, RendezvousToken.fromHex(a.toHex()));
        assertArrayEquals(a.toBytes(), RendezvousToken.fromHex(a.toHex()).toBytes());
    }

    @Test
    void fromHex_acceptsEitherCaseAndATrailingNewline() {
        RendezvousToken t = RendezvousToken.random();
        assertEquals(t, RendezvousToken.fromHex(t.toHex().toUpperCase() + "\n"));
    }

    @Test
    void fromHex_rejectsWrongLengthsAndNonHex_withoutEchoingTheSecret() {
        String almost = "0123456789abcdef".repeat(4);
        String notHex = almost.substring(0, 63) + "g";

        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromHex(almost.substring(1)));
        IllegalArgumentException badDigit = assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromHex(notHex));

        assertEquals("a rendezvous token has exactly 64 hex digits, got 63 characters", shortOne.getMessage());
        assertEquals("a rendezvous token has only hex digits [0-9a-fA-F]", badDigit.getMessage());
        assertFalse(badDigit.getMessage().contains("0123"));
        assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromHex(null));
    }

    @Test
    void fromBytes_copiesExactlyThirtyTwoBytes() {
        byte[] raw = HexFormat.of().parseHex("00".repeat(31) + "01");
        RendezvousToken t = RendezvousToken.fromBytes(raw);
        raw[31] = 7;

        assertEquals("00".repeat(31) + "01", t.toHex());
        assertTrue(t.matches(HexFormat.of().parseHex("00".repeat(31) + "01")));
        assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromBytes(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromBytes(new byte[33]));
    }

    @Test
    void toString_neverShowsTheBytes() {
        RendezvousToken t = RendezvousToken.random();
        assertEquals("RendezvousToken[redacted]", t.toString());
    }
}
