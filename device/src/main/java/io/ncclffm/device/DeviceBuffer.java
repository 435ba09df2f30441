package io.ncclffm.device;

import java.util.function.LongConsumer;

/** Device memory owned by the caller; {@link #close()} frees it (once). */
public interface DeviceBuffer extends AutoCloseable {

    long address();

    long bytes();

    @Override
    void close();

    /** A buffer at {@code address} that {@code free} releases on the first {@link #close()}. */
    static DeviceBuffer owned(long address, long bytes, LongConsumer free) {
        return new DeviceBuffer() {
            private boolean freed;

            @Override
            public long address() {
                return address;
            }

            @Override
            public long bytes() {
                return bytes;
            }

            @Override
            public synchronized void close() {
                if (freed) return;
                freed = true;
                free.accept(address);
            }

            @Override
            public String toString() {
                return "DeviceBuffer[0x" + Long.toHexString(address) + ", " + bytes + " bytes]";
            }
        };
    }
}
