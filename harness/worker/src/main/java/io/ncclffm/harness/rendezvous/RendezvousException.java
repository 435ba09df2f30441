package io.ncclffm.harness.rendezvous;

/**
 * The unique-ID rendezvous failed: the server could not bind, a client ran out of time or was rejected, or not every
 * rank fetched the ID in time. The message names the address, the rank(s) and what went wrong; the underlying
 * exception, where there is one, is the cause.
 */
public class RendezvousException extends RuntimeException {

    /** A failure with no underlying exception, e.g. a rank that never arrived. */
    public RendezvousException(String message) {
        super(message);
    }

    /** A failure caused by {@code cause}, e.g. the last connection error before a client's deadline. */
    public RendezvousException(String message, Throwable cause) {
        super(message, cause);
    }
}
