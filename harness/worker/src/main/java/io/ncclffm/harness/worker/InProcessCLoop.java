package io.ncclffm.harness.worker;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * The perf mode's in-process reference: {@code ncclffm_allreduce_loop} and {@code ncclffm_sendrecv_loop} from
 * {@code perf/c-baseline/ncclffm_c_loop.c}, which make N back-to-back {@code ncclAllReduce} calls, or N groups of
 * {@code ncclSend} and {@code ncclRecv}, from C. Called once per trial through one downcall, with the same
 * communicator, buffers and stream as the binding's own loop, so the two can be timed in alternating trials and
 * differ only by the binding's per-call cost.
 *
 * <p>NCCL's functions are looked up in the same library file the binding loaded; the dynamic loader hands out the
 * already-loaded instance, so both loops drive one NCCL. The sendrecv loop is there when the loop library has it
 * and the release has {@code ncclSend} (2.7+).
 */
final class InProcessCLoop implements AutoCloseable {

    static final String SYMBOL = "ncclffm_allreduce_loop";
    static final String SENDRECV_SYMBOL = "ncclffm_sendrecv_loop";

    private final Arena arena = Arena.ofShared();
    private final MethodHandle loop;
    private final MemorySegment allReduce;
    /** {@code null} when the loop library or the release lacks it. */
    private final MethodHandle sendRecvLoop;
    private final MemorySegment[] sendRecvCalls;

    private InProcessCLoop(Path loopLibrary, Path ncclLibrary) {
        try {
            SymbolLookup loops;
            try {
                loops = SymbolLookup.libraryLookup(loopLibrary, arena);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(WorkerConfig.PERF_C_LOOP + "=" + loopLibrary + " could not be loaded: " + e.getMessage(), e);
            }
            MemorySegment fn = loops.find(SYMBOL).orElseThrow(() -> new IllegalArgumentException(
                    WorkerConfig.PERF_C_LOOP + "=" + loopLibrary + " has no symbol " + SYMBOL + "; build it with perf/c-baseline/build.sh"));
            this.loop = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            SymbolLookup nccl = SymbolLookup.libraryLookup(ncclLibrary, arena);
            this.allReduce = nccl.find("ncclAllReduce").orElseThrow(
                    () -> new IllegalArgumentException(ncclLibrary + " has no symbol ncclAllReduce"));
            MemorySegment[] calls = java.util.stream.Stream.of("ncclGroupStart", "ncclSend", "ncclRecv", "ncclGroupEnd")
                    .map(name -> nccl.find(name).orElse(null)).toArray(MemorySegment[]::new);
            MemorySegment sendRecvFn = loops.find(SENDRECV_SYMBOL).orElse(null);
            boolean p2p = sendRecvFn != null && java.util.Arrays.stream(calls).allMatch(java.util.Objects::nonNull);
            this.sendRecvCalls = p2p ? calls : null;
            this.sendRecvLoop = p2p ? Linker.nativeLinker().downcallHandle(sendRecvFn, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, JAVA_LONG, JAVA_INT)) : null;
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Loads the loop library; every error names the variable and the path, or the NCCL library that lacks the call. */
    static InProcessCLoop load(Path loopLibrary, Path ncclLibrary) {
        if (!Files.isRegularFile(loopLibrary)) {
            throw new IllegalArgumentException(WorkerConfig.PERF_C_LOOP + "=" + loopLibrary
                    + ": no such file; expected libncclffm_c_loop.so from perf/c-baseline/build.sh");
        }
        return new InProcessCLoop(loopLibrary, ncclLibrary);
    }

    /** {@code n} calls of {@code ncclAllReduce} from C; throws with NCCL's result code if one fails. */
    void allReduce(long send, long recv, long count, int dtype, int op, long comm, long stream, int n) {
        int rc;
        try {
            rc = (int) loop.invokeExact(allReduce, send, recv, count, dtype, op, MemorySegment.ofAddress(comm), stream, n);
        } catch (Throwable t) {
            throw new IllegalStateException("the in-process C loop failed: " + t, t);
        }
        if (rc != 0) throw new IllegalStateException("ncclAllReduce from the in-process C loop returned " + rc);
    }

    /** Whether the sendrecv loop is there: the loop library has it and the release has {@code ncclSend}. */
    boolean hasSendRecv() {
        return sendRecvLoop != null;
    }

    /**
     * {@code n} groups of {@code ncclSend} to {@code next} and {@code ncclRecv} from {@code prev}, from C; throws
     * with NCCL's result code if a call fails.
     */
    void sendRecv(long send, long recv, long count, int dtype, int next, int prev, long comm, long stream, int n) {
        if (sendRecvLoop == null) throw new IllegalStateException("the in-process C loop has no " + SENDRECV_SYMBOL);
        int rc;
        try {
            rc = (int) sendRecvLoop.invokeExact(sendRecvCalls[0], sendRecvCalls[1], sendRecvCalls[2], sendRecvCalls[3],
                    send, recv, count, dtype, next, prev, MemorySegment.ofAddress(comm), stream, n);
        } catch (Throwable t) {
            throw new IllegalStateException("the in-process C loop failed: " + t, t);
        }
        if (rc != 0) throw new IllegalStateException("ncclSend/ncclRecv from the in-process C loop returned " + rc);
    }

    @Override
    public void close() {
        arena.close();
    }
}
