package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        assertArrayEquals(HexFormat.of().parseHex("00".repeat(31) + "01"), t.toBytes());
        assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromBytes(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RendezvousToken.fromBytes(new byte[33]));
    }

    @Test
    void mac_isHmacSha256UnderTheTokenOfThePartsOneAfterTheOther() {
        RendezvousToken t = RendezvousToken.fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] ncrh = "NCRH".getBytes(StandardCharsets.US_ASCII);
        byte[] rendezvous = "rendezvous".getBytes(StandardCharsets.US_ASCII);

        // the expected value comes from another implementation (Python's hmac module), not from this class
        String expected = "829604db49627df2b65b05ccab7e6dbfbbd4eb406f7de4ee62c3be211deb90e9";
        assertEquals(expected, HexFormat.of().formatHex(t.mac(ncrh, rendezvous)));
        assertEquals(expected, HexFormat.of().formatHex(t.mac("NCRHrendezvous".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(RendezvousToken.MAC_BYTES, t.mac().length);
    }

    @Test
    void verifies_acceptsOnlyTheExactMacOfTheSamePartsUnderTheSameToken() {
        RendezvousToken t = RendezvousToken.random();
        byte[] message = HexFormat.of().parseHex("4e435248" + "0002");
        byte[] mac = t.mac(message);

        assertTrue(t.verifies(mac, message));
        for (int i = 0; i < mac.length; i++) {
            byte[] flipped = mac.clone();
            flipped[i] ^= 1;
            assertFalse(t.verifies(flipped, message), "byte " + i + " flipped");
        }
        assertFalse(t.verifies(Arrays.copyOf(mac, 31), message));
        assertFalse(t.verifies(null, message));
        assertFalse(t.verifies(new byte[RendezvousToken.MAC_BYTES], message));
        assertFalse(RendezvousToken.random().verifies(mac, message), "another token");
        assertFalse(t.verifies(mac, HexFormat.of().parseHex("4e435248" + "0001")), "another message");
    }

    @Test
    void toString_neverShowsTheBytes() {
        RendezvousToken t = RendezvousToken.random();
        assertEquals("RendezvousToken[redacted]", t.toString());
    }
}
