package io.ncclffm.harness.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ProtocolException;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Reply;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/** The byte layouts the package documentation promises. */
class RendezvousProtocolTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String TOKEN_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    @Test
    void aHello_isFortyFourBytes_magicVersionReservedRankToken() {
        byte[] hello = RendezvousProtocol.encodeHello(2, RendezvousToken.fromHex(TOKEN_HEX));

        assertEquals(44, hello.length);
        assertEquals("4e435248" + "0001" + "0000" + "00000002" + TOKEN_HEX, HEX.formatHex(hello));
    }

    @Test
    void anOkReply_isTheEightByteHeaderThenTheHundredTwentyEightIdBytes() throws Exception {
        UniqueId id = Peers.randomId();
        byte[] reply = RendezvousProtocol.encodeReply(Status.OK, id);

        assertEquals(136, reply.length);
        assertEquals("4e435252" + "0001" + "0000" + HEX.formatHex(id.toBytes()), HEX.formatHex(reply));
        assertEquals(new Reply(Status.OK, id), RendezvousProtocol.decodeReply(reply));
    }

    @Test
    void aRejection_isTheHeaderAlone_withItsStatus() throws Exception {
        assertEquals("4e435252" + "0001" + "0003", HEX.formatHex(RendezvousProtocol.encodeReply(Status.BAD_TOKEN, null)));
        Reply r = RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0001" + "0004"));
        assertEquals(Status.BAD_RANK, r.status());
        assertNull(r.id());
    }

    @Test
    void decodeReply_rejectsWrongMagicVersionStatusOrLength() {
        byte[] ok = RendezvousProtocol.encodeReply(Status.OK, Peers.randomId());
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435248" + "0001" + "0000")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0002" + "0003")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0001" + "0063")));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 7)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 135)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(Arrays.copyOf(ok, 137)));
        assertThrows(ProtocolException.class, () -> RendezvousProtocol.decodeReply(HEX.parseHex("4e435252" + "0001" + "0003" + "00")));
    }
}
