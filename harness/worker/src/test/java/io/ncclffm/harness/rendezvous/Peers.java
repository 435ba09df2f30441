package io.ncclffm.harness.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Predicate;

import io.ncclffm.UniqueId;

/** Test fixtures: random IDs, free ports, and a raw peer that sends arbitrary bytes. */
final class Peers {

    static final String LOOPBACK = "127.0.0.1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Peers() {}

    static UniqueId randomId() {
        byte[] b = new byte[UniqueId.BYTES];
        RANDOM.nextBytes(b);
        return UniqueId.fromBytes(b);
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
            s.setSoTimeout(3_000);
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

    /** Polls until the server has counted {@code n} rejections for {@code reason} (it counts some after closing). */
    static void awaitRejected(RendezvousServer server, RejectReason reason, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (server.counters().rejected(reason) < n && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(n, server.counters().rejected(reason), () -> reason + " in " + server);
    }
}
