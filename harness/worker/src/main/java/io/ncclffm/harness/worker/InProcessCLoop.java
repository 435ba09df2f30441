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
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * The perf mode's in-process reference: the loops of {@code perf/c-baseline/ncclffm_c_loop.c}, which make N
 * back-to-back calls of one collective, or N groups of {@code ncclSend} and {@code ncclRecv}, from C. Called once
 * per trial through one downcall, with the same communicator, buffers and stream as the binding's own loop, so the
 * two can be timed in alternating trials and differ only by the binding's per-call cost.
 *
 * <p>NCCL's functions are looked up in the same library file the binding loaded; the dynamic loader hands out the
 * already-loaded instance, so both loops drive one NCCL. A collective has its loop when the loop library has the
 * loop and the release has the function ({@link #has}): {@code ncclAllReduce}, {@code ncclReduceScatter} and
 * {@code ncclBroadcast} go through {@code ncclffm_allreduce_loop} (one shape), {@code ncclAllGather} and
 * {@code ncclAlltoAll} (2.28+) through {@code ncclffm_two_buffer_loop}, {@code ncclReduce} through
 * {@code ncclffm_reduce_loop}, and sendrecv ({@code ncclSend}, 2.7+) through {@code ncclffm_sendrecv_loop}.
 */
final class InProcessCLoop implements AutoCloseable {

    static final String SYMBOL = "ncclffm_allreduce_loop";
    static final String SENDRECV_SYMBOL = "ncclffm_sendrecv_loop";
    static final String TWO_BUFFER_SYMBOL = "ncclffm_two_buffer_loop";
    static final String REDUCE_SYMBOL = "ncclffm_reduce_loop";

    private final Arena arena = Arena.ofShared();
    private final MethodHandle loop;
    /** {@code null} when the loop library or the release lacks it. */
    private final MethodHandle sendRecvLoop;
    private final MemorySegment[] sendRecvCalls;
    /** {@code null} when the loop library lacks it. */
    private final MethodHandle twoBufferLoop;
    private final MethodHandle reduceLoop;
    /** NCCL's function for each collective whose loop is there. */
    private final Map<Collective, NcclFunction> functions = new EnumMap<>(Collective.class);

    /** One of NCCL's functions: the name it was found under, and where. */
    private record NcclFunction(String name, MemorySegment address) {
    }

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
            if (!find(nccl, Collective.ALL_REDUCE, "ncclAllReduce")) {
                throw new IllegalArgumentException(ncclLibrary + " has no symbol ncclAllReduce");
            }
            MemorySegment[] calls = Stream.of("ncclGroupStart", "ncclSend", "ncclRecv", "ncclGroupEnd")
                    .map(name -> nccl.find(name).orElse(null)).toArray(MemorySegment[]::new);
            MemorySegment sendRecvFn = loops.find(SENDRECV_SYMBOL).orElse(null);
            boolean p2p = sendRecvFn != null && Arrays.stream(calls).allMatch(Objects::nonNull);
            this.sendRecvCalls = p2p ? calls : null;
            this.sendRecvLoop = p2p ? Linker.nativeLinker().downcallHandle(sendRecvFn, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, JAVA_LONG, JAVA_INT)) : null;
            MemorySegment twoBufferFn = loops.find(TWO_BUFFER_SYMBOL).orElse(null);
            this.twoBufferLoop = twoBufferFn == null ? null : Linker.nativeLinker().downcallHandle(twoBufferFn,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            MemorySegment reduceFn = loops.find(REDUCE_SYMBOL).orElse(null);
            this.reduceLoop = reduceFn == null ? null : Linker.nativeLinker().downcallHandle(reduceFn,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                            ADDRESS, JAVA_LONG, JAVA_INT));
            find(nccl, Collective.REDUCE_SCATTER, "ncclReduceScatter");
            find(nccl, Collective.BROADCAST, "ncclBroadcast");
            if (twoBufferLoop != null) {
                find(nccl, Collective.ALL_GATHER, "ncclAllGather");
                find(nccl, Collective.ALL_TO_ALL, "ncclAlltoAll", "ncclAllToAll");
            }
            if (reduceLoop != null) find(nccl, Collective.REDUCE, "ncclReduce");
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Takes {@code collective}'s function under the first of {@code names} the library exports; whether there was one. */
    private boolean find(SymbolLookup nccl, Collective collective, String... names) {
        for (String name : names) {
            var address = nccl.find(name);
            if (address.isPresent()) {
                functions.put(collective, new NcclFunction(name, address.get()));
                return true;
            }
        }
        return false;
    }

    /** Loads the loop library; every error names the variable and the path, or the NCCL library that lacks the call. */
    static InProcessCLoop load(Path loopLibrary, Path ncclLibrary) {
        if (!Files.isRegularFile(loopLibrary)) {
            throw new IllegalArgumentException(WorkerConfig.PERF_C_LOOP + "=" + loopLibrary
                    + ": no such file; expected libncclffm_c_loop.so from perf/c-baseline/build.sh");
        }
        return new InProcessCLoop(loopLibrary, ncclLibrary);
    }

    /** Whether the sendrecv loop is there: the loop library has it and the release has {@code ncclSend}. */
    boolean hasSendRecv() {
        return sendRecvLoop != null;
    }

    /** Whether {@code collective} has its loop: in the loop library and the release. */
    boolean has(Collective collective) {
        return collective == Collective.SEND_RECV ? hasSendRecv() : functions.containsKey(collective);
    }

    /**
     * {@code n} calls of {@code collective} from C with the binding's arguments: {@code opOrRoot} is the reduction
     * of an allReduce, reduceScatter or reduce and the root of a broadcast; {@code root} is a reduce's root.
     * Throws with NCCL's function and result code if a call fails.
     */
    void collective(Collective collective, long send, long recv, long count, int dtype, int opOrRoot, int root, long comm,
                    long stream, int n) {
        NcclFunction f = functions.get(collective);
        if (f == null) {
            throw new IllegalStateException("the in-process C loop has no loop for " + collective);
        }
        MemorySegment fn = f.address();
        MemorySegment c = MemorySegment.ofAddress(comm);
        int rc;
        try {
            rc = switch (collective) {
                case ALL_GATHER, ALL_TO_ALL -> (int) twoBufferLoop.invokeExact(fn, send, recv, count, dtype, c, stream, n);
                case REDUCE -> (int) reduceLoop.invokeExact(fn, send, recv, count, dtype, opOrRoot, root, c, stream, n);
                default -> (int) loop.invokeExact(fn, send, recv, count, dtype, opOrRoot, c, stream, n);
            };
        } catch (Throwable t) {
            throw new IllegalStateException("the in-process C loop failed: " + t, t);
        }
        if (rc != 0) throw new IllegalStateException(f.name() + " from the in-process C loop returned " + rc);
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
