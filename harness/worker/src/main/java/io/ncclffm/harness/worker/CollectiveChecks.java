package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.NcclException;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.semantics.HostReduction;
import io.ncclffm.harness.semantics.InputPattern;

/**
 * The collectives besides allReduce, for every supported dtype (and op where one applies), at an odd count.
 * Roots are the last rank, not rank 0, so that a root ignored by the binding shows.
 */
final class CollectiveChecks {

    static final int COUNT = 1021;

    private CollectiveChecks() {
    }

    private static Map<String, String> params(RankSession s, DataType t, ReduceOp op) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dtype", t.shortName());
        if (op != null) p.put("op", op.shortName());
        p.put("count", Integer.toString(COUNT));
        p.put("world", Integer.toString(s.config.world()));
        return p;
    }

    static List<CheckSpec> all(RankSession s) {
        List<CheckSpec> specs = new ArrayList<>();
        for (DataType t : DataType.values()) {
            if (t == DataType.UNKNOWN) continue;
            Requirement type = Requirement.type(t);
            specs.add(CheckSpec.of("broadcast/" + t.shortName(), "broadcast", params(s, t, null),
                    List.of(type, Requirement.function(Feature.BROADCAST)), () -> broadcast(s, t)));
            specs.add(CheckSpec.of("allgather/" + t.shortName(), "allgather", params(s, t, null), List.of(type),
                    () -> allGather(s, t)));
            specs.add(CheckSpec.of("sendrecv/" + t.shortName(), "sendrecv", params(s, t, null),
                    List.of(type, Requirement.function(Feature.SEND_RECV)), () -> sendRecvRing(s, t)));
            specs.add(CheckSpec.of("alltoall/" + t.shortName(), "alltoall", params(s, t, null),
                    List.of(type, Requirement.function(Feature.ALL_TO_ALL)), () -> allToAll(s, t)));
            for (ReduceOp op : ReduceOp.values()) {
                if (op == ReduceOp.UNKNOWN) continue;
                List<Requirement> reduction = List.of(type, Requirement.op(op));
                specs.add(CheckSpec.of("reduce/" + t.shortName() + "/" + op.shortName(), "reduce", params(s, t, op),
                        reduction, () -> reduce(s, t, op)));
                specs.add(CheckSpec.of("reducescatter/" + t.shortName() + "/" + op.shortName(), "reducescatter",
                        params(s, t, op), reduction, () -> reduceScatter(s, t, op)));
            }
        }
        return specs;
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
