package io.ncclffm.internal;

import static io.ncclffm.internal.CTypes.C_DEVICE_PTR;
import static io.ncclffm.internal.CTypes.C_INT;
import static io.ncclffm.internal.CTypes.C_POINTER;
import static io.ncclffm.internal.CTypes.C_SIZE_T;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.List;

import io.ncclffm.NcclVersion;

/**
 * Raw bindings of nccl.h's collective, point-to-point, group and reduction-operator functions. Device buffers
 * and streams are raw device addresses ({@code long}); nothing is checked here. Each method's Javadoc is its C
 * prototype. Where RCCL spells a function differently ({@code ncclAllToAll}), the binding takes either name.
 */
public final class NcclCollectiveApi {

    private static NcclVersion v(int major, int minor) {
        return NcclVersion.of(major, minor, 0);
    }

    private final Downcall ncclAllReduce;
    private final Downcall ncclBroadcast;
    private final Downcall ncclBcast;
    private final Downcall ncclReduce;
    private final Downcall ncclAllGather;
    private final Downcall ncclReduceScatter;
    private final Downcall ncclAlltoAll;
    private final Downcall ncclGather;
    private final Downcall ncclScatter;
    private final Downcall ncclSend;
    private final Downcall ncclRecv;
    private final Downcall ncclGroupStart;
    private final Downcall ncclGroupEnd;
    private final Downcall ncclRedOpCreatePreMulSum;
    private final Downcall ncclRedOpDestroy;
    private final Downcall ncclGroupSimulateEnd;

