package io.ncclffm.harness.launch;

/** A running rank, as the observer of a cell run sees it: something that can be signalled. */
public interface RankHandle {

    int rank();

    /** Sends a POSIX signal by name ({@code KILL}, {@code STOP}, {@code CONT}, {@code TERM}). */
    void signal(String signal);

    /** Process id (process mode) or container id (container mode), for messages and cleanup checks. */
    String id();
}
