package io.ncclffm.harness.rendezvous;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Reply;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/**
 * The byte layouts the package documentation promises. The MACs expected here were computed by another HMAC-SHA256
 * implementation (Python's hmac module) over the documented fields, so the encoder is not checked against itself.
 */
class RendezvousProtocolTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String TOKEN_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String NONCE_HEX = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    private static final RendezvousToken TOKEN = RendezvousToken.fromHex(TOKEN_HEX);
    private static final byte[] NONCE = HEX.parseHex(NONCE_HEX);
    /** The ID bytes 0x00, 0x01, ..., 0x7f. */
    private static final UniqueId ID = UniqueId.fromBytes(idBytes());

    @Test
    void aHello_isSeventySixBytes_magicVersionReservedRankNonce_thenTheirMacUnderTheToken() {
        byte[] hello = RendezvousProtocol.encodeHello(2, NONCE, TOKEN);

        assertEquals(76, hello.length);
        assertEquals("4e435248" + "0002" + "0000" + "00000002" + NONCE_HEX
                + "74e775f4638c0b020d896b3896bd697e747230e61e240f803495a20aced7a956", HEX.formatHex(hello));
    }

    @Test
    void aHello_neverContainsTheToken() {
        byte[] hello = RendezvousProtocol.encodeHello(1, RendezvousProtocol.newNonce(), TOKEN);
        assertFalse(Peers.contains(hello, TOKEN.toBytes()));
    }

    @Test
    void eachNonceIsFresh() {
        assertEquals(RendezvousProtocol.NONCE_BYTES, RendezvousProtocol.newNonce().length);
        assertFalse(Arrays.equals(RendezvousProtocol.newNonce(), RendezvousProtocol.newNonce()));
    }

    @Test
    void anOkReply_isTheHeaderTheIdBytesAndAMacOverHeaderNonceRankAndId() throws Exception {
        byte[] reply = RendezvousProtocol.encodeAnswer(Status.OK, NONCE, 2, ID, TOKEN);

        assertEquals(168, reply.length);
        assertEquals("4e435252" + "0002" + "0000" + HEX.formatHex(idBytes())
                + "651cf7a2551daea26c7be1b7a0834fdf314d242f14272e9682c435694e973b82", HEX.formatHex(reply));
        Reply r = RendezvousProtocol.decodeReply(reply);
        assertEquals(Status.OK, r.status());
        assertEquals(ID, r.id());
        assertArrayEquals(Arrays.copyOfRange(reply, 136, 168), r.mac());
    }

    @Test
    void aBadRankReply_isTheHeaderAndAMacOverHeaderNonceAndRank_withoutAnId() throws Exception {
        byte[] reply = RendezvousProtocol.encodeAnswer(Status.BAD_RANK, NONCE, 7, null, TOKEN);

        assertEquals("4e435252" + "0002" + "0004"
                + "3c601d3b25616dd4ded1ed2f5444b0ff715dacf0c832bbf7467e3833cdfd3b9d", HEX.formatHex(reply));
        assertEquals(40, RendezvousProtocol.encodeAnswer(Status.NO_ID, NONCE, 7, null, TOKEN).length);
        Reply r = RendezvousProtocol.decodeReply(reply);
        assertEquals(Status.BAD_RANK, r.status());
        assertNull(r.id());
        assertTrue(r.verifies(NONCE, 7, TOKEN));
    }

    @Test
    void anAnswer_verifiesOnlyForItsOwnNonceRankAndToken() throws Exception {
        Reply r = RendezvousProtocol.decodeReply(RendezvousProtocol.encodeAnswer(Status.OK, NONCE, 2, ID, TOKEN));

        assertTrue(r.verifies(NONCE, 2, TOKEN));
        assertFalse(r.verifies(RendezvousProtocol.newNonce(), 2, TOKEN), "another nonce: a replayed reply");
        assertFalse(r.verifies(NONCE, 3, TOKEN), "another rank");
        assertFalse(r.verifies(NONCE, 2, RendezvousToken.random()), "another token");
        byte[] otherId = RendezvousProtocol.encodeAnswer(Status.OK, NONCE, 2, ID, TOKEN);
        otherId[8] ^= 1;
        assertFalse(RendezvousProtocol.decodeReply(otherId).verifies(NONCE, 2, TOKEN), "an ID changed on the way");
    }

    @Test
    void anUnauthenticatedRejection_isTheHeaderAlone_withItsStatus_andNeverVerifies() throws Exception {
        assertEquals("4e435252" + "0002" + "0003", HEX.formatHex(RendezvousProtocol.encodeRejection(Status.BAD_TOKEN)));
        Reply r = RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0002" + "0001"));
        assertEquals(Status.MALFORMED, r.status());
        assertNull(r.id());
        assertNull(r.mac());
        assertFalse(r.verifies(NONCE, 2, TOKEN));
        assertThrows(IllegalArgumentException.class, () -> RendezvousProtocol.encodeRejection(Status.OK));
        assertThrows(IllegalArgumentException.class, () -> RendezvousProtocol.encodeAnswer(Status.BAD_TOKEN, NONCE, 1, null, TOKEN));
    }

    @Test
    void decodeReply_rejectsWrongMagicVersionStatusOrLength() {
        byte[] ok = RendezvousProtocol.encodeAnswer(Status.OK, NONCE, 2, Peers.randomId(), TOKEN);
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435248" + "0002" + "0000")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0001" + "0003")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0002" + "0063")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 7)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 136)), "an OK without its MAC");
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 167)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 169)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0002" + "0003" + "00")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0002" + "0004")),
                "a BAD_RANK without its MAC");
    }

    private static byte[] idBytes() {
        byte[] b = new byte[UniqueId.BYTES];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        return b;
    }
}
