package io.ncclffm.harness.rendezvous;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.InetSocketAddress;
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
 * ({@value #FIRST_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms) until the overall deadline. An explicit
 * rejection by the server (bad token, bad rank, unsupported version, malformed hello) is final and is not retried:
 * the same hello would be rejected again.
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
     * @param token          the run's token, the same for every rank
     * @param rank           this rank, in {@code [1, world)}; rank 0 is the server
     * @param overallTimeout the deadline for all attempts together
     * @return the ID, identical for every rank of the run
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
        byte[] hello = RendezvousProtocol.encodeHello(rank, token);
        long deadline = System.nanoTime() + overallTimeout.toNanos();
        long backoffMs = FIRST_BACKOFF_MS;
        IOException last = null;
        for (int attempt = 1; ; attempt++) {
            try {
                Reply reply = exchange(host, port, hello, deadline);
                if (reply.status() == Status.NO_ID) {
                    throw new NoUniqueIdException("rank 0 at " + where + " could not create the unique ID (ncclGetUniqueId failed there)");
                }
                if (reply.status() != Status.OK) {
                    throw new RendezvousException("the rendezvous server at " + where + " rejected rank " + rank + ": "
                            + reply.status() + " (" + reply.status().meaning + "); attempt " + attempt + ", not retried");
                }
                int attempts = attempt;
                log.log(Level.INFO, () -> "rendezvous: rank " + rank + " got unique ID " + reply.id().fingerprint()
                        + " from " + where + " on attempt " + attempts);
                return reply.id();
            } catch (IOException e) {
                last = e;
                int attempts = attempt;
                log.log(Level.DEBUG, () -> "rendezvous: rank " + rank + " attempt " + attempts + " to " + where + " failed: " + e);
            }
            long sleepMs = Math.min(backoffMs, (deadline - System.nanoTime()) / 1_000_000 - LAST_TRY_MS);
            if (sleepMs <= 0) { // no room for another attempt
                throw new RendezvousException("rank " + rank + " could not fetch the unique ID from " + where + " within "
                        + overallTimeout + " after " + attempt + " attempts; last cause: " + last, last);
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

    /** One attempt: connect, send the hello, half-close, read the reply to end of stream. */
    private static Reply exchange(String host, int port, byte[] hello, long deadline) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port); // resolves now, so a late DNS entry is picked up
        if (address.isUnresolved()) throw new UnknownHostException(host);
        try (Socket socket = new Socket()) {
            socket.connect(address, RendezvousProtocol.millisLeft(deadline));
            socket.getOutputStream().write(hello);
            socket.shutdownOutput();
            byte[] stream = RendezvousProtocol.readUntilEof(socket, RendezvousProtocol.REPLY_OK_BYTES + 1, deadline);
            return RendezvousProtocol.decodeReply(stream);
        }
    }
}
