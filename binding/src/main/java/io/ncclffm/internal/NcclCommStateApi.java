package io.ncclffm.internal;

import static io.ncclffm.internal.CTypes.C_INT;
import static io.ncclffm.internal.CTypes.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import io.ncclffm.NcclVersion;

/**
 * Raw bindings of what NCCL 2.29 added to ask a communicator about itself and to park it: properties, suspend,
 * resume and memory statistics. C names are kept and nothing is checked here; each method's Javadoc is its C
 * prototype ({@code src/nccl.h.in} and {@code src/include/nccl_device/core.h} of the tag named).
 */
public final class NcclCommStateApi {

    private final Downcall ncclCommQueryProperties;
    private final Downcall ncclCommSuspend;
    private final Downcall ncclCommResume;
    private final Downcall ncclCommMemStats;

    public NcclCommStateApi(NativeLibrary lib) {
        ncclCommQueryProperties = lib.downcall("ncclCommQueryProperties",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), NcclVersion.of(2, 29, 2));
        ncclCommSuspend = lib.downcall("ncclCommSuspend", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), NcclVersion.of(2, 29, 7));
        ncclCommResume = lib.downcall("ncclCommResume", FunctionDescriptor.of(C_INT, C_POINTER), NcclVersion.of(2, 29, 7));
        ncclCommMemStats = lib.downcall("ncclCommMemStats",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER), NcclVersion.of(2, 29, 7));
    }

    /** {@code ncclResult_t ncclCommQueryProperties(ncclComm_t comm, ncclCommProperties_t* props);} (2.29.2) */
    public int ncclCommQueryProperties(MemorySegment comm, MemorySegment props) {
        try {
            return (int) ncclCommQueryProperties.handle().invokeExact(comm, props);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommSuspend(ncclComm_t comm, int flags);} (2.29.7) */
    public int ncclCommSuspend(MemorySegment comm, int flags) {
        try {
            return (int) ncclCommSuspend.handle().invokeExact(comm, flags);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommResume(ncclComm_t comm);} (2.29.7) */
    public int ncclCommResume(MemorySegment comm) {
        try {
            return (int) ncclCommResume.handle().invokeExact(comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommMemStats(ncclComm_t comm, ncclCommMemStat_t stat, uint64_t* value);} (2.29.7) */
    public int ncclCommMemStats(MemorySegment comm, int stat, MemorySegment value) {
        try {
            return (int) ncclCommMemStats.handle().invokeExact(comm, stat, value);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
