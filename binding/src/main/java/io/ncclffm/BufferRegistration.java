package io.ncclffm;

import java.lang.foreign.MemorySegment;

/**
 * A buffer registered with a communicator by {@code ncclCommRegister} (NCCL 2.19+), which lets NCCL skip its
 * copies through internal buffers; {@link #close()} runs {@code ncclCommDeregister}. Close it before the
 * communicator and before the memory is freed.
 */
public final class BufferRegistration implements AutoCloseable {

    private final Communicator comm;
    private final MemorySegment handle;
    private final long address;
    private final long bytes;
    private boolean closed;

    BufferRegistration(Communicator comm, MemorySegment handle, long address, long bytes) {
        this.comm = comm;
        this.handle = handle;
        this.address = address;
        this.bytes = bytes;
    }

    /** The registered device address. */
    public long address() {
        return address;
    }

    /** The registered size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** Whether NCCL kept a registration (a handle); some releases accept the call and keep none. */
    public boolean registered() {
        return !handle.equals(MemorySegment.NULL);
    }

    /** NCCL's opaque registration handle. */
    public long handle() {
        return handle.address();
    }

    /** {@code ncclCommDeregister}; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        // A release that cannot register this buffer (2.19 without NVLS or CollNet) returns success and no handle;
        // there is nothing to deregister then, and ncclCommDeregister(NULL) is an error.
        if (handle.equals(MemorySegment.NULL)) return;
        comm.deregister(handle);
    }
}
