package io.ncclffm;

import io.ncclffm.internal.NcclCoreApi;

/**
 * Device memory from {@code ncclMemAlloc} (NCCL 2.19+), the allocation NCCL's registration and symmetric kernels
 * want; {@link #close()} hands it back with {@code ncclMemFree}. NCCL may round the size up to its granularity.
 * Not tied to a communicator; free it after every registration of it is closed.
 */
public final class NcclMemory implements AutoCloseable {

    private final Nccl nccl;
    private final NcclCoreApi core;
    private final long address;
    private final long bytes;
    private boolean freed;

    NcclMemory(Nccl nccl, long address, long bytes) {
        this.nccl = nccl;
        this.core = nccl.core();
        this.address = address;
        this.bytes = bytes;
    }

    /** The device address, for collectives and {@link Communicator#register}. */
    public long address() {
        return address;
    }

    /** The size asked for, in bytes. */
    public long bytes() {
        return bytes;
    }

    /** {@code ncclMemFree}; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (freed) return;
        freed = true;
        nccl.check("ncclMemFree", core.ncclMemFree(address), java.lang.foreign.MemorySegment.NULL);
    }

    @Override
    public String toString() {
        return "NcclMemory[0x" + Long.toHexString(address) + ", " + bytes + " bytes" + (freed ? ", freed" : "") + "]";
    }
}
