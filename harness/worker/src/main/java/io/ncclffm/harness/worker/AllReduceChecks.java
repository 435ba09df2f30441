package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.semantics.InputPattern;
import io.ncclffm.harness.semantics.ResultComparison;

/**
 * allReduce for every dtype x op x count x placement. Inputs differ per rank and are chosen so that any wrong
 * dtype or op mapping changes the result; the expected bytes come from the host model of NCCL's arithmetic.
 */
final class AllReduceChecks {

    static final String PLACEMENT_IN = "in-place";
    static final String PLACEMENT_OUT = "out-of-place";

    private AllReduceChecks() {
    }

    static String id(DataType t, ReduceOp op, int count, String placement) {
        return "allreduce/" + t.shortName() + "/" + op.shortName() + "/" + count + "/" + placement;
    }

    static List<CheckSpec> all(RankSession s) {
        List<CheckSpec> specs = new ArrayList<>();
        ReferenceCache cache = new ReferenceCache();
        for (DataType t : DataType.values()) {
            if (t == DataType.UNKNOWN) continue;
            for (ReduceOp op : ReduceOp.values()) {
                if (op == ReduceOp.UNKNOWN) continue;
                for (int count : s.config.counts()) {
                    for (String placement : List.of(PLACEMENT_OUT, PLACEMENT_IN)) {
                        Map<String, String> params = new LinkedHashMap<>();
                        params.put("dtype", t.shortName());
                        params.put("op", op.shortName());
                        params.put("count", Integer.toString(count));
                        params.put("placement", placement);
                        params.put("world", Integer.toString(s.config.world()));
                        specs.add(CheckSpec.of(id(t, op, count, placement), "allreduce " + t.shortName(), params,
                                List.of(Requirement.type(t), Requirement.op(op)),
                                () -> run(s, cache, t, op, count, PLACEMENT_IN.equals(placement))));
                    }
                }
            }
        }
        return specs;
    }

    private static Outcome run(RankSession s, ReferenceCache cache, DataType t, ReduceOp op, int count, boolean inPlace) {
        int world = s.config.world();
        int rank = s.config.rank();
        ReferenceCache.Case c = cache.get(t, op, world, count);
        int bytes = count * t.size();
        s.ensureBuffers(bytes);
        long send = s.sendAddress();
        long recv = inPlace ? send : s.recvAddress();
        s.upload(send, c.inputs().get(rank));
        if (!inPlace) s.upload(recv, InputPattern.sentinelFilled(t, count));
        s.comm.allReduce(send, recv, count, t, op, s.stream.address());
        NcclException asyncError = s.awaitCollective();
        byte[] got = s.download(recv, bytes);
        return compare(t, op, world, count, got, c.expected(), inPlace ? "in place" : "out of place").withAsyncError(asyncError);
    }

    static Outcome compare(DataType t, ReduceOp op, int world, int count, byte[] got, byte[] expected, String what) {
        List<Mismatch> mismatches = ResultComparison.firstMismatches(t, op, world, got, expected, 8);
        if (mismatches.isEmpty()) {
            return Outcome.passed(count + " " + t.shortName() + " elements " + what + " match the host model of NCCL "
                    + op.shortName() + " over " + world + " rank(s)");
        }
        int differing = ResultComparison.firstMismatches(t, op, world, got, expected, Integer.MAX_VALUE).size();
        return Outcome.failed(Cause.WRONG_VALUES, differing + " of " + count + " elements differ; first: " + mismatches.getFirst(), mismatches);
    }
}
