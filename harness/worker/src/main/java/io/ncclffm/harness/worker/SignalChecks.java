package io.ncclffm.harness.worker;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.NcclMemory;
import io.ncclffm.NcclResult;
import io.ncclffm.ReduceOp;
import io.ncclffm.SignalWait;
import io.ncclffm.Window;
import io.ncclffm.device.DeviceStream;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;

/**
 * NCCL 2.29.2's one-sided operations: signals to every rank, data put into every rank's window with a signal, and
 * a wait whose signal has not been sent. Each runs on a communicator split off for it and on a stream of its own,
 * because NCCL orders every later launch of a communicator behind a pending wait (its internal device stream joins
 * each launch), and a refused one-sided call leaves a non-blocking communicator broken: neither may reach the
 * session's communicator or stream. A wait that never ends ends the rank ({@link Outcome#callHung}), as a hung
 * collective does, since its stream can never be used again.
 *
 * <p>NCCL runs these only where the communicator has host RMA (every rank reachable by CUDA P2P in one LSA team,
 * or a GIN/RMA plugin); elsewhere it refuses the first call with {@code ncclInvalidArgument} and says so in its last
 * error, which the check reports as a skip naming NCCL's reason.
 */
final class SignalChecks {

    static final int COUNT = CheckCatalog.FEATURE_COUNT;
    static final Duration PENDING = CheckCatalog.UNMATCHED_WAIT_PENDING;
    /**
     * How NCCL's WARN begins and ends when the communicator cannot run one-sided operations (enqueue.cc's
     * rmaTaskAppend): "One sided RMA: host RMA is not supported in this communicator." from 2.29.7 on;
     * "... symmetric registration ..." or "... RMA proxy ..." in 2.29.2 and 2.29.3.
     */
    static final String NO_RMA_PREFIX = "One sided RMA:";
    static final String NO_RMA_SUFFIX = "is not supported in this communicator";

    private SignalChecks() {
    }

    // Host models.

    /** Rank r's block of the put-signal check: distinct per rank, so a block at the wrong offset shows. */
    static List<byte[]> inputs(int world) {
        return UserFeatureChecks.inputs(DataType.INT32, world, COUNT);
    }

    /** Every rank's window after each rank {@code r} put its block at offset {@code r * block}: the blocks in rank order. */
    static byte[] putSignalExpected(List<byte[]> inputs) {
        int block = COUNT * DataType.INT32.size();
        byte[] out = new byte[inputs.size() * block];
        for (int r = 0; r < inputs.size(); r++) System.arraycopy(inputs.get(r), 0, out, r * block, block);
        return out;
    }

    /** One wait descriptor per rank, one signal each: what every rank sent. */
    static List<SignalWait> oneFromEach(int world) {
        return IntStream.range(0, world).mapToObj(p -> SignalWait.of(p, 1)).toList();
    }

    /**
     * The unmatched wait's verdict from what the waiter saw: still pending at the end of {@link #PENDING} (the bound
     * a user's wait would time out at), then ended once the peers signalled.
     */
    static Outcome unmatchedWaitVerdict(boolean pendingThroughBound, boolean endedAfterSignals, int peers) {
        if (!pendingThroughBound) {
            return Outcome.failed(Cause.OTHER_FAILURE, "ncclWaitSignal for " + peers + " signal(s) ended within "
                    + PENDING.toMillis() + " ms although no peer had signalled yet: the wait did not wait");
        }
        if (!endedAfterSignals) {
            return Outcome.failed(Cause.TIMEOUT, "ncclWaitSignal stayed pending after every peer signalled");
        }
        return Outcome.passed("ncclWaitSignal stayed pending for " + PENDING.toMillis() + " ms with no signal sent (a "
                + "bounded wait times out), then ended once " + peers + " peer(s) signalled");
    }

    // Checks.

    static Outcome signalAllPeers(RankSession s) {
        try (Scope sc = Scope.open(s)) {
            Outcome refused = sc.signalEveryRank();
            if (refused != null) return refused;
            sc.comm.waitSignal(oneFromEach(s.config.world()), sc.stream.address());
            Outcome hung = sc.awaitStream("ncclWaitSignal");
            if (hung != null) return hung;
            return sc.ended(Outcome.passed("each of " + s.config.world() + " rank(s) got one ncclSignal from every rank, itself included"));
        }
    }

    static Outcome putSignalAllPeers(RankSession s) {
        int world = s.config.world();
        int rank = s.config.rank();
        long block = (long) COUNT * DataType.INT32.size();
        List<byte[]> in = inputs(world);
        s.ensureBuffers(world * block);
        try (Scope sc = Scope.open(s)) {
            NcclMemory src = sc.alloc(block);
            NcclMemory dst = sc.alloc(world * block);
            sc.register(src);
            Window dstWin = sc.register(dst);
            s.upload(src.address(), in.get(rank));
            s.upload(dst.address(), io.ncclffm.harness.semantics.InputPattern.sentinelFilled(DataType.INT32, world * COUNT));
            // No rank may put into a window before its owner has filled it: signals are the barrier.
            Outcome refused = sc.signalEveryRank();
            if (refused != null) return refused;
            sc.comm.waitSignal(oneFromEach(world), sc.stream.address());
            for (int p = 0; p < world; p++) {
                sc.comm.putSignal(src.address(), COUNT, DataType.INT32, p, dstWin, rank * block, 0, 0, sc.stream.address());
            }
            sc.comm.waitSignal(oneFromEach(world), sc.stream.address());
            Outcome hung = sc.awaitStream("ncclWaitSignal");
            if (hung != null) return hung;
            // Asked only here: without symmetric support NCCL registers no window and answers NULL, a case the
            // refusal above has already reported as a skip.
            long userPtr = dstWin.userPtr();
            if (userPtr != dst.address()) {
                return sc.ended(Outcome.failed(Cause.WRONG_VALUES, "ncclWinGetUserPtr gave 0x" + Long.toHexString(userPtr)
                        + " for a window registered at 0x" + Long.toHexString(dst.address())));
            }
            return sc.ended(AllReduceChecks.compare(DataType.INT32, ReduceOp.SUM, 1, world * COUNT,
                    s.download(dst.address(), (int) (world * block)), putSignalExpected(in),
                    "put by every rank with ncclPutSignal at offset rank * " + block + " bytes"));
        }
    }

