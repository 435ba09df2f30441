package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import io.ncclffm.internal.CommConfig;
import io.ncclffm.internal.NcclCollectiveApi;
import io.ncclffm.internal.NcclCoreApi;

/**
 * One rank's {@code ncclComm_t}.
 *
 * <p><b>Closing is collective.</b> {@link #close()} runs {@code ncclCommFinalize} (where the release has it) and
 * {@code ncclCommDestroy}, which synchronise with the other ranks: every rank must close its communicator, and a
 * communicator is never left to the garbage collector. A rank that must leave without its peers calls
 * {@link #abort()} instead.
 *
 * <p>Device buffers and streams are raw device addresses ({@code CUdeviceptr}/{@code hipDeviceptr_t} and
 * {@code cudaStream_t}/{@code hipStream_t}, 0 for the default stream); the binding never owns device memory.
 * Collectives only enqueue work: completion is the stream's business.
 *
 * <p>A non-blocking communicator ({@link InitOptions#nonBlocking}) bounds every wait by its timeout; a wait
 * that runs out aborts the communicator and throws {@link NcclTimeoutException}.
 */
public final class Communicator implements AutoCloseable {

    private enum State { OPEN, ABORTED, CLOSED }

    private final Nccl nccl;
    private final NcclCoreApi core;
    private final NcclCollectiveApi api;
    private final MemorySegment comm;
    private final int world;
    private final int rank;
    private final InitOptions options;
    private volatile State state = State.OPEN;

    private Communicator(Nccl nccl, MemorySegment comm, int world, int rank, InitOptions options) {
        this.nccl = nccl;
        this.core = nccl.core();
        this.api = nccl.collectives();
        this.comm = comm;
        this.world = world;
        this.rank = rank;
        this.options = options;
    }

