package io.ncclffm.harness.library;

/** A library could not be resolved, fetched, found or verified; the message names the source and what went wrong. */
public final class LibraryException extends RuntimeException {

    public LibraryException(String message) {
        super(message);
    }

    public LibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
