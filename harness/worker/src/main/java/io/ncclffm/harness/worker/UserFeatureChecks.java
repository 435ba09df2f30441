package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

import io.ncclffm.BufferRegistration;
import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.NcclMemory;
import io.ncclffm.PreMulSumOp;
import io.ncclffm.ReduceOp;
import io.ncclffm.Window;
import io.ncclffm.device.CapturedGraph;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.semantics.ElementCodec;
import io.ncclffm.harness.semantics.HostReduction;
import io.ncclffm.harness.semantics.InputPattern;

/**
 * What users of the binding rely on beyond single collectives: a self-test right after init, split
 * communicators, PreMulSum, NCCL-allocated and registered buffers, symmetric windows, variable-size collectives
 * built from groups, gather/scatter, and abort while a CUDA graph holds the communicator. Each check's inputs
 * differ per rank so that a wrong mapping (colour, key, scalar, root, count, displacement) changes the answer;
 * the host models here are what {@code UserFeatureModelTest} mutates.
 */
final class UserFeatureChecks {

    /** The count, scalar and bound the catalog plans these checks with. */
    static final int COUNT = CheckCatalog.FEATURE_COUNT;
    static final double PRE_MUL_SCALAR = CheckCatalog.PRE_MUL_SUM_SCALAR;
    static final long ABORT_BOUND_SECONDS = CheckCatalog.ABORT_BOUND_SECONDS;
    /** How long the abort may take with the graph alive before the graph is destroyed under it. */
    static final long ABORT_WAIT_FOR_GRAPH_SECONDS = 5;

    private UserFeatureChecks() {
    }

    static CheckBody body(RankSession s, CheckKey.UserFeature key) {
        return switch (key) {
            case SELF_TEST -> () -> selfTestRun(s);
            case SPLIT_PARITY -> () -> split(s);
            case REGISTERED_BUFFERS -> () -> registered(s);
            case SYMMETRIC_WINDOW -> () -> window(s);
            case ALLGATHERV -> () -> allGatherv(s);
            case REDUCESCATTERV -> () -> reduceScatterv(s);
            case SENDRECV_ALL_PEERS -> () -> allPeers(s);
            case GATHER -> () -> gather(s);
            case SCATTER -> () -> scatter(s);
            case PROPERTIES -> () -> CommStateChecks.properties(s);
            case SUSPEND_RESUME -> () -> CommStateChecks.suspendResume(s);
            case ABORT_WITH_LIVE_GRAPH -> () -> abortWithGraph(s);
            case SIGNAL_ALL_PEERS -> () -> SignalChecks.signalAllPeers(s);
            case PUT_SIGNAL_ALL_PEERS -> () -> SignalChecks.putSignalAllPeers(s);
            case UNMATCHED_WAIT -> () -> SignalChecks.unmatchedWait(s);
            case PARAMETERS_FROM_ENV -> () -> ParameterChecks.fromEnvironment(s);
        };
    }

    static CheckBody body(RankSession s, CheckKey.PreMulSum key) {
        return () -> preMulSum(s, key.type());
    }

    // Host models.