    static Communicator init(Nccl nccl, int world, int rank, UniqueId id, InitOptions options) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(options, "options");
        if (world < 1) throw new IllegalArgumentException("world size must be at least 1, got " + world);
        if (rank < 0 || rank >= world) {
            throw new IllegalArgumentException("rank must be in [0, " + world + "), got " + rank);
        }
        if (!options.blocking()) nccl.require(Feature.INIT_RANK_CONFIG);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment idValue = id.toSegment(arena);
            if (options.blocking()) {
                nccl.check("ncclCommInitRank", nccl.core().ncclCommInitRank(out, world, idValue, rank), MemorySegment.NULL);
                return new Communicator(nccl, out.get(ValueLayout.ADDRESS, 0), world, rank, options);
            }
            MemorySegment config = CommConfig.allocate(arena, false);
            int rc = nccl.core().ncclCommInitRankConfig(out, world, idValue, rank, config);
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
            if (rc != NcclResult.SUCCESS.code() && rc != NcclResult.IN_PROGRESS.code()) {
                String last = nccl.lastError(handle);
                if (!handle.equals(MemorySegment.NULL) && nccl.supports(Feature.ABORT)) nccl.core().ncclCommAbort(handle);
                throw new NcclException("ncclCommInitRankConfig", rc, nccl.errorString(rc), last);
            }
            Communicator c = new Communicator(nccl, handle, world, rank, options);
            c.awaitReady("ncclCommInitRankConfig");
            return c;
        }
    }

    /** {@code ncclCommCount}. */
    public int count() {
        return queryInt("ncclCommCount");
    }

    /** {@code ncclCommUserRank}. */
    public int userRank() {
        return queryInt("ncclCommUserRank");
    }

    /** {@code ncclCommCuDevice}: the device ordinal the communicator uses. */
    public int cuDevice() {
        return queryInt("ncclCommCuDevice");
    }

    private int queryInt(String op) {
        requireOpen(op);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            int rc = switch (op) {
                case "ncclCommCount" -> core.ncclCommCount(comm, out);
                case "ncclCommUserRank" -> core.ncclCommUserRank(comm, out);
                case "ncclCommCuDevice" -> core.ncclCommCuDevice(comm, out);
                default -> throw new IllegalStateException(op);
            };
            nccl.check(op, rc, comm);
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** {@code ncclCommGetAsyncError}: {@code ncclSuccess}, {@code ncclInProgress}, or the error a peer or kernel hit. */
    public AsyncStatus asyncError() {
        requireOpen("ncclCommGetAsyncError");
        nccl.require(Feature.ABORT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclCommGetAsyncError", core.ncclCommGetAsyncError(comm, out), comm);
            return AsyncStatus.of(out.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /**
     * {@code ncclGetLastError(comm)}: NCCL's own text for this communicator's last error, or {@code null} where the
     * release lacks the function or has nothing to say. Pairs with {@link #asyncError()}.
     */
    public String lastError() {
        requireOpen("ncclGetLastError");
        return nccl.lastError(comm);
    }

    /**
     * Waits until the communicator is no longer {@code ncclInProgress} (non-blocking init, enqueue or finalize).
     * On an error or when the timeout runs out, the communicator is aborted and the error thrown.
     */
    public void awaitReady() {
        awaitReady("ncclCommGetAsyncError");
    }

    private void awaitReady(String operation) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        int spins = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                nccl.check("ncclCommGetAsyncError", core.ncclCommGetAsyncError(comm, out), comm);
                int status = out.get(ValueLayout.JAVA_INT, 0);
                if (status == NcclResult.SUCCESS.code()) return;
                if (status != NcclResult.IN_PROGRESS.code()) {
                    String last = nccl.lastError(comm);
                    abortQuietly();
                    throw new NcclException(operation, status, nccl.errorString(status), last);
                }
                if (System.nanoTime() - deadline > 0) {
                    String last = nccl.lastError(comm);
                    abortQuietly();
                    throw new NcclTimeoutException(operation, options.timeout(), last);
                }
                if (spins++ < 2000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(200_000);
                }
            }
        }
    }

    /** Finishes a call: {@code ncclInProgress} on a non-blocking communicator is waited out, errors thrown. */
    private void complete(String operation, int rc) {
        if (rc == NcclResult.IN_PROGRESS.code() && !options.blocking()) {
            awaitReady(operation);
            return;
        }
        nccl.check(operation, rc, comm);
    }

    /** {@code ncclAllReduce}; in place when {@code sendBuf == recvBuf}. */
    public void allReduce(long sendBuf, long recvBuf, long count, DataType type, ReduceOp op, long stream) {
        checkCollective("ncclAllReduce", count, type);
        nccl.require(op);
        complete("ncclAllReduce", api.ncclAllReduce(sendBuf, recvBuf, count, type.code(), op.code(), comm, stream));
    }

    /** {@code ncclBroadcast} (out of place, NCCL 2.2+); in place when {@code sendBuf == recvBuf}. */
    public void broadcast(long sendBuf, long recvBuf, long count, DataType type, int root, long stream) {
        checkCollective("ncclBroadcast", count, type);
        checkRank("root", root);
        nccl.require(Feature.BROADCAST);
        complete("ncclBroadcast", api.ncclBroadcast(sendBuf, recvBuf, count, type.code(), root, comm, stream));
    }

    /** {@code ncclReduce}: the result lands in {@code recvBuf} on {@code root} only. */
    public void reduce(long sendBuf, long recvBuf, long count, DataType type, ReduceOp op, int root, long stream) {
        checkCollective("ncclReduce", count, type);
        nccl.require(op);
        checkRank("root", root);
        complete("ncclReduce", api.ncclReduce(sendBuf, recvBuf, count, type.code(), op.code(), root, comm, stream));
    }

    /** {@code ncclAllGather}: {@code recvBuf} holds {@code world * sendCount} elements. */
    public void allGather(long sendBuf, long recvBuf, long sendCount, DataType type, long stream) {
        checkCollective("ncclAllGather", sendCount, type);
        complete("ncclAllGather", api.ncclAllGather(sendBuf, recvBuf, sendCount, type.code(), comm, stream));
    }

    /** {@code ncclReduceScatter}: {@code sendBuf} holds {@code world * recvCount} elements. */
    public void reduceScatter(long sendBuf, long recvBuf, long recvCount, DataType type, ReduceOp op, long stream) {
        checkCollective("ncclReduceScatter", recvCount, type);
        nccl.require(op);
        complete("ncclReduceScatter", api.ncclReduceScatter(sendBuf, recvBuf, recvCount, type.code(), op.code(), comm, stream));
    }

    /**
     * {@code ncclAlltoAll} (NCCL 2.28+; RCCL's {@code ncclAllToAll}): block {@code j} of {@code sendBuf} goes to
     * rank {@code j}.
     */
    public void allToAll(long sendBuf, long recvBuf, long count, DataType type, long stream) {
        String op = api.ncclAlltoAllName();
        checkCollective(op, count, type);
        nccl.require(Feature.ALL_TO_ALL);
        complete(op, api.ncclAlltoAll(sendBuf, recvBuf, count, type.code(), comm, stream));
    }

    /** {@code ncclSend} (NCCL 2.7+). Pair with the peer's {@link #recv} inside a group. */
    public void send(long sendBuf, long count, DataType type, int peer, long stream) {
        checkCollective("ncclSend", count, type);
        checkRank("peer", peer);
        nccl.require(Feature.SEND_RECV);
        complete("ncclSend", api.ncclSend(sendBuf, count, type.code(), peer, comm, stream));
    }

    /** {@code ncclRecv} (NCCL 2.7+). */
    public void recv(long recvBuf, long count, DataType type, int peer, long stream) {
        checkCollective("ncclRecv", count, type);
        checkRank("peer", peer);
        nccl.require(Feature.SEND_RECV);
        complete("ncclRecv", api.ncclRecv(recvBuf, count, type.code(), peer, comm, stream));
    }

    private void checkCollective(String op, long count, DataType type) {
        requireOpen(op);
        if (count < 0) throw new IllegalArgumentException(op + ": count must not be negative, got " + count);
        nccl.require(type);
    }

    private void checkRank(String what, int r) {
        if (r < 0 || r >= world) throw new IllegalArgumentException(what + " must be in [0, " + world + "), got " + r);
    }

    private void requireOpen(String op) {
        State s = state;
        if (s != State.OPEN) {
            throw new IllegalStateException(op + " on a communicator that is " + s.name().toLowerCase() + ": " + this);
        }
    }

    /**
     * {@code ncclCommAbort}: frees the communicator and stops its pending work without waiting for the other ranks.
     * Safe to call from another thread while a collective or a non-blocking wait is pending.
     */
    public void abort() {
        if (state != State.OPEN) return;
        nccl.require(Feature.ABORT);
        state = State.ABORTED;
        int rc = core.ncclCommAbort(comm);
        if (rc != NcclResult.IN_PROGRESS.code()) nccl.check("ncclCommAbort", rc, MemorySegment.NULL);
    }

    private void abortQuietly() {
        if (state != State.OPEN || !nccl.supports(Feature.ABORT)) return;
        state = State.ABORTED;
        core.ncclCommAbort(comm);
    }

    /**
     * Collective: {@code ncclCommFinalize} where the release has it (waited out against the timeout on a
     * non-blocking communicator), then {@code ncclCommDestroy}. A communicator that was aborted is only marked
     * closed. If finalizing fails, the communicator is aborted so that nothing stays allocated.
     */
    @Override
    public void close() {
        State s = state;
        if (s == State.CLOSED) return;
        if (s == State.ABORTED) {
            state = State.CLOSED;
            return;
        }
        try {
            if (nccl.supports(Feature.FINALIZE)) {
                int rc = core.ncclCommFinalize(comm);
                if (!options.blocking() && (rc == NcclResult.IN_PROGRESS.code() || rc == NcclResult.SUCCESS.code())) {
                    awaitReady("ncclCommFinalize");
                } else {
                    nccl.check("ncclCommFinalize", rc, comm);
                }
            }
            nccl.check("ncclCommDestroy", core.ncclCommDestroy(comm), MemorySegment.NULL);
            state = State.CLOSED;
        } catch (RuntimeException e) {
            abortQuietly();
            state = State.CLOSED;
            throw e;
        }
    }

    public int world() {
        return world;
    }

    public int rank() {
        return rank;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** The raw {@code ncclComm_t} address, for interop with other native code. */
    public long address() {
        return comm.address();
    }

    public Nccl nccl() {
        return nccl;
    }

    @Override
    public String toString() {
        return "Communicator[rank " + rank + " of " + world + ", " + nccl.describe() + ", "
                + (options.blocking() ? "blocking" : "non-blocking") + ", " + state.name().toLowerCase() + "]";
    }
}
