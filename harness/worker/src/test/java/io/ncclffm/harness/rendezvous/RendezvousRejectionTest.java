package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;
import static io.ncclffm.harness.rendezvous.Peers.rejection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/**
 * Everything the server turns away, that it logs the first rejections of each reason with their detail and only
 * counts the rest, and that it goes on serving afterwards.
 */
@Timeout(60)
class RendezvousRejectionTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final Duration CLIENT_TIMEOUT = Peers.PATIENCE;

    private final RendezvousToken token = RendezvousToken.random();
    private final UniqueId id = Peers.randomId();
    private RendezvousServer server;
    private RecordedLog serverLog;

    @BeforeEach
    void start() {
        serverLog = RecordedLog.of(RendezvousServer.class);
        server = RendezvousServer.start(RendezvousServer.loopback(0), 4, token, id, READ_TIMEOUT);
    }

    @AfterEach
    void stop() {
        server.close();
        serverLog.close();
    }

    /** Waits for the server's one WARNING line for this rejection. */
    private void assertLogged(RejectReason reason, String detail) throws InterruptedException {
        serverLog.awaitMessages(Level.WARNING, rejection(server, reason, detail), 1);
    }

    private UniqueId goodFetch(int rank) {
        return RendezvousClient.fetch(LOOPBACK, server.port(), token, rank, CLIENT_TIMEOUT);
    }

    @Test
    void aBadToken_failsFastWithoutRetry_andTheServerKeepsServingALaterGoodClient() throws Exception {
        long start = System.nanoTime();
        RendezvousException e = assertThrows(RendezvousException.class,
                () -> RendezvousClient.fetch(LOOPBACK, server.port(), RendezvousToken.random(), 1, Duration.ofSeconds(5)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals("the rendezvous server at 127.0.0.1:" + server.port() + " rejected rank 1: BAD_TOKEN (the hello's MAC"
                + " does not verify under the server's token; every rank must get this run's token); attempt 1, not retried;"
                + " this rejection carries no proof of coming from this run's server: a process on port " + server.port()
                + " that does not know the token could have sent it", e.getMessage());
        assertTrue(tookMs < 1_000, "failed fast, not at the 5 s deadline: " + tookMs + " ms");
        assertEquals(1, server.counters().rejected(RejectReason.BAD_TOKEN));
        assertLogged(RejectReason.BAD_TOKEN, "MAC does not verify under this run's token (claimed rank 1)");

        assertEquals(id, goodFetch(1));
        assertTrue(server.isServing());
    }

    @Test
    void aRankOutsideTheWorld_isRejectedAsBadRank_andNotRetried() throws Exception {
        RendezvousException e = assertThrows(RendezvousException.class,
                () -> RendezvousClient.fetch(LOOPBACK, server.port(), token, 4, CLIENT_TIMEOUT));
        assertTrue(e.getMessage().contains("rejected rank 4: BAD_RANK"), e.getMessage());

        for (int rank : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            byte[] nonce = RendezvousProtocol.newNonce();
            byte[] reply = Peers.exchange(server.port(), RendezvousProtocol.encodeHello(rank, nonce, token));
            assertEquals(Status.BAD_RANK.code, Peers.status(reply), "rank " + rank);
            assertEquals(RendezvousProtocol.REPLY_HEADER_BYTES + RendezvousToken.MAC_BYTES, reply.length, "no ID for rank " + rank);
            assertTrue(RendezvousProtocol.decodeReply(reply).verifies(nonce, rank, token), "the server's MAC, rank " + rank);
        }
        assertEquals(5, server.counters().rejected(RejectReason.BAD_RANK));
        for (int rank : new int[] {4, 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertLogged(RejectReason.BAD_RANK, "rank " + rank + " not in [1, 4)");
        }
        assertEquals(id, goodFetch(3));
    }

    @Test
    void theClientRefusesRankZero_whichIsTheServer() {
        assertThrows(IllegalArgumentException.class, () -> RendezvousClient.fetch(LOOPBACK, server.port(), token, 0, CLIENT_TIMEOUT));
    }

    @Test
    void aSilentClient_doesNotBlockAGoodClient_andIsDroppedAfterTheReadTimeout() throws Exception {
        try (Socket silent = new Socket(LOOPBACK, server.port())) {
            long start = System.nanoTime();
            assertEquals(id, goodFetch(1));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < READ_TIMEOUT.toMillis(), "the good client waited for nobody: " + tookMs + " ms");

            silent.setSoTimeout(2_000);
            assertEquals(-1, silent.getInputStream().read(), "dropped without a reply");
            Peers.awaitRejected(server, RejectReason.TIMEOUT, 1);
            assertLogged(RejectReason.TIMEOUT, "no end of stream within the deadline; 0 bytes arrived");
        }
    }

    @Test
    void aWholeHelloWithoutEndOfStream_timesOut() throws Exception {
        try (Socket s = new Socket(LOOPBACK, server.port())) {
            s.getOutputStream().write(Peers.hello(1, token)); // but never shutdownOutput()
            s.setSoTimeout(2_000);
            assertEquals(-1, s.getInputStream().read());
        }
        Peers.awaitRejected(server, RejectReason.TIMEOUT, 1);
        assertLogged(RejectReason.TIMEOUT, "no end of stream within the deadline; " + RendezvousProtocol.HELLO_BYTES + " bytes arrived");
        assertEquals(0, server.counters().replies());
    }

    @Test
    void truncatedFrames_areRejectedAsMalformed() throws Exception {
        byte[] hello = Peers.hello(1, token);
        for (int length : new int[] {0, 1, 4, 12, RendezvousProtocol.HELLO_BYTES - 1}) {
            byte[] reply = Peers.exchange(server.port(), Arrays.copyOf(hello, length));
            assertEquals(Status.MALFORMED.code, Peers.status(reply), "length " + length);
        }
        Peers.awaitRejected(server, RejectReason.TRUNCATED, 5);
        for (int length : new int[] {0, 1, 4, 12, RendezvousProtocol.HELLO_BYTES - 1}) {
            assertLogged(RejectReason.TRUNCATED, length + " of " + RendezvousProtocol.HELLO_BYTES + " bytes before end of stream");
        }
        assertEquals(id, goodFetch(1));
    }

    @Test
    void aVersionOneHelloWithTheTokenInTheClear_isRejectedAsTruncated_andGetsNoId() throws Exception {
        byte[] v1 = ByteBuffer.allocate(44).putInt(0x4E435248).putShort((short) 1).putShort((short) 0).putInt(1)
                .put(token.toBytes()).array();

        byte[] reply = Peers.exchange(server.port(), v1);

        assertEquals(RendezvousProtocol.encodeRejection(Status.MALFORMED).length, reply.length);
        assertEquals(Status.MALFORMED.code, Peers.status(reply));
        Peers.awaitRejected(server, RejectReason.TRUNCATED, 1);
        assertLogged(RejectReason.TRUNCATED, "44 of " + RendezvousProtocol.HELLO_BYTES + " bytes before end of stream");
        assertEquals(0, server.counters().replies());
    }

    @Test
    void oversizedFrames_areRejectedAndNeverAnswerWithTheId() throws Exception {
        byte[] hello = Peers.hello(1, token);
        for (int length : new int[] {RendezvousProtocol.HELLO_BYTES + 1, 2 * RendezvousProtocol.HELLO_BYTES, 1 << 20}) {
            byte[] reply = Peers.exchange(server.port(), Arrays.copyOf(hello, length));
            assertTrue(reply.length == 0 || Peers.status(reply) == Status.MALFORMED.code, "length " + length);
        }
        Peers.awaitRejected(server, RejectReason.OVERSIZED, 3);
        serverLog.awaitMessages(Level.WARNING,
                rejection(server, RejectReason.OVERSIZED, "more than " + RendezvousProtocol.HELLO_BYTES + " bytes"), 3);
        assertEquals(0, server.counters().replies());
        assertEquals(id, goodFetch(1));
    }

    @Test
    void wrongMagicVersionOrReserved_areRejectedWithTheirOwnReasons() throws Exception {
        byte[] hello = Peers.hello(1, token);
        assertEquals(Status.MALFORMED.code, Peers.status(Peers.exchange(server.port(), with(hello, 0, 0x4E43_5252))));
        assertEquals(Status.UNSUPPORTED_VERSION.code, Peers.status(Peers.exchange(server.port(), with(hello, 4, 0x0003_0000))));
        assertEquals(Status.UNSUPPORTED_VERSION.code, Peers.status(Peers.exchange(server.port(), with(hello, 4, 0x0001_0000))));
        assertEquals(Status.MALFORMED.code, Peers.status(Peers.exchange(server.port(), with(hello, 4, 0x0002_0001))));

        Peers.awaitRejected(server, RejectReason.BAD_MAGIC, 1);
        Peers.awaitRejected(server, RejectReason.BAD_VERSION, 2);
        Peers.awaitRejected(server, RejectReason.BAD_RESERVED, 1);
        assertLogged(RejectReason.BAD_MAGIC, "magic 0x4e435252");
        assertLogged(RejectReason.BAD_VERSION, "version 3");
        assertLogged(RejectReason.BAD_VERSION, "version 1");
        assertLogged(RejectReason.BAD_RESERVED, "reserved field 1");
        assertEquals(id, goodFetch(2));
    }

    @Test
    void aFloodOfBadHellos_logsTheFirstFewOfEachReason_thenOnlyCounts_andSumsThemUpWhenTheServerCloses() throws Exception {
        int badTokens = 120;
        int truncated = 30;
        RendezvousToken other = RendezvousToken.random();
        for (int i = 0; i < badTokens; i++) {
            assertEquals(Status.BAD_TOKEN.code, Peers.status(Peers.exchange(server.port(), Peers.hello(1 + i % 3, other))));
        }
        for (int i = 0; i < truncated; i++) {
            Peers.exchange(server.port(), Arrays.copyOf(Peers.hello(1, token), i % RendezvousProtocol.HELLO_BYTES));
        }
        Peers.awaitRejected(server, RejectReason.BAD_TOKEN, badTokens);
        Peers.awaitRejected(server, RejectReason.TRUNCATED, truncated);

        int k = RendezvousServer.LOGGED_PER_REASON;
        serverLog.awaitMessages(Level.WARNING, Peers.rejections(server, RejectReason.BAD_TOKEN), k);
        serverLog.awaitMessages(Level.WARNING, Peers.rejections(server, RejectReason.TRUNCATED), k);
        serverLog.awaitMessages(Level.WARNING, Peers.onlyCountedFromNowOn(server, RejectReason.BAD_TOKEN), 1);
        serverLog.awaitMessages(Level.WARNING, Peers.onlyCountedFromNowOn(server, RejectReason.TRUNCATED), 1);
        assertEquals(2 * (k + 1), serverLog.messages(Level.WARNING).size(), () -> "nothing else: " + serverLog.messages(Level.WARNING));

        server.close();

        assertEquals(List.of("rendezvous " + server.address() + ": closed; served [], 0 replies, 150 rejected"
                        + " {TRUNCATED=30, BAD_TOKEN=120}; only the first " + k + " rejections of each reason were logged one by one"),
                serverLog.messages(Level.WARNING).stream().filter(Peers.closingSummary(server)).toList());
        assertEquals(2 * (k + 1) + 1, serverLog.messages(Level.WARNING).size(), "the bound plus the summary");
    }

    /** A copy of {@code frame} with the big-endian int at {@code offset} replaced. */
    private static byte[] with(byte[] frame, int offset, int value) {
        return ByteBuffer.wrap(frame.clone()).putInt(offset, value).array();
    }
}
