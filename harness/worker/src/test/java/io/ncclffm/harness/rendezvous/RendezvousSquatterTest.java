package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

/**
 * A process that binds rank 0's port before rank 0 does, without the run's token: it must never learn the token,
 * and no rank may take an ID from it, whatever well-formed reply it makes up or replays.
 */
@Timeout(60)
class RendezvousSquatterTest {

    /** Long enough for several attempts; the tests wait for the client's verdict, not for a clock. */
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(2);

    private final RendezvousToken token = RendezvousToken.random();
    private final UniqueId chosen = Peers.randomId();

    /** Well-formed replies that a process without the token can make up for any hello. */
    static Stream<Named<UnaryOperator<byte[]>>> madeUpReplies() {
        byte[] chosenId = Peers.randomId().toBytes();
        byte[] random = RendezvousProtocol.newNonce();
        byte[] otherKey = RendezvousToken.random().toBytes();
        return Stream.of(
                Named.of("an OK with a chosen ID and random MAC bytes", hello -> Frames.okReply(chosenId, random)),
                Named.of("an OK with a chosen ID and an all-zero MAC", hello -> Frames.okReply(chosenId, new byte[32])),
                Named.of("an OK with a chosen ID and a MAC under another token",
                        hello -> Frames.genuineAnswer(hello, 0, chosenId, otherKey)),
                Named.of("a NO_ID with a MAC under another token", hello -> Frames.genuineAnswer(hello, 5, new byte[0], otherKey)),
                Named.of("a BAD_RANK with a MAC under another token", hello -> Frames.genuineAnswer(hello, 4, new byte[0], otherKey)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("madeUpReplies")
    void aMadeUpReply_isNotTrusted_andTheErrorAtTheDeadlineSaysAProcessAnsweredWithoutTheToken(UnaryOperator<byte[]> reply)
            throws Exception {
        try (Squatter squatter = Squatter.start(Integer.MAX_VALUE, reply)) {
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousClient.fetch(LOOPBACK, squatter.port(), token, 1, CLIENT_DEADLINE));

            assertFalse(e instanceof NoUniqueIdException, "a made-up NO_ID does not end the fetch: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("rank 1 could not fetch the unique ID from 127.0.0.1:" + squatter.port()
                    + " within PT2S after "), e.getMessage());
            assertFalse(squatter.hellos().isEmpty(), "the squatter answered");
            assertTrue(e.getMessage().contains("; a process on port " + squatter.port() + " answered without knowing this"
                    + " run's token ("), e.getMessage());
            assertTrue(e.getMessage().contains(" replies whose MAC did not verify, none trusted; the first: a "), e.getMessage());
        }
    }

    @Test
    void anOkReplyWithoutItsMac_isNotTrusted_andReportedAsAProtocolError() throws Exception {
        try (Squatter squatter = Squatter.start(Integer.MAX_VALUE,
                hello -> Arrays.copyOf(Frames.okReply(chosen.toBytes(), new byte[32]), 8 + UniqueId.BYTES))) {
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousClient.fetch(LOOPBACK, squatter.port(), token, 1, CLIENT_DEADLINE));

            assertFalse(squatter.hellos().isEmpty(), "the squatter answered");
            assertTrue(e.getMessage().contains(" replies were malformed (the first: a OK reply has 168 bytes, got 136)"), e.getMessage());
            assertFalse(e.getMessage().contains("answered without knowing"), "a malformed reply may be a cut-off one of the real server");
        }
    }

