package io.ncclffm;

import java.util.List;

/**
 * No NCCL library could be loaded. The message lists every attempt: the path, where it came from (argument,
 * system property, environment variable, default), and why it was rejected.
 */
public final class NcclLoadException extends RuntimeException {

    private final List<LibraryAttempt> attempts;

    public NcclLoadException(List<LibraryAttempt> attempts) {
        super(format(attempts));
        this.attempts = List.copyOf(attempts);
    }

    private static String format(List<LibraryAttempt> attempts) {
        if (attempts.size() == 1) {
            return "cannot load NCCL: " + attempts.getFirst();
        }
        StringBuilder sb = new StringBuilder("cannot load NCCL; tried ").append(attempts.size()).append(" sources:");
        for (LibraryAttempt a : attempts) sb.append("\n  - ").append(a);
        return sb.toString();
    }

    public List<LibraryAttempt> attempts() {
        return attempts;
    }
}
