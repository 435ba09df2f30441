package io.ncclffm.harness.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import io.ncclffm.AsyncStatus;
import io.ncclffm.Communicator;
import io.ncclffm.Feature;
import io.ncclffm.InitOptions;
import io.ncclffm.Nccl;
import io.ncclffm.NcclException;
import io.ncclffm.UniqueId;
import io.ncclffm.device.DeviceBuffer;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceStream;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * The state one rank builds up while its checks run: the library, the unique ID, the device, and the one
 * communicator every collective check shares. Device buffers are allocated once at the largest size and reused.
 */
final class RankSession implements AutoCloseable {

    final WorkerConfig config;
    /** Where measurements made during a check go as they are made (the reporter's output). */
    final Consumer<WorkerEvent> events;
    Nccl nccl;
    UniqueId uniqueId;
    DeviceRuntime device;
    DeviceStream stream;
    Communicator comm;
    /** Why later checks cannot run, once something they depend on failed. */
    String blocker;
    /** How many times the communicator was re-created, for any reason (the unique ID's generation). */
    int generation;
    /** How many of those re-creations followed a timeout (an abort). */
    int recreatesAfterTimeouts;
    /** Re-creations since a collective last passed: fresh communicators that keep failing stop being made. */
    int recreatesSincePass;
    /** The check after which the communicator was last re-created, or {@code null}. */
    String lastRecreatedAfter;
    /** Perf mode: a blocking communicator, like the C baseline's; checks use a non-blocking one for timeouts. */
    boolean blockingCommunicator;

    private DeviceBuffer send;
    private DeviceBuffer recv;
    private final Arena hostArena = Arena.ofShared();
    private MemorySegment hostSend;
    private MemorySegment hostRecv;

    RankSession(WorkerConfig config, Consumer<WorkerEvent> events) {
        this.config = config;
        this.events = events;
    }

    /** A session whose measurements go nowhere, for tests of single checks. */
    RankSession(WorkerConfig config) {
        this(config, e -> { });
    }

    /** Non-blocking init bounded by the init timeout where the release has {@code ncclCommInitRankConfig}. */
    Communicator initCommunicator(int world, int rank, UniqueId id) {
        InitOptions options = !blockingCommunicator && nccl.supports(Feature.INIT_RANK_CONFIG)
                ? InitOptions.nonBlocking(config.timeouts().initBound())
                : InitOptions.blockingInit();
        return nccl.initRank(world, rank, id, options);
    }

    /**
     * Whether NCCL left the communicator unusable: a non-blocking communicator keeps the first error of a call and
     * returns it from every later one, so one rejected combination would otherwise fail everything after it.
     */
    boolean communicatorBroken() {
        if (comm == null) return false;
        if (!comm.isOpen()) return true;
        try {
            return !comm.asyncError().isSuccess();
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Replaces a broken or hung communicator: abort it, exchange a fresh unique ID (next generation), and init
     * again. Every rank does this after the same check, since NCCL rejects a call, or a collective hangs, the same
     * way on every rank.
     */
    void recreateCommunicator() {
        if (comm != null && comm.isOpen()) comm.abort();
        generation++;
        uniqueId = ExchangeChecks.exchange(this, generation);
        comm = initCommunicator(config.world(), config.rank(), uniqueId);
    }

    /** Device buffers of at least {@code bytes} each, reused across checks. */
    void ensureBuffers(long bytes) {
        if (send != null && send.bytes() >= bytes) return;
        releaseBuffers();
        long size = Math.max(bytes, 1 << 16);
        send = device.allocate(size);
        recv = device.allocate(size);
        hostSend = hostArena.allocate(size, 64);
        hostRecv = hostArena.allocate(size, 64);
    }

    long sendAddress() {
        return send.address();
    }

    long recvAddress() {
        return recv.address();
    }

    void upload(long dst, byte[] bytes) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, hostSend, 0, bytes.length);
        device.copyToDevice(dst, hostSend, bytes.length);
    }

    byte[] download(long src, int bytes) {
        device.copyToHost(hostRecv, src, bytes);
        return hostRecv.asSlice(0, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    void sync() {
        device.synchronize(stream, config.timeouts().collective());
    }

    /**
     * Waits for the collective just enqueued, then asks NCCL once whether it failed asynchronously. Every check
     * of a collective's values goes through here, so that a failure reports NCCL's own error, not only the values
     * it left behind.
     *
     * @return NCCL's asynchronous error, or {@code null} when it reported none or the release cannot say
     * @throws CheckFailure when the stream sync failed and NCCL reported an error as well
     */
    NcclException awaitCollective() {
        syncExplainingFailure();
        return asyncError();
    }

    /**
     * {@link #sync()}; when it fails, NCCL is asked whether it reported an error, and the failure carries both: a
     * timeout stays a timeout, any other device error becomes NCCL's. Without an NCCL error the device's exception
     * is rethrown as it is.
     */
    void syncExplainingFailure() {
        try {
            sync();
        } catch (DeviceException e) {
            NcclException async = asyncError();
            if (async == null) throw e;
            boolean timeout = e instanceof DeviceTimeoutException;
            throw new CheckFailure(timeout ? Cause.TIMEOUT : Cause.NCCL_ERROR,
                    (timeout ? e.getMessage() + "; " : "") + Outcome.describeAsync(async)
                            + (timeout ? "" : "; and the stream sync failed: " + e.getMessage()), e);
        }
    }

    /**
     * One {@code ncclCommGetAsyncError}: the error NCCL holds for the communicator, with its
     * {@code ncclGetErrorString} and {@code ncclGetLastError} text, or {@code null} when there is none, the
     * communicator is gone, or the release lacks the query.
     */
    NcclException asyncError() {
        if (comm == null || !comm.isOpen() || !nccl.supports(Feature.ABORT)) return null;
        try {
            AsyncStatus status = comm.asyncError();
            if (status.isSuccess() || status.inProgress()) return null;
            return new NcclException("ncclCommGetAsyncError", status.rawCode(), nccl.errorString(status.rawCode()),
                    comm.lastError());
        } catch (NcclException e) {
            return e;
        }
    }

    private void releaseBuffers() {
        if (send != null) send.close();
        if (recv != null) recv.close();
        send = null;
        recv = null;
    }

    @Override
    public void close() {
        try {
            if (comm != null && comm.isOpen()) comm.abort();
        } catch (RuntimeException ignored) {
            // leaving anyway; the process exits next
        }
        if (device != null) {
            try {
                releaseBuffers();
                if (stream != null) stream.close();
            } catch (RuntimeException ignored) {
                // a device in error state cannot free; the process exit releases it
            }
        }
        hostArena.close();
    }
}