    static Outcome unmatchedWait(RankSession s) {
        int world = s.config.world();
        if (world < 2) {
            return Outcome.skipped(Cause.NOT_CONFIGURED, "needs a peer: NCCL orders every later launch of a communicator "
                    + "behind its pending wait, so at world 1 no signal could ever end it");
        }
        try (Scope sc = Scope.open(s)) {
            Outcome refused = sc.signalEveryRank();
            if (refused != null) return refused;
            sc.comm.waitSignal(oneFromEach(world), sc.stream.address());
            Outcome hung = sc.awaitStream("ncclWaitSignal");
            if (hung != null) return hung;
            // Rank 0 waits for one more signal from each peer; the peers send it only after twice the bound.
            List<SignalWait> peers = IntStream.range(1, world).mapToObj(p -> SignalWait.of(p, 1)).toList();
            long start = System.nanoTime();
            if (s.config.rank() != 0) {
                sleepUntil(start + 2 * PENDING.toNanos());
                sc.comm.signal(0, 0, 0, sc.stream.address());
                hung = sc.awaitStream("ncclSignal");
                return hung != null ? hung : sc.ended(Outcome.passed("signalled rank 0 after " + 2 * PENDING.toMillis() + " ms"));
            }
            sc.comm.waitSignal(peers, sc.stream.address());
            boolean pending = stayedPending(sc.stream, start + PENDING.toNanos());
            hung = sc.awaitStream("ncclWaitSignal");
            if (hung != null) return hung;
            return sc.ended(unmatchedWaitVerdict(pending, true, peers.size()));
        }
    }

    private static boolean stayedPending(DeviceStream stream, long until) {
        while (System.nanoTime() - until < 0) {
            if (stream.isIdle()) return false;
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return !stream.isIdle();
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) java.util.concurrent.locks.LockSupport.parkNanos(left);
    }

    /** Whether {@code e} is NCCL refusing one-sided calls for want of host RMA on the communicator. */
    static boolean noHostRma(NcclException e) {
        String last = String.valueOf(e.lastError());
        return e.rawResult() == NcclResult.INVALID_ARGUMENT.code() && last.contains(NO_RMA_PREFIX)
                && last.contains(NO_RMA_SUFFIX);
    }

    /**
     * A communicator split off the session's, a stream, and the memory and windows registered on it. Closing tears
     * down what it can: everything collectively when the check came to a verdict ({@link #ended}), by abort when
     * NCCL refused or the check threw (a collective teardown could wait on a peer that never comes), and nothing
     * when a wait never ended (its stream and communicator stay as they are; the rank ends next).
     */
    private static final class Scope implements AutoCloseable {
        final RankSession s;
        final Communicator comm;
        final DeviceStream stream;
        private final List<Window> windows = new java.util.ArrayList<>();
        private final List<NcclMemory> memory = new java.util.ArrayList<>();
        private boolean refused;
        private boolean hung;
        private boolean ended;

        private Scope(RankSession s, Communicator comm, DeviceStream stream) {
            this.s = s;
            this.comm = comm;
            this.stream = stream;
        }

        static Scope open(RankSession s) {
            Communicator child = s.comm.split(0, s.config.rank());
            return new Scope(s, child, s.device.createStream());
        }

        NcclMemory alloc(long bytes) {
            NcclMemory m = s.nccl.memAlloc(bytes);
            memory.add(m);
            return m;
        }

        Window register(NcclMemory m) {
            Window w = comm.registerWindow(m.address(), m.bytes(), Window.COLL_SYMMETRIC);
            windows.add(w);
            return w;
        }

        /** The check came to {@code verdict} with the communicator healthy: it is torn down collectively. */
        Outcome ended(Outcome verdict) {
            ended = true;
            return verdict;
        }

        /** One {@code ncclSignal} to every rank; a skip when NCCL has no host RMA here, else {@code null}. */
        Outcome signalEveryRank() {
            try {
                for (int p = 0; p < s.config.world(); p++) comm.signal(p, 0, 0, stream.address());
                return null;
            } catch (NcclException e) {
                if (!noHostRma(e)) throw e;
                refused = true;
                return Outcome.skipped(Cause.DEVICE_GAP, "NCCL has no host RMA on this communicator (one-sided "
                        + "operations need every rank reachable by CUDA P2P, or a GIN/RMA network plugin): " + e.getMessage());
            }
        }

        /** Waits for the stream under the collective timeout; on timeout the rank must end: a hung-call outcome. */
        Outcome awaitStream(String call) {
            Duration bound = s.config.timeouts().collective();
            try {
                s.device.synchronize(stream, bound);
                return null;
            } catch (io.ncclffm.device.DeviceTimeoutException e) {
                hung = true;
                return Outcome.callHung(new CallGuard.HungCall(call, bound, "the collective timeout"),
                        call + " did not end within " + bound.toSeconds() + " s: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            if (hung) return;
            if (ended && !refused) {
                for (int i = windows.size() - 1; i >= 0; i--) windows.get(i).close();
                comm.close();
            } else {
                comm.abort();
            }
            for (NcclMemory m : memory) m.close();
            stream.close();
        }
    }
}
