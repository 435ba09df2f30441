package io.ncclffm.harness.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

/** Test fixtures: random IDs, free ports, and a raw peer that sends arbitrary bytes. */
final class Peers {

    static final String LOOPBACK = "127.0.0.1";
    /**
     * How long to wait for something the server does just after it answers. Generous: it normally takes
     * milliseconds, and only bounds a test that would otherwise hang on a loaded machine.
     */
    static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Peers() {}

    static UniqueId randomId() {
        byte[] b = new byte[UniqueId.BYTES];
        RANDOM.nextBytes(b);
        return UniqueId.fromBytes(b);
    }

    /** A production hello for {@code rank} with a fresh nonce. */
    static byte[] hello(int rank, RendezvousToken token) {
        return RendezvousProtocol.encodeHello(rank, RendezvousProtocol.newNonce(), token);
    }

    /** Whether {@code needle} occurs anywhere in {@code haystack}. */
    static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) return true;
        }
        return false;
    }

    /** A port that was free a moment ago (nothing listens on it now). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /**
     * Sends {@code frame}, half-closes, and returns whatever the server sent back before closing; an empty array
     * when the connection broke (e.g. reset after an oversized frame).
     */
    static byte[] exchange(int port, byte[] frame) {
        try (Socket s = new Socket(LOOPBACK, port)) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            s.getOutputStream().write(frame);
            s.shutdownOutput();
            return s.getInputStream().readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The status word of a reply, or -1 when there is no whole header. */
    static int status(byte[] reply) {
        return reply.length < RendezvousProtocol.REPLY_HEADER_BYTES ? -1 : ((reply[6] & 0xff) << 8) | (reply[7] & 0xff);
    }

    /**
     * Matches {@code server}'s log line for one rejection of a loopback peer: the reason, then what was wrong, e.g.
     * {@code rendezvous /127.0.0.1:4711: rejected BAD_RANK from /127.0.0.1:50112: rank 4 not in [1, 4)}.
     */
    static Predicate<String> rejection(RendezvousServer server, RejectReason reason, String detail) {
        String start = "rendezvous " + server.address() + ": rejected " + reason + " from /" + LOOPBACK + ":";
        return m -> m.startsWith(start) && m.endsWith(": " + detail);
    }

    /** Any of {@code server}'s rejection lines. */
    static Predicate<String> anyRejection(RendezvousServer server) {
        return m -> m.startsWith("rendezvous " + server.address() + ": rejected ");
    }

    /** {@code server}'s rejection lines for {@code reason}, from any peer. */
    static Predicate<String> rejections(RendezvousServer server, RejectReason reason) {
        return m -> m.startsWith("rendezvous " + server.address() + ": rejected " + reason + " from ");
    }

    /** {@code server}'s line saying that further rejections for {@code reason} are only counted. */
    static Predicate<String> onlyCountedFromNowOn(RendezvousServer server, RejectReason reason) {
        return m -> m.equals("rendezvous " + server.address() + ": further " + reason
                + " rejections are counted, not logged; the counts follow when the server closes");
    }

    /** {@code server}'s closing line with the counts. */
    static Predicate<String> closingSummary(RendezvousServer server) {
        return m -> m.startsWith("rendezvous " + server.address() + ": closed; ");
    }

    /** Polls until the server has counted {@code n} rejections for {@code reason} (it counts some after closing). */
    static void awaitRejected(RendezvousServer server, RejectReason reason, long n) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (server.counters().rejected(reason) < n && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(n, server.counters().rejected(reason), () -> reason + " in " + server);
    }
}