    /** The global ranks of {@code rank}'s group after a split by {@code color} and {@code key}, in the new rank order. */
    static int[] splitGroup(int world, int rank, IntUnaryOperator color, IntUnaryOperator key) {
        int mine = color.applyAsInt(rank);
        return IntStream.range(0, world).filter(r -> color.applyAsInt(r) == mine).boxed()
                .sorted((a, b) -> key.applyAsInt(a) != key.applyAsInt(b)
                        ? Integer.compare(key.applyAsInt(a), key.applyAsInt(b)) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    static List<byte[]> inputs(DataType t, int world, int count) {
        return InputPattern.forAllRanks(t, ReduceOp.SUM, world, count);
    }

    /** Sum of the members' inputs, then their inputs gathered in the group's rank order. */
    static byte[][] splitExpected(DataType t, List<byte[]> inputs, int[] members, int count) {
        List<byte[]> mine = Arrays.stream(members).mapToObj(inputs::get).toList();
        byte[] gathered = new byte[members.length * count * t.size()];
        for (int i = 0; i < members.length; i++) System.arraycopy(mine.get(i), 0, gathered, i * count * t.size(), count * t.size());
        return new byte[][] {HostReduction.allReduce(t, ReduceOp.SUM, mine, count), gathered};
    }

    /** PreMulSum: each input multiplied by {@code scalar}, then summed. */
    static byte[] preMulSumExpected(DataType t, List<byte[]> inputs, int count, double scalar) {
        List<byte[]> scaled = new ArrayList<>();
        for (byte[] in : inputs) {
            byte[] out = new byte[in.length];
            for (int i = 0; i < count; i++) {
                double v = ElementCodec.value(t, ElementCodec.bits(t, in, i)) * scalar;
                ElementCodec.putBits(t, out, i, ElementCodec.encode(t, v, false));
            }
            scaled.add(out);
        }
        return HostReduction.allReduce(t, ReduceOp.SUM, scaled, count);
    }

    /** Rank r's block size in the variable-size collectives: all different, none a multiple of another's. */
    static int[] varCounts(int world) {
        return IntStream.range(0, world).map(r -> 97 + 31 * r).toArray();
    }

    static int[] displacements(int[] counts) {
        int[] d = new int[counts.length];
        for (int i = 1; i < counts.length; i++) d[i] = d[i - 1] + counts[i - 1];
        return d;
    }

    /** allgatherv: rank r's first counts[r] elements at displacement r, for every r. */
    static byte[] allGathervExpected(DataType t, List<byte[]> inputs, int[] counts) {
        int[] d = displacements(counts);
        byte[] out = new byte[(d[counts.length - 1] + counts[counts.length - 1]) * t.size()];
        for (int r = 0; r < counts.length; r++) System.arraycopy(inputs.get(r), 0, out, d[r] * t.size(), counts[r] * t.size());
        return out;
    }

    /** reduce-scatterv: the sum over ranks of each input's block {@code rank} (counts[rank] elements at its displacement). */
    static byte[] reduceScattervExpected(DataType t, List<byte[]> inputs, int[] counts, int rank) {
        int total = Arrays.stream(counts).sum();
        byte[] full = HostReduction.allReduce(t, ReduceOp.SUM, inputs, total);
        int d = displacements(counts)[rank];
        return Arrays.copyOfRange(full, d * t.size(), (d + counts[rank]) * t.size());
    }

    // Bodies.

    private static Outcome selfTestRun(RankSession s) {
        s.ensureBuffers(DataType.FLOAT32.size());
        return floatSum(s, s.sendAddress(), s.recvAddress(), inputs(DataType.FLOAT32, s.config.world(), 1), 1, "self-test");
    }

    private static Outcome split(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int rank = s.config.rank();
        int[] members = splitGroup(world, rank, r -> r % 2, r -> r);
        List<byte[]> in = inputs(t, world, COUNT);
        byte[][] expected = splitExpected(t, in, members, COUNT);
        int block = COUNT * t.size();
        try (Communicator sub = s.comm.split(rank % 2, rank)) {
            if (sub.world() != members.length || members[sub.rank()] != rank) {
                return Outcome.failed(Cause.WRONG_VALUES, "split: rank " + rank + " became rank " + sub.rank() + " of "
                        + sub.world() + "; expected rank " + indexOf(members, rank) + " of " + members.length);
            }
            s.ensureBuffers((long) members.length * block);
            s.upload(s.sendAddress(), in.get(rank));
            s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
            sub.allReduce(s.sendAddress(), s.recvAddress(), COUNT, t, ReduceOp.SUM, s.stream.address());
            s.sync();
            Outcome sum = AllReduceChecks.compare(t, ReduceOp.SUM, members.length, COUNT, s.download(s.recvAddress(), block),
                    expected[0], "summed over subgroup " + Arrays.toString(members));
            if (sum.status() != io.ncclffm.harness.protocol.CheckStatus.PASSED) return sum;
            s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT * members.length));
            sub.allGather(s.sendAddress(), s.recvAddress(), COUNT, t, s.stream.address());
            s.sync();
            return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT * members.length,
                    s.download(s.recvAddress(), members.length * block), expected[1],
                    "summed and gathered (in key order) over subgroup " + Arrays.toString(members)).withAsyncError(s.asyncError());
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    private static Outcome preMulSum(RankSession s, DataType t) {
        int world = s.config.world();
        List<byte[]> in = inputs(t, world, COUNT);
        s.ensureBuffers((long) COUNT * t.size());
        s.upload(s.sendAddress(), in.get(s.config.rank()));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
        try (PreMulSumOp op = s.comm.createPreMulSum(PRE_MUL_SCALAR, t)) {
            s.comm.allReduce(s.sendAddress(), s.recvAddress(), COUNT, t, op, s.stream.address());
            NcclException asyncError = s.awaitCollective();
            return AllReduceChecks.compare(t, ReduceOp.SUM, world, COUNT, s.download(s.recvAddress(), COUNT * t.size()),
                    preMulSumExpected(t, in, COUNT, PRE_MUL_SCALAR), "sum of inputs times " + PRE_MUL_SCALAR)
                    .withAsyncError(asyncError);
        }
    }

    private static Outcome registered(RankSession s) {
        return onNcclMemory(s, (send, recv) -> {
            try (BufferRegistration a = s.comm.register(send.address(), send.bytes());
                 BufferRegistration b = s.comm.register(recv.address(), recv.bytes())) {
                return allReduceOn(s, send.address(), recv.address(), "on ncclMemAlloc'd, ncclCommRegister'd buffers");
            }
        });
    }

    private static Outcome window(RankSession s) {
        return onNcclMemory(s, (send, recv) -> {
            try (Window a = s.comm.registerWindow(send.address(), send.bytes(), Window.COLL_SYMMETRIC);
                 Window b = s.comm.registerWindow(recv.address(), recv.bytes(), Window.COLL_SYMMETRIC)) {
                return allReduceOn(s, send.address(), recv.address(), "on symmetric windows");
            }
        });
    }

    private interface OnMemory {
        Outcome run(NcclMemory send, NcclMemory recv);
    }

    private static Outcome onNcclMemory(RankSession s, OnMemory body) {
        long bytes = Math.max(COUNT * 4L, 4096);
        try (NcclMemory send = s.nccl.memAlloc(bytes); NcclMemory recv = s.nccl.memAlloc(bytes)) {
            return body.run(send, recv);
        }
    }

    private static Outcome allReduceOn(RankSession s, long send, long recv, String what) {
        s.ensureBuffers((long) COUNT * DataType.FLOAT32.size());   // the session's host staging buffers
        return floatSum(s, send, recv, inputs(DataType.FLOAT32, s.config.world(), COUNT), COUNT, what);
    }

    /**
     * A float32 sum allReduce of this rank's {@code inputs} from {@code send} into {@code recv} (filled with the
     * sentinel first), judged against the host model; the session's staging buffers must hold {@code count}
     * elements.
     */
    static Outcome floatSum(RankSession s, long send, long recv, List<byte[]> inputs, int count, String what) {
        DataType t = DataType.FLOAT32;
        int world = s.config.world();
        s.upload(send, inputs.get(s.config.rank()));
        s.upload(recv, InputPattern.sentinelFilled(t, count));
        s.comm.allReduce(send, recv, count, t, ReduceOp.SUM, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        return AllReduceChecks.compare(t, ReduceOp.SUM, world, count, s.download(recv, count * t.size()),
                HostReduction.allReduce(t, ReduceOp.SUM, inputs, count), what).withAsyncError(asyncError);
    }

    private static Outcome allGatherv(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int rank = s.config.rank();
        int[] counts = varCounts(world);
        int[] d = displacements(counts);
        int total = Arrays.stream(counts).sum();
        List<byte[]> in = inputs(t, world, counts[world - 1]);
        s.ensureBuffers((long) total * t.size());
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, total));
        boolean enqueuing = s.nccl.group(() -> {
            for (int root = 0; root < world; root++) {
                s.comm.broadcast(s.sendAddress(), s.recvAddress() + (long) d[root] * t.size(), counts[root], t, root,
                        s.stream.address());
            }
        });
        if (enqueuing) s.comm.awaitReady();
        NcclException asyncError = s.awaitCollective();
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, total, s.download(s.recvAddress(), total * t.size()),
                allGathervExpected(t, in, counts), "allgatherv of counts " + Arrays.toString(counts)).withAsyncError(asyncError);
    }

    private static Outcome reduceScatterv(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int rank = s.config.rank();
        int[] counts = varCounts(world);
        int[] d = displacements(counts);
        int total = Arrays.stream(counts).sum();
        List<byte[]> in = inputs(t, world, total);
        s.ensureBuffers((long) total * t.size());
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, counts[rank]));
        boolean enqueuing = s.nccl.group(() -> {
            for (int root = 0; root < world; root++) {
                s.comm.reduce(s.sendAddress() + (long) d[root] * t.size(), s.recvAddress(), counts[root], t, ReduceOp.SUM,
                        root, s.stream.address());
            }
        });
        if (enqueuing) s.comm.awaitReady();
        NcclException asyncError = s.awaitCollective();
        return AllReduceChecks.compare(t, ReduceOp.SUM, world, counts[rank], s.download(s.recvAddress(), counts[rank] * t.size()),
                reduceScattervExpected(t, in, counts, rank), "reduce-scatterv block " + rank + " of counts "
                        + Arrays.toString(counts)).withAsyncError(asyncError);
    }

    private static Outcome allPeers(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int rank = s.config.rank();
        int block = COUNT * t.size();
        List<byte[]> in = inputs(t, world, COUNT * world);
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT * world));
        boolean enqueuing = s.nccl.group(() -> {
            for (int peer = 0; peer < world; peer++) {
                s.comm.send(s.sendAddress() + (long) peer * block, COUNT, t, peer, s.stream.address());
                s.comm.recv(s.recvAddress() + (long) peer * block, COUNT, t, peer, s.stream.address());
            }
        });
        if (enqueuing) s.comm.awaitReady();
        NcclException asyncError = s.awaitCollective();
        byte[] expected = new byte[world * block];
        for (int j = 0; j < world; j++) System.arraycopy(in.get(j), rank * block, expected, j * block, block);
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT * world, s.download(s.recvAddress(), world * block), expected,
                "one group of sends and receives to every peer").withAsyncError(asyncError);
    }

    private static Outcome gather(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int root = world - 1;
        int block = COUNT * t.size();
        List<byte[]> in = inputs(t, world, COUNT);
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(s.config.rank()));
        byte[] sentinel = InputPattern.sentinelFilled(t, COUNT * world);
        s.upload(s.recvAddress(), sentinel);
        s.comm.gather(s.sendAddress(), s.recvAddress(), COUNT, t, root, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), world * block);
        if (s.config.rank() != root) {
            return (Arrays.equals(got, sentinel) ? Outcome.passed("non-root: receive buffer untouched")
                    : Outcome.failed(Cause.WRONG_VALUES, "ncclGather wrote a non-root rank's receive buffer")).withAsyncError(asyncError);
        }
        byte[] expected = new byte[world * block];
        for (int r = 0; r < world; r++) System.arraycopy(in.get(r), 0, expected, r * block, block);
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT * world, got, expected, "gathered at root " + root)
                .withAsyncError(asyncError);
    }

    private static Outcome scatter(RankSession s) {
        DataType t = DataType.INT32;
        int world = s.config.world();
        int rank = s.config.rank();
        int root = world - 1;
        int block = COUNT * t.size();
        List<byte[]> in = inputs(t, world, COUNT * world);
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
        s.comm.scatter(s.sendAddress(), s.recvAddress(), COUNT, t, root, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT, s.download(s.recvAddress(), block),
                Arrays.copyOfRange(in.get(root), rank * block, (rank + 1) * block), "block " + rank + " of root " + root)
                .withAsyncError(asyncError);
    }

    /** A call of {@link #abortWithGraph} that did not return within {@code seconds}. */
    private static CallGuard.HungCall hung(String call, long seconds) {
        return new CallGuard.HungCall(call, java.time.Duration.ofSeconds(seconds), "the bound of an abort with a live CUDA graph");
    }

    /**
     * A communicator split off for this check (so the main one survives) has an allReduce captured into a graph;
     * while the graph is alive the communicator is aborted from another thread, as vLLM's {@code destroy()} does
     * (destroying a communicator waits for every graph that captured it). The abort may return while the graph is
     * alive, or wait for it: then the graph is destroyed after {@link #ABORT_WAIT_FOR_GRAPH_SECONDS}, and the abort
     * must return within {@link #ABORT_BOUND_SECONDS} of that; destroying the graph is bounded the same way. An
     * abort that returns neither way, or a graph that cannot be destroyed while the abort waits, is a deadlock for
     * every caller that follows vLLM's pattern, and fails; the message says which way the release behaves and
     * which call did not return. An abort that never returns ends the rank after this check ({@link Outcome#callHung}).
     */
    private static Outcome abortWithGraph(RankSession s) {
        Communicator victim = s.comm.split(0, s.config.rank());
        CapturedGraph graph = captureAllReduce(s, victim);
        boolean graphAlive = true;
        try {
            long t0 = System.nanoTime();
            CompletableFuture<Void> abort = CompletableFuture.runAsync(victim::abort);
            try {
                abort.get(ABORT_WAIT_FOR_GRAPH_SECONDS, TimeUnit.SECONDS);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                return Outcome.passed("ncclCommAbort returned in " + ms + " ms while a graph that captured the communicator was alive");
            } catch (TimeoutException e) {
                // The abort waits for the graph: destroy it, as the owner of the graph eventually does.
                graphAlive = false;
                Outcome stuck = destroyWhileAbortWaits(graph, abort);
                if (stuck != null) return stuck;
            } catch (Exception e) {
                return Outcome.failed(Cause.NCCL_ERROR, "ncclCommAbort with a live CUDA graph failed: " + e.getCause());
            }
            return abortAfterGraphDestroyed(abort);
        } finally {
            if (graphAlive) graph.close();
        }
    }

    /** An allReduce of {@code victim} captured into a graph on the session's stream, after one run outside a capture. */
    private static CapturedGraph captureAllReduce(RankSession s, Communicator victim) {
        DataType t = DataType.FLOAT32;
        s.ensureBuffers((long) COUNT * t.size());
        // One collective before the capture, as users warm a communicator up before they capture it: a fresh
        // communicator's first collective sets up its connections, which a release may refuse to do inside a capture
        // ("operation not permitted when stream is capturing"; docs/validation.md names the release).
        victim.allReduce(s.sendAddress(), s.recvAddress(), COUNT, t, ReduceOp.SUM, s.stream.address());
        s.sync();
        s.device.beginCapture(s.stream);
        CapturedGraph graph;
        try {
            victim.allReduce(s.sendAddress(), s.recvAddress(), COUNT, t, ReduceOp.SUM, s.stream.address());
        } finally {
            graph = s.device.endCapture(s.stream);
        }
        return graph;
    }

    /**
     * Destroys the graph while the abort waits for it; {@code null} once that returned, else what the check concludes.
     * The destruction is bounded too: it runs NCCL's destructor for what the graph captured, which can wait on the
     * communicator the other thread is aborting (docs/validation.md).
     */
    private static Outcome destroyWhileAbortWaits(CapturedGraph graph, CompletableFuture<Void> abort) {
        CompletableFuture<Void> destroy = CompletableFuture.runAsync(graph::close);
        try {
            destroy.get(ABORT_BOUND_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (TimeoutException stuck) {
            // Whichever of the two still has not returned is the call that hung.
            return Outcome.callHung(hung(abort.isDone() ? "cudaGraphDestroy" : "ncclCommAbort",
                            ABORT_WAIT_FOR_GRAPH_SECONDS + ABORT_BOUND_SECONDS),
                    "ncclCommAbort did not return while a graph that captured the "
                    + "communicator was alive (" + ABORT_WAIT_FOR_GRAPH_SECONDS + " s), and destroying the graph "
                    + "then did not return within " + ABORT_BOUND_SECONDS + " s either: cudaGraphExecDestroy/"
                    + "cudaGraphDestroy and ncclCommAbort wait on each other, both still blocked"
                    + (abort.isDone() ? "" : " (the abort has not returned)"));
        } catch (Exception failed) {
            return Outcome.failed(Cause.OTHER_FAILURE, "destroying the CUDA graph while ncclCommAbort waited for it "
                    + "failed: " + failed.getCause());
        }
    }

    /** The abort that waited for the graph, which must now return within its bound. */
    private static Outcome abortAfterGraphDestroyed(CompletableFuture<Void> abort) {
        long t1 = System.nanoTime();
        try {
            abort.get(ABORT_BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return Outcome.callHung(hung("ncclCommAbort", ABORT_WAIT_FOR_GRAPH_SECONDS + ABORT_BOUND_SECONDS),
                    "ncclCommAbort did not return while a graph that captured the communicator was "
                    + "alive (" + ABORT_WAIT_FOR_GRAPH_SECONDS + " s), nor within " + ABORT_BOUND_SECONDS
                    + " s after the graph was destroyed");
        } catch (Exception e) {
            return Outcome.failed(Cause.NCCL_ERROR, "ncclCommAbort failed after the graph was destroyed: " + e.getCause());
        }
        long ms = (System.nanoTime() - t1) / 1_000_000;
        return Outcome.passed("ncclCommAbort waited for the live CUDA graph that captured the communicator (still running after "
                + ABORT_WAIT_FOR_GRAPH_SECONDS + " s) and returned " + ms + " ms after the graph was destroyed, so an abort "
                + "from another thread, as vLLM's destroy() makes it, completes once the graph goes");
    }
}
