package io.ncclffm.harness.worker;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;

/**
 * Ends a check body with a failure whose cause the body knows but an exception type would not say, e.g. a stream
 * sync that failed after NCCL reported an asynchronous error. {@link Reporter} turns it into that outcome.
 */
final class CheckFailure extends RuntimeException {

    private final Cause failure;

    CheckFailure(Cause cause, String message, Throwable origin) {
        super(message, origin);
        if (cause.status() != CheckStatus.FAILED) throw new IllegalArgumentException("not a failure: " + cause);
        this.failure = cause;
    }

    Cause failureCause() {
        return failure;
    }
}
