package io.ncclffm.internal;

import static io.ncclffm.internal.CTypes.C_DEVICE_PTR;
import static io.ncclffm.internal.CTypes.C_INT;
import static io.ncclffm.internal.CTypes.C_POINTER;
import static io.ncclffm.internal.CTypes.C_SIZE_T;
import static io.ncclffm.internal.CTypes.C_STRING;
import static io.ncclffm.internal.CTypes.NCCL_UNIQUE_ID;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import io.ncclffm.NcclVersion;

/**
 * Raw bindings of nccl.h's version, error, unique-id and communicator-lifecycle functions. C names are kept and
 * nothing is checked here; each method's Javadoc is its C prototype. {@code ncclComm_t} is a host pointer and
 * travels as a {@link MemorySegment}.
 */
public final class NcclCoreApi {

    private static NcclVersion v(int major, int minor) {
        return NcclVersion.of(major, minor, 0);
    }

    private final Downcall ncclGetVersion;
    private final Downcall ncclGetUniqueId;
    private final Downcall ncclCommInitRank;
    private final Downcall ncclCommInitRankConfig;
    private final Downcall ncclCommInitAll;
    private final Downcall ncclCommFinalize;
    private final Downcall ncclCommDestroy;
    private final Downcall ncclCommAbort;
    private final Downcall ncclCommSplit;
    private final Downcall ncclGetErrorString;
    private final Downcall ncclGetLastError;
    private final Downcall ncclCommGetAsyncError;
    private final Downcall ncclCommCount;
    private final Downcall ncclCommCuDevice;
    private final Downcall ncclCommUserRank;
    private final Downcall ncclMemAlloc;
    private final Downcall ncclMemFree;
    private final Downcall ncclCommRegister;
    private final Downcall ncclCommDeregister;
    private final Downcall ncclCommWindowRegister;
    private final Downcall ncclCommWindowDeregister;
    private final Downcall ncclCommShrink;
    private final Downcall ncclCommInitRankScalable;
    private final Downcall ncclCommRevoke;
    private final Downcall ncclCommGetUniqueId;
    private final Downcall ncclCommGrow;