    @Test
    void aSquatterNeverSeesTheToken_inAnyHello() throws Exception {
        try (Squatter squatter = Squatter.start(Integer.MAX_VALUE, hello -> Frames.okReply(chosen.toBytes(), new byte[32]))) {
            assertThrows(RendezvousException.class, () -> RendezvousClient.fetch(LOOPBACK, squatter.port(), token, 2, CLIENT_DEADLINE));

            List<byte[]> hellos = squatter.hellos();
            assertFalse(hellos.isEmpty());
            byte[] raw = token.toBytes();
            byte[] hexLower = token.toHex().getBytes(StandardCharsets.US_ASCII);
            byte[] hexUpper = token.toHex().toUpperCase().getBytes(StandardCharsets.US_ASCII);
            for (byte[] hello : hellos) {
                assertEquals(Frames.HELLO, hello.length);
                assertFalse(Peers.contains(hello, raw), "the token's bytes");
                assertFalse(Peers.contains(hello, hexLower) || Peers.contains(hello, hexUpper), "the token in hex");
                assertTrue(Frames.signedWith(hello, raw), "but a hello signed with it");
            }
            if (hellos.size() > 1) assertFalse(Arrays.equals(Frames.nonce(hellos.get(0)), Frames.nonce(hellos.get(1))), "a fresh nonce each time");
        }
    }

    @Test
    void aReplayedReplyOfARealExchange_isRefused() throws Exception {
        UniqueId real = Peers.randomId();
        byte[] recorded;
        byte[] recordedNonce = RendezvousProtocol.newNonce();
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 2, token, real)) {
            recorded = Peers.exchange(server.port(), RendezvousProtocol.encodeHello(1, recordedNonce, token));
        }
        assertTrue(Peers.contains(recorded, real.toBytes()), "the real server's ID");
        assertTrue(RendezvousProtocol.decodeReply(recorded).verifies(recordedNonce, 1, token), "a genuine reply for its own hello");

        try (Squatter squatter = Squatter.start(Integer.MAX_VALUE, hello -> recorded)) {
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousClient.fetch(LOOPBACK, squatter.port(), token, 1, CLIENT_DEADLINE));

            assertTrue(e.getMessage().contains("; a process on port " + squatter.port() + " answered without knowing this"
                    + " run's token ("), e.getMessage());
            assertTrue(e.getMessage().contains("the first: a OK reply with unique ID " + real.fingerprint()
                    + " whose MAC does not verify under this run's token for this hello)"), e.getMessage());
            for (byte[] hello : squatter.hellos()) assertFalse(Arrays.equals(recordedNonce, Frames.nonce(hello)), "nonces are fresh");
        }
    }

    @Test
    void aRankAnsweredFirstByASquatter_takesTheIdOfTheRealServerThatBindsThePortLater() throws Exception {
        UniqueId real = Peers.randomId();
        try (RecordedLog clientLog = RecordedLog.of(RendezvousClient.class);
             Squatter squatter = Squatter.start(1, hello -> Frames.okReply(chosen.toBytes(), new byte[32]))) {
            int port = squatter.port();
            CompletableFuture<UniqueId> fetched = CompletableFuture.supplyAsync(
                    () -> RendezvousClient.fetch(LOOPBACK, port, token, 1, Duration.ofSeconds(40)),
                    runnable -> Thread.ofVirtual().start(runnable));

            assertTrue(squatter.awaitGone(), "the squatter answered once and left");
            clientLog.awaitMessages(Level.WARNING, m -> m.equals("rendezvous: rank 1: a process on 127.0.0.1:" + port
                    + " answered without knowing this run's token (a OK reply with unique ID " + chosen.fingerprint()
                    + " whose MAC does not verify under this run's token for this hello); not trusted, trying again until the deadline"), 1);

            try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(port), 2, token, real)) {
                UniqueId got = fetched.get(Peers.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(real, got);
                assertNotEquals(chosen, got);
                server.awaitAllRanks(Peers.PATIENCE);
            }
        }
    }

    @Test
    void anUnauthenticatedRejection_endsTheFetchAtOnce_andSaysItMayComeFromAnotherProcess() throws Exception {
        try (Squatter squatter = Squatter.start(Integer.MAX_VALUE, hello -> Frames.replyHeader(3))) {
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousClient.fetch(LOOPBACK, squatter.port(), token, 1, Peers.PATIENCE));

            assertEquals(1, squatter.hellos().size(), "not retried");
            assertTrue(e.getMessage().endsWith("attempt 1, not retried; this rejection carries no proof of coming from this"
                    + " run's server: a process on port " + squatter.port() + " that does not know the token could have sent it"),
                    e.getMessage());
        }
    }
}
