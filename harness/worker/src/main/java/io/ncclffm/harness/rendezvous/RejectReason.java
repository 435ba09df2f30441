package io.ncclffm.harness.rendezvous;

import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/**
 * Why {@link RendezvousServer} turned a connection away. Each rejection is counted under its reason and ends that
 * connection; the server goes on serving. The first {@value RendezvousServer#LOGGED_PER_REASON} of each reason are
 * logged with the peer's address and what was wrong, the rest only counted (see {@link RendezvousServer}). Checks
 * run in the order listed, and the MAC is checked before the rank, so an unauthenticated peer learns nothing about
 * the world size.
 */
public enum RejectReason {
    /** The peer sent nothing, or not all of its hello, within the read timeout, or never half-closed. */
    TIMEOUT(null),
    /** The stream ended before a whole hello. */
    TRUNCATED(Status.MALFORMED),
    /** More bytes than a hello. */
    OVERSIZED(Status.MALFORMED),
    /** The hello did not start with the hello magic. */
    BAD_MAGIC(Status.MALFORMED),
    /** A protocol version this server does not speak. */
    BAD_VERSION(Status.UNSUPPORTED_VERSION),
    /** The reserved field was not zero. */
    BAD_RESERVED(Status.MALFORMED),
    /** The hello's MAC does not verify under the run's token: the peer does not know it, or the hello was altered. */
    BAD_TOKEN(Status.BAD_TOKEN),
    /** A well-authenticated hello for a rank outside [1, world). */
    BAD_RANK(Status.BAD_RANK),
    /** The connection failed under the server, e.g. reset by the peer. */
    IO_ERROR(null),
    /** A bug in the server's handler; counted so tests can insist on zero. */
    INTERNAL_ERROR(null);

    /** What the server answers, or {@code null} where it just closes the connection. */
    final Status reply;

    RejectReason(Status reply) {
        this.reply = reply;
    }
}
