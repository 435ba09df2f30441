package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

/**
 * Throws arbitrary bytes at a running server: random garbage, valid hellos with one byte flipped, truncated hellos,
 * a valid prefix followed by garbage, any rank and nonce, a MAC under another token, oversized frames. Whatever
 * arrives, the server hands the ID only to a well-formed hello whose MAC verifies under the run's token and whose
 * rank is in [1, world), with its own MAC over that hello's nonce and rank; it keeps its accept loop alive, serves a
 * good client right after, counts every rejection exactly once, logs the first
 * {@value RendezvousServer#LOGGED_PER_REASON} of each reason, and sums them all up when it closes.
 *
 * <p>The frames and the expected replies are built here from the documented layout ({@link Frames}), not with the
 * production encoder, so the oracle is independent of the code under test. The property-based tester is
 * QuickTheories (generation with shrinking, no test-engine integration needed); the seed is printed so a failing run
 * can be replayed.
 */
class RendezvousServerFuzzTest {

    private static final int WORLD = 4;
    private static final int TRIES = 1000;
    private static final int HELLO = Frames.HELLO;

    private final RendezvousToken token = RendezvousToken.random();
    private final UniqueId id = Peers.randomId();
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger authentic = new AtomicInteger();
    private RendezvousServer server;
    private RecordedLog serverLog;
    private long startNanos;

    private final long seed = System.nanoTime();

    @BeforeEach
    void startServer() {
        serverLog = RecordedLog.of(RendezvousServer.class);
        server = RendezvousServer.start(RendezvousServer.loopback(0), WORLD, token, id, Duration.ofMillis(500));
        startNanos = System.nanoTime();
    }

    @AfterEach
    void summarizeAndStop() throws InterruptedException {
        try {
            int n = tried.get();
            int valid = authentic.get();
            long deadline = System.nanoTime() + Peers.PATIENCE.toNanos(); // the last rejections may still be counting
            while (server.counters().rejectedTotal() < n - valid && System.nanoTime() < deadline) Thread.sleep(5);
            RendezvousCounters c = server.counters();
            System.out.printf("rendezvous fuzz (QuickTheories, seed %d): %d inputs sent in %.1f s (%d of them authentic"
                    + " hellos), each followed by a good client; server: %s%n", seed, n, (System.nanoTime() - startNanos) / 1e9, valid, c);
            assertEquals(n - valid, c.rejectedTotal(), "every inauthentic input rejected exactly once: " + c);
            assertEquals(n + valid, c.replies(), "an ID reply for each authentic input and each good client: " + c);
            int k = RendezvousServer.LOGGED_PER_REASON;
            for (RejectReason r : RejectReason.values()) {
                serverLog.awaitMessages(Level.WARNING, Peers.rejections(server, r), Math.min(c.rejected(r), k));
                serverLog.awaitMessages(Level.WARNING, Peers.onlyCountedFromNowOn(server, r), c.rejected(r) >= k ? 1 : 0);
            }

            server.close();
            boolean unlogged = c.rejected().values().stream().anyMatch(count -> count > k);
            assertEquals(List.of("rendezvous " + server.address() + ": closed; " + c
                            + (unlogged ? "; only the first " + k + " rejections of each reason were logged one by one" : "")),
                    serverLog.messages(c.rejectedTotal() > 0 ? Level.WARNING : Level.INFO).stream()
                            .filter(Peers.closingSummary(server)).toList(), "one closing line with all the counts");
        } finally {
            server.close();
            serverLog.close();
        }
    }

    @Test
    void anyBytes_getTheIdOnlyWhenTheyAreAnAuthenticHello_andAGoodClientIsServedRightAfter() {
        qt().withFixedSeed(seed).withExamples(TRIES).withShrinkCycles(50).forAll(frames())
                .describedAs(f -> HexFormat.of().formatHex(f))
                .checkAssert(this::sendAndCheck);
        // QuickTheories skips inputs it has generated before, so somewhat fewer than TRIES distinct frames are sent;
        // the summary line prints the exact number.
        assertTrue(tried.get() >= TRIES / 2, "tried only " + tried.get() + " inputs");
    }

