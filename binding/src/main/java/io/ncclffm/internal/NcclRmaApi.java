package io.ncclffm.internal;

import static io.ncclffm.internal.CTypes.C_DEVICE_PTR;
import static io.ncclffm.internal.CTypes.C_INT;
import static io.ncclffm.internal.CTypes.C_POINTER;
import static io.ncclffm.internal.CTypes.C_SIZE_T;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

import io.ncclffm.NcclVersion;

/**
 * Raw bindings of nccl.h's one-sided functions over windows (NCCL 2.29.2): put with signal, signal, wait for
 * signals, and the user pointer of a window. C names are kept and nothing is checked here; each method's Javadoc
 * is its C prototype. {@code ncclComm_t} and {@code ncclWindow_t} are host pointers ({@link MemorySegment});
 * device buffers and streams are {@code long}.
 */
public final class NcclRmaApi {

    /** NCCL 2.29.2 added all four functions (checked against the release tags' {@code src/nccl.h.in}). */
    public static final NcclVersion SINCE = NcclVersion.of(2, 29, 2);

    /**
     * {@code typedef struct { int opCnt; int peer; int sigIdx; int ctx; } ncclWaitSignalDesc_t;} (16 bytes, the same
     * from 2.29.2 to 2.30.7).
     */
    public static final StructLayout NCCL_WAIT_SIGNAL_DESC = MemoryLayout.structLayout(
            C_INT.withName("opCnt"), C_INT.withName("peer"), C_INT.withName("sigIdx"), C_INT.withName("ctx"))
            .withName("ncclWaitSignalDesc_t");

    /**
     * An array of {@link #NCCL_WAIT_SIGNAL_DESC}, one per entry of {@code {opCnt, peer, sigIdx, ctx}}, each field
     * written at the offset the layout gives it.
     */
    public static MemorySegment waitSignalDescs(Arena arena, List<int[]> descs) {
        MemorySegment out = arena.allocate(NCCL_WAIT_SIGNAL_DESC, descs.size());
        String[] fields = {"opCnt", "peer", "sigIdx", "ctx"};
        for (int i = 0; i < descs.size(); i++) {
            for (int f = 0; f < fields.length; f++) {
                long offset = i * NCCL_WAIT_SIGNAL_DESC.byteSize()
                        + NCCL_WAIT_SIGNAL_DESC.byteOffset(MemoryLayout.PathElement.groupElement(fields[f]));
                out.set(C_INT, offset, descs.get(i)[f]);
            }
        }
        return out;
    }

    private final Downcall ncclPutSignal;
    private final Downcall ncclSignal;
    private final Downcall ncclWaitSignal;
    private final Downcall ncclWinGetUserPtr;

    public NcclRmaApi(NativeLibrary lib) {
        ncclPutSignal = lib.downcall("ncclPutSignal", FunctionDescriptor.of(C_INT, C_DEVICE_PTR, C_SIZE_T, C_INT, C_INT,
                C_POINTER, C_SIZE_T, C_INT, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), SINCE);
        ncclSignal = lib.downcall("ncclSignal",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_DEVICE_PTR), SINCE);
        ncclWaitSignal = lib.downcall("ncclWaitSignal",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_DEVICE_PTR), SINCE);
        ncclWinGetUserPtr = lib.downcall("ncclWinGetUserPtr",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER), SINCE);
    }

    /**
     * {@code ncclResult_t ncclPutSignal(const void* localbuff, size_t count, ncclDataType_t datatype, int peer,
     * ncclWindow_t peerWin, size_t peerWinOffset, int sigIdx, int ctx, unsigned int flags, ncclComm_t comm,
     * cudaStream_t stream);}
     */
    public int ncclPutSignal(long localbuff, long count, int datatype, int peer, MemorySegment peerWin, long peerWinOffset,
                             int sigIdx, int ctx, int flags, MemorySegment comm, long stream) {
        try {
            return (int) ncclPutSignal.handle().invokeExact(localbuff, count, datatype, peer, peerWin, peerWinOffset,
                    sigIdx, ctx, flags, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclSignal(int peer, int sigIdx, int ctx, unsigned int flags, ncclComm_t comm,
     * cudaStream_t stream);}
     */
    public int ncclSignal(int peer, int sigIdx, int ctx, int flags, MemorySegment comm, long stream) {
        try {
            return (int) ncclSignal.handle().invokeExact(peer, sigIdx, ctx, flags, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * {@code ncclResult_t ncclWaitSignal(int nDesc, ncclWaitSignalDesc_t* signalDescs, ncclComm_t comm,
     * cudaStream_t stream);}
     */
    public int ncclWaitSignal(int nDesc, MemorySegment signalDescs, MemorySegment comm, long stream) {
        try {
            return (int) ncclWaitSignal.handle().invokeExact(nDesc, signalDescs, comm, stream);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclWinGetUserPtr(ncclComm_t comm, ncclWindow_t win, void** outUserPtr);} */
    public int ncclWinGetUserPtr(MemorySegment comm, MemorySegment win, MemorySegment outUserPtr) {
        try {
            return (int) ncclWinGetUserPtr.handle().invokeExact(comm, win, outUserPtr);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
