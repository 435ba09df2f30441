package io.ncclffm;

import java.time.Duration;
import java.util.Objects;

/**
 * How a communicator is created.
 *
 * @param blocking whether NCCL calls on the communicator block ({@code ncclConfig_t.blocking}); a non-blocking
 *                 communicator lets every wait, init included, run against {@code timeout}
 * @param timeout  how long a non-blocking init, collective enqueue or finalize may stay in progress before the
 *                 communicator is aborted
 */
public record InitOptions(boolean blocking, Duration timeout) {

    public InitOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** {@code ncclCommInitRank}: blocking, with no deadline NCCL could honour. */
    public static InitOptions blockingInit() {
        return new InitOptions(true, Duration.ofDays(365));
    }

    /** {@code ncclCommInitRankConfig} with {@code blocking = 0}, aborted after {@code timeout}. */
    public static InitOptions nonBlocking(Duration timeout) {
        return new InitOptions(false, timeout);
    }
}
