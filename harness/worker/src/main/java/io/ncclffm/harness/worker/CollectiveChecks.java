package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.semantics.HostReduction;
import io.ncclffm.harness.semantics.InputPattern;

/**
 * The collectives besides allReduce, for every supported dtype (and op where one applies), at an odd count.
 * Roots are the last rank, not rank 0, so that a root ignored by the binding shows.
 */
final class CollectiveChecks {

    /** The count the catalog plans these checks with. */
    static final int COUNT = CheckCatalog.COLLECTIVE_COUNT;

    private CollectiveChecks() {
    }

    static CheckBody body(RankSession s, CheckKey.Collective key) {
        return switch (key) {
            case CheckKey.Broadcast(var t) -> () -> broadcast(s, t);
            case CheckKey.AllGather(var t) -> () -> allGather(s, t);
            case CheckKey.SendRecv(var t) -> () -> sendRecvRing(s, t);
            case CheckKey.AllToAll(var t) -> () -> allToAll(s, t);
            case CheckKey.Reduce(var t, var op) -> () -> reduce(s, t, op);
            case CheckKey.ReduceScatter(var t, var op) -> () -> reduceScatter(s, t, op);
        };
    }

    private static List<byte[]> inputs(RankSession s, DataType t, ReduceOp op, int count) {
        List<byte[]> in = new ArrayList<>();
        for (int r = 0; r < s.config.world(); r++) in.add(InputPattern.forRank(t, op, s.config.world(), r, count));
        return in;
    }

    private static Outcome broadcast(RankSession s, DataType t) {
        int root = s.config.world() - 1;
        byte[] mine = InputPattern.forRank(t, ReduceOp.SUM, s.config.world(), s.config.rank(), COUNT);
        byte[] rootInput = InputPattern.forRank(t, ReduceOp.SUM, s.config.world(), root, COUNT);
        s.ensureBuffers((long) COUNT * t.size());
        s.upload(s.sendAddress(), mine);
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
        s.comm.broadcast(s.sendAddress(), s.recvAddress(), COUNT, t, root, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), COUNT * t.size());
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT, got, rootInput, "broadcast from rank " + root)
                .withAsyncError(asyncError);
    }

    private static Outcome reduce(RankSession s, DataType t, ReduceOp op) {
        int root = s.config.world() - 1;
        List<byte[]> in = inputs(s, t, op, COUNT);
        s.ensureBuffers((long) COUNT * t.size());
        s.upload(s.sendAddress(), in.get(s.config.rank()));
        byte[] sentinel = InputPattern.sentinelFilled(t, COUNT);
        s.upload(s.recvAddress(), sentinel);
        s.comm.reduce(s.sendAddress(), s.recvAddress(), COUNT, t, op, root, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), COUNT * t.size());
        if (s.config.rank() != root) {
            Outcome untouched = Arrays.equals(got, sentinel)
                    ? Outcome.passed("non-root rank: receive buffer left untouched, as ncclReduce specifies")
                    : Outcome.failed(Cause.WRONG_VALUES, "ncclReduce wrote the receive buffer of non-root rank " + s.config.rank());
            return untouched.withAsyncError(asyncError);
        }
        return AllReduceChecks.compare(t, op, s.config.world(), COUNT, got, HostReduction.allReduce(t, op, in, COUNT),
                "reduced to root " + root).withAsyncError(asyncError);
    }

    private static Outcome allGather(RankSession s, DataType t) {
        int world = s.config.world();
        List<byte[]> in = inputs(s, t, ReduceOp.SUM, COUNT);
        int block = COUNT * t.size();
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(s.config.rank()));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT * world));
        s.comm.allGather(s.sendAddress(), s.recvAddress(), COUNT, t, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), world * block);
        byte[] expected = new byte[world * block];
        for (int r = 0; r < world; r++) System.arraycopy(in.get(r), 0, expected, r * block, block);
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT * world, got, expected, "gathered from " + world + " rank(s)")
                .withAsyncError(asyncError);
    }

    private static Outcome reduceScatter(RankSession s, DataType t, ReduceOp op) {
        int world = s.config.world();
        int rank = s.config.rank();
        List<byte[]> in = inputs(s, t, op, COUNT * world);
        int block = COUNT * t.size();
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
        s.comm.reduceScatter(s.sendAddress(), s.recvAddress(), COUNT, t, op, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), block);
        byte[] full = HostReduction.allReduce(t, op, in, COUNT * world);
        byte[] expected = Arrays.copyOfRange(full, rank * block, (rank + 1) * block);
        return AllReduceChecks.compare(t, op, world, COUNT, got, expected, "scattered block " + rank).withAsyncError(asyncError);
    }

    /** Each rank sends to the next and receives from the previous, in one group. */
    private static Outcome sendRecvRing(RankSession s, DataType t) {
        int world = s.config.world();
        int rank = s.config.rank();
        int next = (rank + 1) % world;
        int prev = (rank - 1 + world) % world;
        List<byte[]> in = inputs(s, t, ReduceOp.SUM, COUNT);
        s.ensureBuffers((long) COUNT * t.size());
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT));
        boolean enqueuing = s.nccl.group(() -> {
            s.comm.send(s.sendAddress(), COUNT, t, next, s.stream.address());
            s.comm.recv(s.recvAddress(), COUNT, t, prev, s.stream.address());
        });
        if (enqueuing) s.comm.awaitReady();
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), COUNT * t.size());
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT, got, in.get(prev), "received from rank " + prev)
                .withAsyncError(asyncError);
    }

    private static Outcome allToAll(RankSession s, DataType t) {
        int world = s.config.world();
        int rank = s.config.rank();
        int block = COUNT * t.size();
        List<byte[]> in = inputs(s, t, ReduceOp.SUM, COUNT * world);
        s.ensureBuffers((long) world * block);
        s.upload(s.sendAddress(), in.get(rank));
        s.upload(s.recvAddress(), InputPattern.sentinelFilled(t, COUNT * world));
        s.comm.allToAll(s.sendAddress(), s.recvAddress(), COUNT, t, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(s.recvAddress(), world * block);
        byte[] expected = new byte[world * block];
        for (int j = 0; j < world; j++) System.arraycopy(in.get(j), rank * block, expected, j * block, block);
        return AllReduceChecks.compare(t, ReduceOp.SUM, 1, COUNT * world, got, expected, "all-to-all blocks")
                .withAsyncError(asyncError);
    }
}