    public NcclCoreApi(NativeLibrary lib) {
        ncclGetVersion = lib.downcall("ncclGetVersion", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 3));
        ncclGetUniqueId = lib.downcall("ncclGetUniqueId", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 0));
        ncclCommInitRank = lib.downcall("ncclCommInitRank",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, NCCL_UNIQUE_ID, C_INT), v(2, 0));
        ncclCommInitRankConfig = lib.downcall("ncclCommInitRankConfig",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, NCCL_UNIQUE_ID, C_INT, C_POINTER), v(2, 14));
        ncclCommInitAll = lib.downcall("ncclCommInitAll",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER), v(2, 0));
        ncclCommFinalize = lib.downcall("ncclCommFinalize", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 14));
        ncclCommDestroy = lib.downcall("ncclCommDestroy", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 0));
        ncclCommAbort = lib.downcall("ncclCommAbort", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 4));
        ncclCommSplit = lib.downcall("ncclCommSplit",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER), v(2, 18));
        ncclGetErrorString = lib.downcall("ncclGetErrorString", FunctionDescriptor.of(C_STRING, C_INT), v(2, 0));
        ncclGetLastError = lib.downcall("ncclGetLastError", FunctionDescriptor.of(C_STRING, C_POINTER), v(2, 13));
        ncclCommGetAsyncError = lib.downcall("ncclCommGetAsyncError",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 4));
        ncclCommCount = lib.downcall("ncclCommCount", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 0));
        ncclCommCuDevice = lib.downcall("ncclCommCuDevice", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 0));
        ncclCommUserRank = lib.downcall("ncclCommUserRank", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 0));
        ncclMemAlloc = lib.downcall("ncclMemAlloc", FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T), v(2, 19));
        ncclMemFree = lib.downcall("ncclMemFree", FunctionDescriptor.of(C_INT, C_DEVICE_PTR), v(2, 19));
        ncclCommRegister = lib.downcall("ncclCommRegister", FunctionDescriptor.of(C_INT, C_POINTER, C_DEVICE_PTR, C_SIZE_T, C_POINTER), v(2, 19));
        ncclCommDeregister = lib.downcall("ncclCommDeregister", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 19));
        ncclCommWindowRegister = lib.downcall("ncclCommWindowRegister", FunctionDescriptor.of(C_INT, C_POINTER, C_DEVICE_PTR, C_SIZE_T, C_POINTER, C_INT), v(2, 27));
        ncclCommWindowDeregister = lib.downcall("ncclCommWindowDeregister", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), v(2, 27));
        ncclCommShrink = lib.downcall("ncclCommShrink", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT), v(2, 27));
        ncclCommInitRankScalable = lib.downcall("ncclCommInitRankScalable", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_POINTER, C_POINTER), v(2, 23));
        ncclCommRevoke = lib.downcall("ncclCommRevoke", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), NcclVersion.of(2, 28, 7));
        ncclCommGetUniqueId = lib.downcall("ncclCommGetUniqueId", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), NcclVersion.of(2, 29, 2));
        ncclCommGrow = lib.downcall("ncclCommGrow", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER), NcclVersion.of(2, 29, 2));
    }

    /** {@code ncclResult_t ncclGetVersion(int *version);} */
    public int ncclGetVersion(MemorySegment version) {
        try {
            return (int) ncclGetVersion.handle().invokeExact(version);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId);} */
    public int ncclGetUniqueId(MemorySegment uniqueId) {
        try {
            return (int) ncclGetUniqueId.handle().invokeExact(uniqueId);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank);} */
    public int ncclCommInitRank(MemorySegment comm, int nranks, MemorySegment commId, int rank) {
        try {
            return (int) ncclCommInitRank.handle().invokeExact(comm, nranks, commId, rank);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclCommInitRankConfig(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank,
     * ncclConfig_t* config);}
     */
    public int ncclCommInitRankConfig(MemorySegment comm, int nranks, MemorySegment commId, int rank, MemorySegment config) {
        try {
            return (int) ncclCommInitRankConfig.handle().invokeExact(comm, nranks, commId, rank, config);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommInitAll(ncclComm_t* comm, int ndev, const int* devlist);} */
    public int ncclCommInitAll(MemorySegment comms, int ndev, MemorySegment devlist) {
        try {
            return (int) ncclCommInitAll.handle().invokeExact(comms, ndev, devlist);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommFinalize(ncclComm_t comm);} */
    public int ncclCommFinalize(MemorySegment comm) {
        try {
            return (int) ncclCommFinalize.handle().invokeExact(comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommDestroy(ncclComm_t comm);} */
    public int ncclCommDestroy(MemorySegment comm) {
        try {
            return (int) ncclCommDestroy.handle().invokeExact(comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommAbort(ncclComm_t comm);} */
    public int ncclCommAbort(MemorySegment comm) {
        try {
            return (int) ncclCommAbort.handle().invokeExact(comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclCommSplit(ncclComm_t comm, int color, int key, ncclComm_t *newcomm,
     * ncclConfig_t* config);}
     */
    public int ncclCommSplit(MemorySegment comm, int color, int key, MemorySegment newcomm, MemorySegment config) {
        try {
            return (int) ncclCommSplit.handle().invokeExact(comm, color, key, newcomm, config);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code const char* ncclGetErrorString(ncclResult_t result);} */
    public MemorySegment ncclGetErrorString(int result) {
        try {
            return (MemorySegment) ncclGetErrorString.handle().invokeExact(result);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code const char* ncclGetLastError(ncclComm_t comm);} */
    public MemorySegment ncclGetLastError(MemorySegment comm) {
        try {
            return (MemorySegment) ncclGetLastError.handle().invokeExact(comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *asyncError);} */
    public int ncclCommGetAsyncError(MemorySegment comm, MemorySegment asyncError) {
        try {
            return (int) ncclCommGetAsyncError.handle().invokeExact(comm, asyncError);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommCount(const ncclComm_t comm, int* count);} */
    public int ncclCommCount(MemorySegment comm, MemorySegment count) {
        try {
            return (int) ncclCommCount.handle().invokeExact(comm, count);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device);} */
    public int ncclCommCuDevice(MemorySegment comm, MemorySegment device) {
        try {
            return (int) ncclCommCuDevice.handle().invokeExact(comm, device);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank);} */
    public int ncclCommUserRank(MemorySegment comm, MemorySegment rank) {
        try {
            return (int) ncclCommUserRank.handle().invokeExact(comm, rank);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclMemAlloc(void** ptr, size_t size);} */
    public int ncclMemAlloc(MemorySegment ptr, long size) {
        try {
            return (int) ncclMemAlloc.handle().invokeExact(ptr, size);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclMemFree(void *ptr);} */
    public int ncclMemFree(long ptr) {
        try {
            return (int) ncclMemFree.handle().invokeExact(ptr);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommRegister(const ncclComm_t comm, void* buff, size_t size, void** handle);} */
    public int ncclCommRegister(MemorySegment comm, long buff, long size, MemorySegment handle) {
        try {
            return (int) ncclCommRegister.handle().invokeExact(comm, buff, size, handle);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommDeregister(const ncclComm_t comm, void* handle);} */
    public int ncclCommDeregister(MemorySegment comm, MemorySegment handle) {
        try {
            return (int) ncclCommDeregister.handle().invokeExact(comm, handle);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommWindowRegister(ncclComm_t comm, void* buff, size_t size, ncclWindow_t* win, int winFlags);} */
    public int ncclCommWindowRegister(MemorySegment comm, long buff, long size, MemorySegment win, int winFlags) {
        try {
            return (int) ncclCommWindowRegister.handle().invokeExact(comm, buff, size, win, winFlags);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommWindowDeregister(ncclComm_t comm, ncclWindow_t win);} */
    public int ncclCommWindowDeregister(MemorySegment comm, MemorySegment win) {
        try {
            return (int) ncclCommWindowDeregister.handle().invokeExact(comm, win);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommShrink(ncclComm_t comm, int* excludeRanksList, int excludeRanksCount, ncclComm_t* newcomm, ncclConfig_t* config, int shrinkFlags);} */
    public int ncclCommShrink(MemorySegment comm, MemorySegment excludeRanksList, int excludeRanksCount, MemorySegment newcomm, MemorySegment config, int shrinkFlags) {
        try {
            return (int) ncclCommShrink.handle().invokeExact(comm, excludeRanksList, excludeRanksCount, newcomm, config, shrinkFlags);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommInitRankScalable(ncclComm_t* newcomm, int nranks, int myrank, int nId, ncclUniqueId* commIds, ncclConfig_t* config);} */
    public int ncclCommInitRankScalable(MemorySegment newcomm, int nranks, int myrank, int nId, MemorySegment commIds, MemorySegment config) {
        try {
            return (int) ncclCommInitRankScalable.handle().invokeExact(newcomm, nranks, myrank, nId, commIds, config);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommRevoke(ncclComm_t comm, int revokeFlags);} */
    public int ncclCommRevoke(MemorySegment comm, int revokeFlags) {
        try {
            return (int) ncclCommRevoke.handle().invokeExact(comm, revokeFlags);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommGetUniqueId(ncclComm_t comm, ncclUniqueId* uniqueId);} */
    public int ncclCommGetUniqueId(MemorySegment comm, MemorySegment uniqueId) {
        try {
            return (int) ncclCommGetUniqueId.handle().invokeExact(comm, uniqueId);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclCommGrow(ncclComm_t comm, int nRanks, const ncclUniqueId* uniqueId, int rank, ncclComm_t* newcomm, ncclConfig_t* config);} */
    public int ncclCommGrow(MemorySegment comm, int nRanks, MemorySegment uniqueId, int rank, MemorySegment newcomm, MemorySegment config) {
        try {
            return (int) ncclCommGrow.handle().invokeExact(comm, nRanks, uniqueId, rank, newcomm, config);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Whether the library exports {@code ncclGetLastError} (NCCL 2.13 and later). */
    public boolean hasLastError() {
        return ncclGetLastError.available();
    }
}
