package io.ncclffm.harness.rendezvous;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Reply;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/**
 * A non-zero rank's side of the rendezvous: fetches the {@link UniqueId} from rank 0's {@link RendezvousServer}.
 *
 * <p>Rank 0 may not be listening yet, and in container mode its host name may not resolve yet, so every failure to
 * get a well-formed reply (refused, unknown host, reset, timed out, cut off) is retried with a short backoff
 * ({@value #FIRST_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms) until the overall deadline.
 *
 * <p>Each attempt sends a fresh nonce, and an answer counts only when its MAC proves that the server knows the run's
 * token and answered this very hello. A reply whose MAC does not verify comes from a process that is not this run's
 * server (one that took the port first, or a replay of another connection's reply); it is treated like no reply at
 * all and retried until the deadline, because the real server may yet come up there, and the deadline's error says
 * that a process on the port answered without knowing the token. An explicit rejection by the server is final and
 * is not retried: the same hello would be rejected again. Of those, a bad rank comes with the server's MAC; a bad
 * token, an unsupported version or a malformed hello cannot (the server does not know whom it is talking to), and
 * the error says that such a rejection may come from a process that is not this run's server.
 */
public final class RendezvousClient {

    static final long FIRST_BACKOFF_MS = 25;
    static final long MAX_BACKOFF_MS = 400;
    /** The last attempt starts at least this many milliseconds before the deadline, so that it has time to finish. */
    static final long LAST_TRY_MS = 20;

    private static final Logger log = System.getLogger(RendezvousClient.class.getName());

    private RendezvousClient() {}

    /**
     * Fetches the ID for {@code rank}. Connecting and reading are both bounded by the deadline; resolving the host
     * name is left to the system resolver and is not.
     *
     * @param host           rank 0's address: {@code 127.0.0.1} in process mode, its cell address or name in containers
     * @param port           the port rank 0's server listens on
     * @param token          the run's token, the same for every rank; it never leaves this process
     * @param rank           this rank, in {@code [1, world)}; rank 0 is the server
     * @param overallTimeout the deadline for all attempts together
     * @return the ID, identical for every rank of the run, from a server that proved it knows the token
     * @throws RendezvousException naming the address, the rank and the attempts, with the last error as cause, when
     *                             the deadline passes; or at once when the server rejects the hello
     */
    public static UniqueId fetch(String host, int port, RendezvousToken token, int rank, Duration overallTimeout) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be in [1, 65535], got " + port);
        if (rank < 1) throw new IllegalArgumentException("rank must be >= 1 (rank 0 serves the ID), got " + rank);
        if (overallTimeout.isNegative() || overallTimeout.isZero()) throw new IllegalArgumentException("overallTimeout must be positive");