    private void sendAndCheck(byte[] frame) {
        int n = tried.incrementAndGet();
        boolean isAuthentic = authentic(frame);
        if (isAuthentic) authentic.incrementAndGet();

        byte[] reply = Peers.exchange(server.port(), frame);

        assertEquals(isAuthentic, Peers.contains(reply, id.toBytes()), () -> "ID sent iff authentic; frame " + HexFormat.of().formatHex(frame));
        if (isAuthentic) {
            assertArrayEquals(Frames.genuineAnswer(frame, 0, id.toBytes(), token.toBytes()), reply,
                    "the documented OK reply, its MAC bound to this hello");
        } else {
            assertNotEquals(0, Peers.status(reply), "never status OK without the ID either");
            if (Frames.signedWith(frame, token.toBytes())) {
                assertArrayEquals(Frames.genuineAnswer(frame, 4, new byte[0], token.toBytes()), reply,
                        "a signed hello for a rank outside the world: the documented BAD_RANK reply, with its MAC");
            }
        }
        assertTrue(server.isServing(), "accept loop alive");
        assertEquals(0, server.counters().rejected(RejectReason.INTERNAL_ERROR), server::toString);
        assertEquals(id, RendezvousClient.fetch(LOOPBACK, server.port(), token, 1 + n % (WORLD - 1), Duration.ofSeconds(2)));
    }

    private Gen<byte[]> frames() {
        byte[] valid = Frames.hello(1, new byte[32], token.toBytes());
        Gen<Byte> anyByte = Generate.range(-128, 127).map(i -> (byte) (int) i);
        Gen<byte[]> anyNonce = Generate.byteArrays(Generate.constant(32), anyByte);
        Gen<byte[]> garbage = Generate.byteArrays(Generate.range(0, 200), anyByte);
        Gen<byte[]> oneByteFlipped = Generate.range(0, HELLO - 1).zip(Generate.range(1, 255), (at, mask) -> flip(valid, at, mask));
        Gen<byte[]> truncated = Generate.range(0, HELLO - 1).map(len -> Arrays.copyOf(valid, len));
        Gen<byte[]> prefixThenGarbage = Generate.range(0, HELLO).zip(Generate.byteArrays(Generate.range(1, 300), anyByte),
                (len, tail) -> concat(Arrays.copyOf(valid, len), tail));
        Gen<byte[]> anyRank = Generate.range(Integer.MIN_VALUE, Integer.MAX_VALUE)
                .zip(anyNonce, (rank, nonce) -> Frames.hello(rank, nonce, token.toBytes()));
        Gen<byte[]> otherToken = Generate.byteArrays(Generate.constant(RendezvousToken.BYTES), anyByte)
                .zip(anyNonce, (key, nonce) -> Frames.hello(1, nonce, key));
        Gen<byte[]> oversized = Generate.range(HELLO + 1, 64 * 1024).map(len -> Arrays.copyOf(valid, len));
        return Generate.frequency(List.of(
                Pair.of(3, garbage), Pair.of(4, oneByteFlipped), Pair.of(2, truncated), Pair.of(2, prefixThenGarbage),
                Pair.of(2, anyRank), Pair.of(1, otherToken), Pair.of(1, oversized), Pair.of(1, Generate.constant(valid))));
    }

    /** The oracle: exactly a documented hello, signed with this run's token, for a rank in [1, world). */
    private boolean authentic(byte[] frame) {
        return Frames.signedWith(frame, token.toBytes()) && Frames.rank(frame) >= 1 && Frames.rank(frame) < WORLD;
    }

    private static byte[] flip(byte[] frame, int at, int mask) {
        byte[] f = frame.clone();
        f[at] ^= (byte) mask;
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
