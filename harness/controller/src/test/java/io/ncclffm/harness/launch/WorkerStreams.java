package io.ncclffm.harness.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * A rank's event pipe as the worker writes it, for tests of what the controller makes of it: {@code hello}, a passing
 * {@code load} with the file it loaded (unless the events given report load themselves), the events given, and for a
 * finished rank {@code done} with the counts of its results and the exit status they call for. Every line goes
 * through the real codec.
 */
public final class WorkerStreams {

    /** The library every such rank loads. */
    public static final LibraryFile LIBRARY = new LibraryFile("/x.so", "/x.so", 4096, "ab".repeat(32), "NCCL version 2.28.9+cuda12.9");

    private WorkerStreams() {
    }

    /** A rank that finished: done and its exit agree with the checks it reported. */
    public static RankOutput finished(int rank, WorkerEvent... events) {
        List<WorkerEvent> all = withStart(rank, events);
        int passed = 0, failed = 0, skipped = 0, broken = 0;
        boolean timedOut = false;
        for (WorkerEvent e : all) {
            if (!(e instanceof WorkerEvent.Check c)) continue;
            switch (c.result().status()) {
                case PASSED -> passed++;
                case FAILED -> failed++;
                case SKIPPED -> skipped++;
                case BROKEN -> broken++;
            }
            timedOut |= c.result().cause() == Cause.TIMEOUT;
        }
        all.add(new WorkerEvent.Done(rank, passed, failed, skipped, broken, 10));
        RankOutput out = write(rank, all);
        out.ended(RankEnding.exited(WorkerExit.forResults(timedOut, failed, broken).code(), true, "done"));
        return out;
    }

    /** A rank that ended as {@code ending} without finishing. */
    public static RankOutput ended(int rank, RankEnding ending, WorkerEvent... events) {
        RankOutput out = write(rank, withStart(rank, events));
        out.ended(ending);
        return out;
    }

    /** A passing check of {@code rank}. */
    public static WorkerEvent.Check passed(int rank, String id) {
        return new WorkerEvent.Check(rank, new CheckResult(rank, id, id.split("/")[0], Map.of(), CheckStatus.PASSED, "ok", 1,
                List.of(), Map.of(), null));
    }

    private static List<WorkerEvent> withStart(int rank, WorkerEvent... events) {
        List<WorkerEvent> all = new ArrayList<>();
        all.add(new WorkerEvent.Hello(rank, 2, 100 + rank, "host", "25", Map.of()));
        boolean reportsLoad = List.of(events).stream().anyMatch(e -> e instanceof WorkerEvent.Check c && c.result().id().equals("load"));
        if (!reportsLoad) {
            all.add(new WorkerEvent.Loaded(rank, LIBRARY));
            all.add(passed(rank, "load"));
        }
        all.addAll(List.of(events));
        return all;
    }

    private static RankOutput write(int rank, List<WorkerEvent> events) {
        RankOutput out = new RankOutput(rank);
        for (WorkerEvent e : events) out.acceptStdout(EventCodec.encode(e));
        return out;
    }
}
