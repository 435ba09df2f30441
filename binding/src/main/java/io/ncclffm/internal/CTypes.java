package io.ncclffm.internal;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/** The C types of nccl.h on LP64 Linux. */
public final class CTypes {

    private CTypes() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;
    /** {@code const char*} returned by NCCL: a NUL-terminated string of unknown length. */
    public static final AddressLayout C_STRING = ValueLayout.ADDRESS.withTargetLayout(
            MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    /**
     * A device address or a {@code cudaStream_t}/{@code hipStream_t}. Both are pointer-sized integers in the LP64
     * ABI; they are passed as {@code long} because they do not point into host memory, which is what
     * {@link java.lang.foreign.MemorySegment} describes.
     */
    public static final ValueLayout.OfLong C_DEVICE_PTR = ValueLayout.JAVA_LONG;

    /** {@code typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;} (128 bytes, passed by value). */
    public static final StructLayout NCCL_UNIQUE_ID = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, ValueLayout.JAVA_BYTE).withName("internal")).withName("ncclUniqueId");
}
