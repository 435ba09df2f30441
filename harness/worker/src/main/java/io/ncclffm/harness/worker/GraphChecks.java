package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.semantics.HostReduction;
import io.ncclffm.harness.semantics.InputPattern;

/**
 * allReduce captured into a CUDA graph once and replayed several times, with new inputs before every replay;
 * every replay is checked. This is what vLLM does on every decode step, and where NCCL 2.19's cuMem default
 * broke.
 */
final class GraphChecks {

    private GraphChecks() {
    }

    static CheckBody body(RankSession s, CheckKey.GraphAllReduce key) {
        return () -> run(s, key);
    }

    private static Outcome run(RankSession s, CheckKey.GraphAllReduce c) {
        int world = s.config.world();
        int rank = s.config.rank();
        int replays = s.config.checks().graphReplays();
        int size = c.type().size();
        int bytes = c.count() * size;
        // One longer pattern per rank; replay k reads the window starting at element k, so every replay has
        // different inputs and a different expected result.
        List<byte[]> longInputs = new ArrayList<>();
        for (int r = 0; r < world; r++) longInputs.add(InputPattern.forRank(c.type(), c.op(), world, r, c.count() + replays));
        s.ensureBuffers(bytes);
        long send = s.sendAddress();
        long recv = s.recvAddress();
        s.device.beginCapture(s.stream);
        try {
            s.comm.allReduce(send, recv, c.count(), c.type(), c.op(), s.stream.address());
        } catch (RuntimeException e) {
            // Leave the stream out of capture mode, or every later check on it fails too.
            CapturedGraph partial = endQuietly(s);
            if (partial != null) partial.close();
            throw e;
        }
        CapturedGraph graph;
        try {
            graph = s.device.endCapture(s.stream);
        } catch (DeviceException e) {
            return Outcome.failed(Cause.OTHER_FAILURE, "capturing ncclAllReduce into a graph failed: " + e.getMessage())
                    .withAsyncError(s.asyncError());
        }
        try (graph) {
            for (int k = 0; k < replays; k++) {
                List<byte[]> inputs = new ArrayList<>();
                for (int r = 0; r < world; r++) inputs.add(Arrays.copyOfRange(longInputs.get(r), k * size, k * size + bytes));
                byte[] expected = HostReduction.allReduce(c.type(), c.op(), inputs, c.count());
                s.upload(send, inputs.get(rank));
                s.upload(recv, InputPattern.sentinelFilled(c.type(), c.count()));
                graph.launch(s.stream);
                s.syncExplainingFailure();
                byte[] got = s.download(recv, bytes);
                Outcome o = AllReduceChecks.compare(c.type(), c.op(), world, c.count(), got, expected, "replay " + (k + 1));
                if (o.status() != CheckStatus.PASSED) {
                    return Outcome.failed(o.cause(), "replay " + (k + 1) + " of " + replays + ": " + o.message(), o.mismatches())
                            .withAsyncError(s.asyncError());
                }
            }
        }
        // One asynchronous-error query for all replays: an error NCCL kept from any of them is still reported here.
        return Outcome.passed("captured once, replayed " + replays + " times with new inputs; every replay matched the "
                + "host model").withAsyncError(s.asyncError());
    }

    private static CapturedGraph endQuietly(RankSession s) {
        try {
            return s.device.endCapture(s.stream);
        } catch (DeviceException e) {
            return null;
        }
    }
}
