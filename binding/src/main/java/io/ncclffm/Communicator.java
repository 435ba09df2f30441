package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import io.ncclffm.internal.CommPropertiesLayout;
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
    private int world;
    private int rank;
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
        checkWorldAndRank(world, rank);
        if (!options.blocking() || options.hasConfig()) nccl.require(Feature.INIT_RANK_CONFIG);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment idValue = id.toSegment(arena);
            if (options.blocking() && !options.hasConfig()) {
                nccl.check("ncclCommInitRank", nccl.core().ncclCommInitRank(out, world, idValue, rank), MemorySegment.NULL);
                return new Communicator(nccl, out.get(ValueLayout.ADDRESS, 0), world, rank, options);
            }
            MemorySegment config = nccl.config(arena, options);
            int rc = nccl.core().ncclCommInitRankConfig(out, world, idValue, rank, config);
            return created(nccl, "ncclCommInitRankConfig", rc, out, world, rank, options);
        }
    }

    static void checkWorldAndRank(int world, int rank) {
        if (world < 1) throw new IllegalArgumentException("world size must be at least 1, got " + world);
        if (rank < 0 || rank >= world) {
            throw new IllegalArgumentException("rank must be in [0, " + world + "), got " + rank);
        }
    }

    /**
     * Finishes a call that creates a communicator into {@code out}: an error aborts what NCCL left behind and is
     * thrown with NCCL's words; a non-blocking communicator is waited out against the timeout. A world or rank
     * of -1 is asked of the new communicator once it is ready (split, shrink, grow decide them).
     */
    static Communicator created(Nccl nccl, String op, int rc, MemorySegment out, int world, int rank, InitOptions options) {
        MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
        if (rc != NcclResult.SUCCESS.code() && rc != NcclResult.IN_PROGRESS.code()) {
            String last = nccl.lastError(handle);
            if (!handle.equals(MemorySegment.NULL) && nccl.supports(Feature.ABORT)) nccl.core().ncclCommAbort(handle);
            throw new NcclException(op, rc, nccl.errorString(rc), last);
        }
        if (handle.equals(MemorySegment.NULL)) return null;
        Communicator c = new Communicator(nccl, handle, world, rank, options);
        if (rc == NcclResult.IN_PROGRESS.code() || !options.blocking()) c.awaitReady(op);
        if (world < 0) c.world = c.count();
        if (rank < 0) c.rank = c.userRank();
        return c;
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

    /**
     * Finishes a call that NCCL may run as a job of this communicator (registration, windows): on a non-blocking
     * communicator the call can return {@code ncclSuccess} while the job still runs, because NCCL does not pass on
     * its group's {@code ncclInProgress}; {@code ncclCommWindowRegister} even writes the window's handle from the
     * job. A call on the communicator before the job ends fails with "Attempt to use communicator before the
     * previous operation returned ncclSuccess". So on a non-blocking communicator the call is waited out whether
     * it answered {@code ncclSuccess} or {@code ncclInProgress}; errors are thrown.
     */
    private void settle(String operation, int rc) {
        if (jobMayStillRun(rc)) {
            awaitReady(operation);
            return;
        }
        nccl.check(operation, rc, comm);
    }

    /** Whether NCCL may still be running a job of this communicator after a call that answered {@code rc}. */
    private boolean jobMayStillRun(int rc) {
        return !options.blocking() && (rc == NcclResult.IN_PROGRESS.code() || rc == NcclResult.SUCCESS.code());
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

    /** {@code ncclAllReduce} with a {@link PreMulSumOp} made on this communicator for {@code type}. */
    public void allReduce(long sendBuf, long recvBuf, long count, DataType type, PreMulSumOp op, long stream) {
        checkCollective("ncclAllReduce", count, type);
        checkOp(op, type);
        complete("ncclAllReduce", api.ncclAllReduce(sendBuf, recvBuf, count, type.code(), op.code(), comm, stream));
    }

    /** {@code ncclReduce} with a {@link PreMulSumOp}; the result lands on {@code root} only. */
    public void reduce(long sendBuf, long recvBuf, long count, DataType type, PreMulSumOp op, int root, long stream) {
        checkCollective("ncclReduce", count, type);
        checkOp(op, type);
        checkRank("root", root);
        complete("ncclReduce", api.ncclReduce(sendBuf, recvBuf, count, type.code(), op.code(), root, comm, stream));
    }

    /** {@code ncclReduceScatter} with a {@link PreMulSumOp}. */
    public void reduceScatter(long sendBuf, long recvBuf, long recvCount, DataType type, PreMulSumOp op, long stream) {
        checkCollective("ncclReduceScatter", recvCount, type);
        checkOp(op, type);
        complete("ncclReduceScatter", api.ncclReduceScatter(sendBuf, recvBuf, recvCount, type.code(), op.code(), comm, stream));
    }

    private void checkOp(PreMulSumOp op, DataType type) {
        Objects.requireNonNull(op, "op");
        if (op.communicator() != this) throw new IllegalArgumentException(op + " belongs to another communicator: " + op.communicator());
        if (op.type() != type) {
            throw new IllegalArgumentException(op + " was made for " + op.type().shortName() + ", not " + type.shortName());
        }
        if (!op.isOpen()) throw new IllegalStateException(op + " is destroyed");
    }

    /** {@code ncclGather} (NCCL 2.28+): {@code recvBuf} on {@code root} holds {@code world * count} elements. */
    public void gather(long sendBuf, long recvBuf, long count, DataType type, int root, long stream) {
        checkCollective("ncclGather", count, type);
        checkRank("root", root);
        nccl.require(Feature.GATHER_SCATTER);
        complete("ncclGather", api.ncclGather(sendBuf, recvBuf, count, type.code(), root, comm, stream));
    }

    /** {@code ncclScatter} (NCCL 2.28+): block {@code j} of {@code sendBuf} on {@code root} goes to rank {@code j}. */
    public void scatter(long sendBuf, long recvBuf, long count, DataType type, int root, long stream) {
        checkCollective("ncclScatter", count, type);
        checkRank("root", root);
        nccl.require(Feature.GATHER_SCATTER);
        complete("ncclScatter", api.ncclScatter(sendBuf, recvBuf, count, type.code(), root, comm, stream));
    }

    /**
     * {@code ncclRedOpCreatePreMulSum} with a host scalar ({@code ncclScalarHostImmediate}): sum of each rank's
     * input times {@code scalar}, which is converted to {@code type} (float16 and bfloat16 round to nearest).
     */
    public PreMulSumOp createPreMulSum(double scalar, DataType type) {
        requireOpen("ncclRedOpCreatePreMulSum");
        nccl.require(type);
        nccl.require(Feature.PRE_MUL_SUM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = Scalars.encode(arena, scalar, type);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclRedOpCreatePreMulSum", api.ncclRedOpCreatePreMulSum(out, value, type.code(),
                    SCALAR_HOST_IMMEDIATE, comm), comm);
            return new PreMulSumOp(this, out.get(ValueLayout.JAVA_INT, 0), type, Double.toString(scalar));
        }
    }

    /**
     * {@code ncclRedOpCreatePreMulSum} with the scalar in device memory ({@code ncclScalarDevice}): one element
     * of {@code type} at {@code scalarAddress}, read when the collective runs.
     */
    public PreMulSumOp createPreMulSumOnDevice(long scalarAddress, DataType type) {
        requireOpen("ncclRedOpCreatePreMulSum");
        nccl.require(type);
        nccl.require(Feature.PRE_MUL_SUM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclRedOpCreatePreMulSum", api.ncclRedOpCreatePreMulSum(out, MemorySegment.ofAddress(scalarAddress),
                    type.code(), SCALAR_DEVICE, comm), comm);
            return new PreMulSumOp(this, out.get(ValueLayout.JAVA_INT, 0), type, "device 0x" + Long.toHexString(scalarAddress));
        }
    }

    /** {@code ncclScalarDevice}. */
    private static final int SCALAR_DEVICE = 0;
    /** {@code ncclScalarHostImmediate}. */
    private static final int SCALAR_HOST_IMMEDIATE = 1;

    void destroyOp(int code) {
        requireOpen("ncclRedOpDestroy");
        nccl.check("ncclRedOpDestroy", api.ncclRedOpDestroy(code, comm), comm);
    }

    /** {@code NCCL_SPLIT_NOCOLOR}: the rank joins no new communicator; {@link #split} returns {@code null}. */
    public static final int SPLIT_NOCOLOR = -1;

    /**
     * {@code ncclCommSplit} (NCCL 2.18+), collective over this communicator: ranks of the same {@code color} form a
     * new communicator, ordered by {@code key}; the new one inherits this one's configuration. Returns
     * {@code null} for {@link #SPLIT_NOCOLOR}.
     */
    public Communicator split(int color, int key) {
        return split(color, key, null);
    }

    /** {@link #split(int, int)} with its own options ({@code null}: inherit this communicator's). */
    public Communicator split(int color, int key, InitOptions childOptions) {
        requireOpen("ncclCommSplit");
        if (color < SPLIT_NOCOLOR) {
            throw new IllegalArgumentException("color must be >= 0 or SPLIT_NOCOLOR (-1), got " + color);
        }
        nccl.require(Feature.SPLIT);
        InitOptions effective = childOptions != null ? childOptions : options;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment config = childOptions == null ? MemorySegment.NULL : nccl.config(arena, childOptions);
            int rc = core.ncclCommSplit(comm, color, key, out, config);
            // On a non-blocking parent NCCL finishes the split on its own thread and writes *newcomm there; the
            // out-pointer must stay alive, and be waited for, until it does.
            if (color != SPLIT_NOCOLOR) awaitHandle("ncclCommSplit", rc, out);
            Communicator child = created(nccl, "ncclCommSplit", rc, out, -1, -1, effective);
            awaitParent("ncclCommSplit", rc);
            return child;
        }
    }

    /**
     * {@code ncclCommShrink} (NCCL 2.27+): a new communicator of every rank but {@code excludeRanks}, which the
     * remaining ranks call (the excluded ones do not). With {@code abortFirst} ({@code NCCL_SHRINK_ABORT}) this
     * communicator's pending operations are stopped first, as after a peer failed.
     *
     * @param childOptions the new communicator's options, or {@code null} to inherit this one's
     */
    public Communicator shrink(int[] excludeRanks, boolean abortFirst, InitOptions childOptions) {
        requireOpen("ncclCommShrink");
        Objects.requireNonNull(excludeRanks, "excludeRanks");
        for (int r : excludeRanks) checkRank("excluded rank", r);
        nccl.require(Feature.SHRINK);
        InitOptions effective = childOptions != null ? childOptions : options;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = excludeRanks.length == 0 ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_INT, excludeRanks);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment config = childOptions == null ? MemorySegment.NULL : nccl.config(arena, childOptions);
            int rc = core.ncclCommShrink(comm, list, excludeRanks.length, out, config, abortFirst ? SHRINK_ABORT : SHRINK_DEFAULT);
            boolean excluded = false;
            for (int r : excludeRanks) excluded |= r == rank;
            if (!excluded) awaitHandle("ncclCommShrink", rc, out);
            Communicator child = created(nccl, "ncclCommShrink", rc, out, -1, -1, effective);
            awaitParent("ncclCommShrink", rc);
            return child;
        }
    }

    /**
     * Waits until NCCL has written the new communicator's handle into {@code out} (a split or shrink on a
     * non-blocking parent returns {@code ncclInProgress} first), or the parent reports an error, or this
     * communicator's timeout runs out (then the parent is aborted, as with any other wait).
     */
    private void awaitHandle(String op, int rc, MemorySegment out) {
        if (rc != NcclResult.IN_PROGRESS.code() && rc != NcclResult.SUCCESS.code()) return;
        long deadline = System.nanoTime() + options.timeout().toNanos();
        int spins = 0;
        while (out.get(ValueLayout.ADDRESS, 0).equals(MemorySegment.NULL)) {
            AsyncStatus parent = asyncError();
            if (!parent.isSuccess() && !parent.inProgress()) {
                throw new NcclException(op, parent.rawCode(), nccl.errorString(parent.rawCode()), nccl.lastError(comm));
            }
            if (System.nanoTime() - deadline > 0) {
                String last = nccl.lastError(comm);
                abortQuietly();
                throw new NcclTimeoutException(op, options.timeout(), last);
            }
            if (spins++ < 2000) Thread.onSpinWait();
            else LockSupport.parkNanos(200_000);
        }
    }

    /**
     * After a split or shrink on a non-blocking parent (whether it returned {@code ncclInProgress} or
     * {@code ncclSuccess}): NCCL runs it as a job of this (the parent)
     * communicator, which reports {@code ncclInProgress} until the job has ended, well after the new handle is
     * written; a call on the parent before then fails with "Attempt to use communicator before the previous operation
     * returned ncclSuccess". So the parent is waited for too, under its own timeout.
     */
    private void awaitParent(String op, int rc) {
        if (jobMayStillRun(rc)) awaitReady(op);
    }

    /** {@code NCCL_SHRINK_DEFAULT}. */
    private static final int SHRINK_DEFAULT = 0x00;
    /** {@code NCCL_SHRINK_ABORT}. */
    private static final int SHRINK_ABORT = 0x01;

    /** {@code NCCL_REVOKE_DEFAULT}: the only flag value {@code ncclCommRevoke} accepts. */
    private static final int REVOKE_DEFAULT = 0x00;

    /**
     * {@code ncclCommRevoke} (NCCL 2.28.7+) with {@code NCCL_REVOKE_DEFAULT}: stops every operation in flight; the
     * communicator may then only be destroyed, split or shrunk ({@code ncclCommFinalize} is invalid after it).
     * On a non-blocking communicator the wait for quiescence runs against the timeout.
     */
    public void revoke() {
        requireOpen("ncclCommRevoke");
        nccl.require(Feature.REVOKE);
        int rc = core.ncclCommRevoke(comm, REVOKE_DEFAULT);
        if (rc == NcclResult.IN_PROGRESS.code()) {
            awaitReady("ncclCommRevoke");
        } else {
            nccl.check("ncclCommRevoke", rc, comm);
        }
        revoked = true;
    }

    private volatile boolean revoked;

    /**
     * {@code ncclCommGetUniqueId} (NCCL 2.29.2+): on this communicator's rank 0, the ID that the ranks joining
     * by {@link #grow} and {@link Nccl#joinByGrow} use.
     */
    public UniqueId newGrowId() {
        requireOpen("ncclCommGetUniqueId");
        nccl.require(Feature.GROW);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(io.ncclffm.internal.CTypes.NCCL_UNIQUE_ID);
            nccl.check("ncclCommGetUniqueId", core.ncclCommGetUniqueId(comm, id), comm);
            return UniqueId.fromSegment(id);
        }
    }

    /**
     * {@code ncclCommGrow} (NCCL 2.29.2+) on an existing rank: a new communicator of {@code newWorld} ranks, this
     * communicator's ranks keeping theirs. Rank 0 passes the ID from {@link #newGrowId()}, the others {@code null}.
     *
     * @param childOptions the new communicator's options, or {@code null} to inherit this one's
     */
    public Communicator grow(int newWorld, UniqueId rootId, InitOptions childOptions) {
        requireOpen("ncclCommGrow");
        if (newWorld < world) throw new IllegalArgumentException("newWorld must be at least " + world + ", got " + newWorld);
        nccl.require(Feature.GROW);
        InitOptions effective = childOptions != null ? childOptions : options;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = rootId == null ? MemorySegment.NULL : rootId.toSegment(arena);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment config = childOptions == null ? MemorySegment.NULL : nccl.config(arena, childOptions);
            int rc = core.ncclCommGrow(comm, newWorld, id, -1, out, config);
            awaitHandle("ncclCommGrow", rc, out);
            Communicator child = created(nccl, "ncclCommGrow", rc, out, newWorld, -1, effective);
            awaitParent("ncclCommGrow", rc);
            return child;
        }
    }

    /**
     * {@code ncclCommRegister} (NCCL 2.19+): registers {@code bytes} of device memory at {@code address} with this
     * communicator, for zero-copy collectives on it.
     */
    public BufferRegistration register(long address, long bytes) {
        requireOpen("ncclCommRegister");
        if (bytes <= 0) throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        nccl.require(Feature.REGISTER);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            settle("ncclCommRegister", core.ncclCommRegister(comm, address, bytes, out));
            return new BufferRegistration(this, out.get(ValueLayout.ADDRESS, 0), address, bytes);
        }
    }

    void deregister(MemorySegment handle) {
        requireOpen("ncclCommDeregister");
        settle("ncclCommDeregister", core.ncclCommDeregister(comm, handle));
    }

    /**
     * {@code ncclCommWindowRegister} (NCCL 2.27+), collective: registers {@code bytes} at {@code address} as a
     * window with {@code flags} ({@link Window#COLL_SYMMETRIC} for symmetric kernels; memory from
     * {@link Nccl#memAlloc}).
     */
    public Window registerWindow(long address, long bytes, int flags) {
        requireOpen("ncclCommWindowRegister");
        if (bytes <= 0) throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        nccl.require(Feature.WINDOW_REGISTER);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            settle("ncclCommWindowRegister", core.ncclCommWindowRegister(comm, address, bytes, out, flags));
            return new Window(this, out.get(ValueLayout.ADDRESS, 0), address, bytes, flags);
        }
    }

    void deregisterWindow(MemorySegment handle) {
        requireOpen("ncclCommWindowDeregister");
        settle("ncclCommWindowDeregister", core.ncclCommWindowDeregister(comm, handle));
    }

    // NCCL 2.29: properties, suspend/resume, memory statistics.

    /** {@code NCCL_SUSPEND_MEM}: {@link #suspend(int)} releases the communicator's dynamic GPU memory. */
    public static final int SUSPEND_MEM = 0x01;

    /**
     * {@code ncclCommQueryProperties} (NCCL 2.29.2+): rank, size, devices and device-API support as NCCL sees them.
     * The struct is written in the layout of the loaded release, up to {@link Nccl#NEWEST_KNOWN}.
     */
    public CommProperties properties() {
        requireOpen("ncclCommQueryProperties");
        nccl.require(Feature.QUERY_PROPERTIES);
        NcclVersion written = CommPropertiesLayout.versionFor(nccl.version());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment props = CommPropertiesLayout.allocate(arena, written);
            nccl.check("ncclCommQueryProperties", nccl.commState().ncclCommQueryProperties(comm, props), comm);
            return CommProperties.read(props, written);
        }
    }

    /**
     * {@code ncclCommSuspend} (NCCL 2.29.7+), collective: with {@link #SUSPEND_MEM} the communicator's scratch and
     * offload memory is released (offload copied to the host first) until {@link #resume()}. The communicator may
     * not be used in between; a communicator that shares resources with a split is refused by NCCL.
     */
    public void suspend(int flags) {
        requireOpen("ncclCommSuspend");
        nccl.require(Feature.SUSPEND_RESUME);
        settle("ncclCommSuspend", nccl.commState().ncclCommSuspend(comm, flags));
    }

    /** {@code ncclCommResume} (NCCL 2.29.7+), collective: regains what {@link #suspend(int)} released. */
    public void resume() {
        requireOpen("ncclCommResume");
        nccl.require(Feature.SUSPEND_RESUME);
        settle("ncclCommResume", nccl.commState().ncclCommResume(comm));
    }

    /** {@code ncclCommMemStats} (NCCL 2.29.7+): one statistic of NCCL's memory manager, an unsigned 64-bit value. */
    public long memStat(MemStat stat) {
        Objects.requireNonNull(stat, "stat");
        requireOpen("ncclCommMemStats");
        nccl.require(Feature.MEM_STATS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            nccl.check("ncclCommMemStats", nccl.commState().ncclCommMemStats(comm, stat.code(), out), comm);
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    // One-sided operations over windows, NCCL 2.29.2+ (Feature.SIGNAL, Feature.WINDOW_USER_PTR). NCCL runs them
    // only where the communicator has host RMA support (every rank reachable by CUDA P2P, or a GIN/RMA plugin);
    // elsewhere it refuses them with ncclInvalidArgument.

    /**
     * {@code ncclSignal}: enqueues on {@code stream} one signal to {@code peer} (this rank included) on
     * {@code signalIndex} and {@code context}, without data.
     */
    public void signal(int peer, int signalIndex, int context, long stream) {
        requireOpen("ncclSignal");
        checkRank("peer", peer);
        nccl.require(Feature.SIGNAL);
        complete("ncclSignal", nccl.rma().ncclSignal(peer, signalIndex, context, 0, comm, stream));
    }

    /**
     * {@code ncclPutSignal}: enqueues on {@code stream} a write of {@code count} elements from {@code localBuf}
     * (inside a {@link Window#COLL_SYMMETRIC} window of this communicator) into {@code peer}'s buffer of
     * {@code window} at {@code offsetBytes}, then a signal to {@code peer}. {@code window} is this rank's handle
     * of the window every rank registered together.
     */
    public void putSignal(long localBuf, long count, DataType type, int peer, Window window, long offsetBytes,
                          int signalIndex, int context, long stream) {
        checkCollective("ncclPutSignal", count, type);
        checkRank("peer", peer);
        Objects.requireNonNull(window, "window");
        if (offsetBytes < 0) throw new IllegalArgumentException("offsetBytes must not be negative, got " + offsetBytes);
        nccl.require(Feature.SIGNAL);
        complete("ncclPutSignal", nccl.rma().ncclPutSignal(localBuf, count, type.code(), peer, window.segment(),
                offsetBytes, signalIndex, context, 0, comm, stream));
    }

    /**
     * {@code ncclWaitSignal}: enqueues on {@code stream} a wait until every entry's signals have arrived. The wait
     * is on the device: nothing on the host blocks, and a wait whose signals never come holds the stream (bound it
     * by waiting for the stream with a timeout).
     */
    public void waitSignal(java.util.List<SignalWait> waits, long stream) {
        requireOpen("ncclWaitSignal");
        Objects.requireNonNull(waits, "waits");
        if (waits.isEmpty()) throw new IllegalArgumentException("waitSignal needs at least one SignalWait");
        for (SignalWait w : waits) checkRank("peer", w.peer());
        nccl.require(Feature.SIGNAL);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment descs = io.ncclffm.internal.NcclRmaApi.waitSignalDescs(arena, waits.stream()
                    .map(w -> new int[] {w.count(), w.peer(), w.signalIndex(), w.context()}).toList());
            complete("ncclWaitSignal", nccl.rma().ncclWaitSignal(waits.size(), descs, comm, stream));
        }
    }

    long windowUserPtr(MemorySegment window) {
        requireOpen("ncclWinGetUserPtr");
        nccl.require(Feature.WINDOW_USER_PTR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            nccl.check("ncclWinGetUserPtr", nccl.rma().ncclWinGetUserPtr(comm, window, out), comm);
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
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
            if (nccl.supports(Feature.FINALIZE) && !revoked) {
                settle("ncclCommFinalize", core.ncclCommFinalize(comm));
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