    public NcclCollectiveApi(NativeLibrary lib) {
        ncclAllReduce = lib.downcall("ncclAllReduce", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 0));
        ncclBroadcast = lib.downcall("ncclBroadcast", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 2));
        ncclBcast = lib.downcall("ncclBcast", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 0));
        ncclReduce = lib.downcall("ncclReduce", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 0));
        ncclAllGather = lib.downcall("ncclAllGather", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 0));
        ncclReduceScatter = lib.downcall("ncclReduceScatter", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 0));
        ncclAlltoAll = lib.downcall(List.of("ncclAlltoAll", "ncclAllToAll"), FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 28));
        ncclGather = lib.downcall("ncclGather", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 28));
        ncclScatter = lib.downcall("ncclScatter", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 28));
        ncclSend = lib.downcall("ncclSend", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 7));
        ncclRecv = lib.downcall("ncclRecv", FunctionDescriptor.of(C_INT,
                C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), v(2, 7));
        ncclGroupStart = lib.downcall("ncclGroupStart", FunctionDescriptor.of(C_INT), v(2, 0));
        ncclGroupEnd = lib.downcall("ncclGroupEnd", FunctionDescriptor.of(C_INT), v(2, 0));
        ncclRedOpCreatePreMulSum = lib.downcall("ncclRedOpCreatePreMulSum", FunctionDescriptor.of(C_INT,
                C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER), v(2, 11));
        ncclRedOpDestroy = lib.downcall("ncclRedOpDestroy", FunctionDescriptor.of(C_INT, C_INT, C_POINTER), v(2, 11));
        ncclGroupSimulateEnd = lib.downcall("ncclGroupSimulateEnd", FunctionDescriptor.of(C_INT, C_POINTER), v(2, 22));
    }

    /**
     * {@code ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count,
     * ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclAllReduce(long sendbuff, long recvbuff, long count, int datatype, int op, MemorySegment comm, long stream) {
        try {
            return (int) ncclAllReduce.handle().invokeExact(sendbuff, recvbuff, count, datatype, op, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count,
     * ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclBroadcast(long sendbuff, long recvbuff, long count, int datatype, int root, MemorySegment comm, long stream) {
        try {
            return (int) ncclBroadcast.handle().invokeExact(sendbuff, recvbuff, count, datatype, root, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclBcast(void* buff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm,
     * cudaStream_t stream);}
     */
    public int ncclBcast(long buff, long count, int datatype, int root, MemorySegment comm, long stream) {
        try {
            return (int) ncclBcast.handle().invokeExact(buff, count, datatype, root, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
     * ncclRedOp_t op, int root, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclReduce(long sendbuff, long recvbuff, long count, int datatype, int op, int root, MemorySegment comm, long stream) {
        try {
            return (int) ncclReduce.handle().invokeExact(sendbuff, recvbuff, count, datatype, op, root, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount,
     * ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclAllGather(long sendbuff, long recvbuff, long sendcount, int datatype, MemorySegment comm, long stream) {
        try {
            return (int) ncclAllGather.handle().invokeExact(sendbuff, recvbuff, sendcount, datatype, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount,
     * ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclReduceScatter(long sendbuff, long recvbuff, long recvcount, int datatype, int op, MemorySegment comm, long stream) {
        try {
            return (int) ncclReduceScatter.handle().invokeExact(sendbuff, recvbuff, recvcount, datatype, op, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclAlltoAll(const void* sendbuff, void* recvbuff, size_t count,
     * ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream);}
     * <br>RCCL (rccl.h): {@code ncclResult_t ncclAllToAll(...)}, the same parameters.
     */
    public int ncclAlltoAll(long sendbuff, long recvbuff, long count, int datatype, MemorySegment comm, long stream) {
        try {
            return (int) ncclAlltoAll.handle().invokeExact(sendbuff, recvbuff, count, datatype, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** The name this library exports all-to-all under: {@code ncclAlltoAll} (NCCL) or {@code ncclAllToAll} (RCCL). */
    public String ncclAlltoAllName() {
        return ncclAlltoAll.exportedName();
    }

    /**
     * {@code ncclResult_t ncclGather(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
     * int root, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclGather(long sendbuff, long recvbuff, long count, int datatype, int root, MemorySegment comm, long stream) {
        try {
            return (int) ncclGather.handle().invokeExact(sendbuff, recvbuff, count, datatype, root, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclScatter(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
     * int root, ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclScatter(long sendbuff, long recvbuff, long count, int datatype, int root, MemorySegment comm, long stream) {
        try {
            return (int) ncclScatter.handle().invokeExact(sendbuff, recvbuff, count, datatype, root, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclSend(const void* sendbuff, size_t count, ncclDataType_t datatype, int peer,
     * ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclSend(long sendbuff, long count, int datatype, int peer, MemorySegment comm, long stream) {
        try {
            return (int) ncclSend.handle().invokeExact(sendbuff, count, datatype, peer, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclRecv(void* recvbuff, size_t count, ncclDataType_t datatype, int peer,
     * ncclComm_t comm, cudaStream_t stream);}
     */
    public int ncclRecv(long recvbuff, long count, int datatype, int peer, MemorySegment comm, long stream) {
        try {
            return (int) ncclRecv.handle().invokeExact(recvbuff, count, datatype, peer, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclGroupStart();} */
    public int ncclGroupStart() {
        try {
            return (int) ncclGroupStart.handle().invokeExact();
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclGroupEnd();} */
    public int ncclGroupEnd() {
        try {
            return (int) ncclGroupEnd.handle().invokeExact();
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclRedOpCreatePreMulSum(ncclRedOp_t *op, void *scalar, ncclDataType_t datatype,
     * ncclScalarResidence_t residence, ncclComm_t comm);}
     */
    public int ncclRedOpCreatePreMulSum(MemorySegment op, MemorySegment scalar, int datatype, int residence, MemorySegment comm) {
        try {
            return (int) ncclRedOpCreatePreMulSum.handle().invokeExact(op, scalar, datatype, residence, comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclRedOpDestroy(ncclRedOp_t op, ncclComm_t comm);} */
    public int ncclRedOpDestroy(int op, MemorySegment comm) {
        try {
            return (int) ncclRedOpDestroy.handle().invokeExact(op, comm);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclGroupSimulateEnd(ncclSimInfo_t* simInfo);} */
    public int ncclGroupSimulateEnd(MemorySegment simInfo) {
        try {
            return (int) ncclGroupSimulateEnd.handle().invokeExact(simInfo);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
