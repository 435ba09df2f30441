package io.ncclffm.harness.rendezvous;

/** Rank 0 answered that it has no unique ID to give: its {@code ncclGetUniqueId} failed, and it says so at once. */
public final class NoUniqueIdException extends RendezvousException {

    public NoUniqueIdException(String message) {
        super(message);
    }
}
