package io.ncclffm.harness.worker;

import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.semantics.InputPattern;
import io.ncclffm.harness.semantics.ResultComparison;

/**
 * allReduce for every dtype x op x count x placement. Inputs differ per rank and are chosen so that any wrong
 * dtype or op mapping changes the result; the expected bytes come from the host model of NCCL's arithmetic.
 */
final class AllReduceChecks {

    private AllReduceChecks() {
    }

    /**
     * @param cache the host model of the last case, shared by the checks of one plan: in-place and out-of-place
     *              checks of the same dtype, op and count follow each other, and compute it once
     */
    static CheckBody body(RankSession s, ReferenceCache cache, CheckKey.AllReduce key) {
        return () -> run(s, cache, key.type(), key.op(), key.count(), key.placement() == CheckKey.Placement.IN_PLACE);
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
