package io.ncclffm.device;

/** Device memory owned by the caller; {@link #close()} frees it. */
public interface DeviceBuffer extends AutoCloseable {

    long address();

    long bytes();

    @Override
    void close();
}