        String where = host + ":" + port;
        long deadline = System.nanoTime() + overallTimeout.toNanos();
        long backoffMs = FIRST_BACKOFF_MS;
        Misses misses = new Misses();
        for (int attempt = 1; ; attempt++) {
            try {
                return accepted(exchange(host, port, rank, token, deadline), where, port, rank, attempt);
            } catch (UnverifiedReplyException e) {
                if (misses.unverified(e)) { // once: a process that keeps the port would otherwise fill the log
                    log.log(Level.WARNING, () -> "rendezvous: rank " + rank + ": a process on " + where
                            + " answered without knowing this run's token (" + e.getMessage() + "); not trusted,"
                            + " trying again until the deadline");
                }
            } catch (IOException e) {
                misses.failed(e);
                int attempts = attempt;
                log.log(Level.DEBUG, () -> "rendezvous: rank " + rank + " attempt " + attempts + " to " + where + " failed: " + e);
            }
            long sleepMs = Math.min(backoffMs, (deadline - System.nanoTime()) / 1_000_000 - LAST_TRY_MS);
            if (sleepMs <= 0) { // no room for another attempt
                throw new RendezvousException("rank " + rank + " could not fetch the unique ID from " + where + " within "
                        + overallTimeout + " after " + attempt + " attempts" + misses.describe(port), misses.last);
            }
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RendezvousException("rank " + rank + " was interrupted fetching the unique ID from " + where
                        + " after " + attempt + " attempts", e);
            }
            backoffMs = Math.min(2 * backoffMs, MAX_BACKOFF_MS);
        }
    }

    /** The ID of a reply from this run's server, or why the server had none or refused this rank (not retried). */
    private static UniqueId accepted(Reply reply, String where, int port, int rank, int attempt) {
        if (reply.status() == Status.NO_ID) {
            throw new NoUniqueIdException("rank 0 at " + where + " could not create the unique ID (ncclGetUniqueId failed there)");
        }
        if (reply.status() != Status.OK) {
            throw new RendezvousException("the rendezvous server at " + where + " rejected rank " + rank + ": "
                    + reply.status() + " (" + reply.status().meaning + "); attempt " + attempt + ", not retried"
                    + (reply.status().authenticated ? "" : "; this rejection carries no proof of coming from this"
                            + " run's server: a process on port " + port + " that does not know the token could have sent it"));
        }
        log.log(Level.INFO, () -> "rendezvous: rank " + rank + " got unique ID " + reply.id().fingerprint()
                + " from " + where + " on attempt " + attempt);
        return reply.id();
    }

    /**
     * The attempts that got no ID: the last cause, and what came back from the port kept apart from it, since at the
     * deadline the last cause is often just a timeout.
     */
    private static final class Misses {
        IOException last;
        int unverified;
        String firstUnverified;
        int malformed;
        String firstMalformed;

        /** Counts a reply whose MAC did not verify; whether it is the first. */
        boolean unverified(UnverifiedReplyException e) {
            last = e;
            if (++unverified > 1) return false;
            firstUnverified = e.getMessage();
            return true;
        }

        void failed(IOException e) {
            last = e;
            if (e instanceof ProtocolException && ++malformed == 1) firstMalformed = e.getMessage();
        }

        String describe(int port) {
            return (unverified == 0 ? "" : "; a process on port " + port + " answered without knowing this run's"
                    + " token (" + unverified + " replies whose MAC did not verify, none trusted; the first: "
                    + firstUnverified + ")")
                    + (malformed == 0 ? "" : "; " + malformed + " replies were malformed (the first: " + firstMalformed + ")")
                    + "; last cause: " + last;
        }
    }

    /**
     * One attempt: connect, send a hello with a fresh nonce, half-close, read the reply to end of stream, and check
     * the server's MAC where the status carries one.
     *
     * @throws UnverifiedReplyException when the reply's MAC does not verify for this token, nonce and rank
     */
    private static Reply exchange(String host, int port, int rank, RendezvousToken token, long deadline) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port); // resolves now, so a late DNS entry is picked up
        if (address.isUnresolved()) throw new UnknownHostException(host);
        byte[] nonce = RendezvousProtocol.newNonce();
        try (Socket socket = new Socket()) {
            socket.connect(address, RendezvousProtocol.millisLeft(deadline));
            socket.getOutputStream().write(RendezvousProtocol.encodeHello(rank, nonce, token));
            socket.shutdownOutput();
            byte[] stream = RendezvousProtocol.readUntilEof(socket, RendezvousProtocol.REPLY_OK_BYTES + 1, deadline);
            Reply reply = RendezvousProtocol.decodeReply(stream);
            if (reply.status().authenticated && !reply.verifies(nonce, rank, token)) throw new UnverifiedReplyException(reply);
            return reply;
        }
    }

    /** A well-formed reply whose MAC does not verify: whoever sent it does not know the token, or replayed it. */
    private static final class UnverifiedReplyException extends ProtocolException {
        UnverifiedReplyException(Reply reply) {
            super("a " + reply.status() + " reply" + (reply.id() == null ? "" : " with unique ID " + reply.id().fingerprint())
                    + " whose MAC does not verify under this run's token for this hello");
        }
    }
}
