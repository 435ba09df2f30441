package io.ncclffm.device;

/** A non-blocking stream; {@link #address()} is the {@code cudaStream_t}/{@code hipStream_t} NCCL takes. */
public interface DeviceStream extends AutoCloseable {

    long address();

    /** Whether all work submitted so far has finished (non-blocking query). */
    boolean isIdle();

    @Override
    void close();
}
