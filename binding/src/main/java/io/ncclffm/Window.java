package io.ncclffm;

import java.lang.foreign.MemorySegment;

/**
 * A buffer registered as a window by {@code ncclCommWindowRegister} (NCCL 2.27+); with {@link #COLL_SYMMETRIC}
 * on every rank (same size, memory from {@link Nccl#memAlloc}), NCCL may run its symmetric kernels on it.
 * {@link #close()} runs {@code ncclCommWindowDeregister}, which is collective.
 */
public final class Window implements AutoCloseable {

    /** {@code NCCL_WIN_DEFAULT}. */
    public static final int DEFAULT = 0x00;
    /** {@code NCCL_WIN_COLL_SYMMETRIC}: every rank registers a buffer of the same size for collectives. */
    public static final int COLL_SYMMETRIC = 0x01;

    private final Communicator comm;
    private final MemorySegment handle;
    private final long address;
    private final long bytes;
    private final int flags;
    private boolean closed;

    Window(Communicator comm, MemorySegment handle, long address, long bytes, int flags) {
        this.comm = comm;
        this.handle = handle;
        this.address = address;
        this.bytes = bytes;
        this.flags = flags;
    }

    /** The registered device address. */
    public long address() {
        return address;
    }

    /** The registered size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** The {@code winFlags} it was registered with. */
    public int flags() {
        return flags;
    }

    /** NCCL's {@code ncclWindow_t}. */
    public long handle() {
        return handle.address();
    }

    /**
     * {@code ncclWinGetUserPtr} (NCCL 2.29.2+): the buffer address NCCL holds for this window, which is the address
     * it was registered with.
     */
    public long userPtr() {
        return comm.windowUserPtr(handle);
    }

    /** The handle as a segment, for the one-sided calls of {@link Communicator}. */
    MemorySegment segment() {
        return handle;
    }

    /** {@code ncclCommWindowDeregister}; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        comm.deregisterWindow(handle);
    }
}
