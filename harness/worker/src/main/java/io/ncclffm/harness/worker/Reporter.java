package io.ncclffm.harness.worker;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import io.ncclffm.NcclException;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * Runs checks and writes each result as a JSON line the moment it is known. Exceptions become outcomes
 * ({@link #outcomeOf}): an {@link NcclException} where success was due is a product failure, a timeout is a
 * failure that leaves the communicator aborted, an unsupported feature is a skip with the release it needs,
 * anything else is broken.
 */
final class Reporter {

    private final int rank;
    private final PrintStream out;
    private int passed;
    private int failed;
    private int skipped;
    private int broken;
    private boolean timedOut;

    Reporter(int rank, PrintStream out) {
        this.rank = rank;
        this.out = out;
    }

    synchronized void emit(WorkerEvent event) {
        out.println(EventCodec.encode(event));
        out.flush();
    }

    void progress(String phase) {
        emit(new WorkerEvent.Progress(rank, phase));
    }

    CheckResult run(CheckSpec spec) {
        progress(spec.id());
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = spec.body().run();
        } catch (Exception | AssertionError e) {
            outcome = outcomeOf(e);
        }
        if (outcome.cause() == Cause.TIMEOUT) timedOut = true;
        long millis = (System.nanoTime() - start) / 1_000_000;
        return record(spec, outcome, millis);
    }

    /** The data key of the raw {@code ncclResult_t} of a check whose NCCL call returned an error. */
    static final String NCCL_RESULT = "ncclResult";

    /**
     * What an exception out of a check body means: a timeout (NCCL's or the stream's) is {@link Cause#TIMEOUT}; a
     * function, type or operator the release lacks is a {@link Cause#RELEASE_GAP} skip; any other NCCL error is
     * {@link Cause#NCCL_ERROR}, with the raw result under {@link #NCCL_RESULT}; a {@link CheckFailure} is what it
     * says; anything else broke the infrastructure.
     */
    static Outcome outcomeOf(Throwable e) {
        return switch (e) {
            case NcclTimeoutException t -> Outcome.failed(Cause.TIMEOUT, "timed out: " + t.getMessage());
            case DeviceTimeoutException t -> Outcome.failed(Cause.TIMEOUT, "timed out: " + t.getMessage());
            case NcclUnsupportedException u -> Outcome.skipped(Cause.RELEASE_GAP, u.getMessage());
            // The raw result travels as data: a call NCCL rejected outright (invalid argument or usage) says nothing
            // about whether the next, different call can work.
            case NcclException n -> new Outcome(CheckStatus.FAILED, Cause.NCCL_ERROR, n.getMessage(), List.of(),
                    Map.of(NCCL_RESULT, Integer.toString(n.rawResult())));
            case CheckFailure f -> Outcome.failed(f.failureCause(),
                    (f.failureCause() == Cause.TIMEOUT ? "timed out: " : "") + f.getMessage());
            default -> Outcome.broken(e.getClass().getSimpleName() + ": " + e.getMessage());
        };
    }

    /** Reports a check that was not run, with the reason; the cause decides the status. */
    CheckResult notRun(CheckSpec spec, Cause cause, String reason) {
        return record(spec, new Outcome(cause.status(), cause, reason, List.of(), Map.of()), 0);
    }

    CheckResult notRun(CheckSpec spec, Gap gap) {
        return notRun(spec, gap.cause(), gap.reason());
    }

    private CheckResult record(CheckSpec spec, Outcome o, long millis) {
        CheckResult r = new CheckResult(rank, spec.id(), spec.planned().group(), spec.planned().params(), o.status(),
                o.message(), millis, o.mismatches(), o.data(), o.cause());
        switch (o.status()) {
            case PASSED -> passed++;
            case FAILED -> failed++;
            case SKIPPED -> skipped++;
            case BROKEN -> broken++;
        }
        emit(new WorkerEvent.Check(rank, r));
        return r;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The exit status for the results reported so far ({@link WorkerExit#forResults}). */
    WorkerExit exit() {
        return WorkerExit.forResults(timedOut, failed, broken);
    }

    WorkerEvent.Done done(long millis) {
        return new WorkerEvent.Done(rank, passed, failed, skipped, broken, millis);
    }
}
