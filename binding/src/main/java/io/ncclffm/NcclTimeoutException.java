package io.ncclffm;

import java.time.Duration;

/**
 * A non-blocking NCCL operation did not complete within its deadline. The communicator involved has already been
 * aborted with {@code ncclCommAbort} when this is thrown, so no NCCL call is left running.
 */
public final class NcclTimeoutException extends NcclException {

    private final Duration timeout;

    public NcclTimeoutException(String operation, Duration timeout, String lastError) {
        super(operation, NcclResult.IN_PROGRESS.code(), null, lastError,
                "still in progress after " + timeout.toMillis() + " ms; the communicator was aborted with ncclCommAbort");
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
