package io.ncclffm;

/**
 * One entry of {@code ncclWaitSignal}'s {@code ncclWaitSignalDesc_t} array: wait for {@code count} signals from
 * {@code peer} on signal index {@code signalIndex} and context {@code context}. NCCL up to 2.30.7 accepts only
 * index 0 and context 0.
 */
public record SignalWait(int peer, int count, int signalIndex, int context) {

    public SignalWait {
        if (count <= 0) throw new IllegalArgumentException("count must be positive, got " + count);
    }

    /** {@code count} signals from {@code peer} on index 0 and context 0. */
    public static SignalWait of(int peer, int count) {
        return new SignalWait(peer, count, 0, 0);
    }
}
