package io.ncclffm.harness.worker;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>A call that never returns ends the rank from another thread ({@link #endAfterHungCall}) while the check thread
 * is still inside it; from then on the reporter writes nothing more, whatever that thread reports.
 */
final class Reporter {

    private final int rank;
    private final PrintStream out;
    private int passed;
    private int failed;
    private int skipped;
    private int broken;
    private boolean timedOut;
    /** The checks the rank announced, in order; {@code null} until it has. */
    private List<CheckSpec> planned;
    private final Set<String> reported = new HashSet<>();
    /** The check running now, and since when ({@link System#nanoTime()}); {@code null} between checks. */
    private CheckSpec inFlight;
    private long inFlightSince;
    private String lastPhase = "starting";
    private boolean ended;

    Reporter(int rank, PrintStream out) {
        this.rank = rank;
        this.out = out;
    }

    synchronized void emit(WorkerEvent event) {
        if (ended) return;
        if (event instanceof WorkerEvent.Progress p) lastPhase = p.phase();
        out.println(EventCodec.encode(event));
        out.flush();
    }

    /** Records the checks of the plan the rank announced, so that a rank ending early can report the rest. */
    synchronized void planned(List<CheckSpec> checks) {
        planned = List.copyOf(checks);
    }

    /** Whether the rank was ended ({@link #endAfterHungCall}); nothing more is reported. */
    synchronized boolean ended() {
        return ended;
    }

    void progress(String phase) {
        emit(new WorkerEvent.Progress(rank, phase));
    }

    CheckResult run(CheckSpec spec) {
        long start = System.nanoTime();
        synchronized (this) {
            inFlight = spec;
            inFlightSince = start;
        }
        progress(spec.id());
        Outcome outcome;
        try {
            outcome = spec.body().run();
        } catch (Exception | AssertionError e) {
            outcome = outcomeOf(e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return record(spec, outcome, millis);
    }

    /** The data key of the C function that did not return, in a check that ended the rank for that. */
    static final String HUNG_CALL = "hungCall";
    /** The data key of the bound, in milliseconds, that the call of {@link #HUNG_CALL} overran. */
    static final String HUNG_CALL_BOUND_MS = "hungCallBoundMs";

    /**
     * What an exception out of a check body means: a timeout (NCCL's or the stream's) is {@link Cause#TIMEOUT}; a
     * function, type or operator the release lacks is a {@link Cause#RELEASE_GAP} skip; any other NCCL error is
     * {@link Cause#NCCL_ERROR}, with the raw result ({@link CheckResult#ncclResult()}); a {@link CheckFailure} is what it
     * says; anything else broke the infrastructure.
     */
    static Outcome outcomeOf(Throwable e) {
        return switch (e) {
            case NcclTimeoutException t -> Outcome.failed(Cause.TIMEOUT, "timed out: " + t.getMessage());
            case DeviceTimeoutException t -> Outcome.failed(Cause.TIMEOUT, "timed out: " + t.getMessage());
            case NcclUnsupportedException u -> Outcome.skipped(Cause.RELEASE_GAP, u.getMessage());
            // The raw result travels with the result: a call NCCL rejected outright (invalid argument or usage) says
            // nothing about whether the next, different call can work.
            case NcclException n -> Outcome.ncclError(n);
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

    private synchronized CheckResult record(CheckSpec spec, Outcome o, long millis) {
        CheckResult r = new CheckResult(rank, spec.id(), spec.planned().group(), spec.planned().params(), o.status(),
                o.message(), millis, o.mismatches(), o.data(), o.cause(), o.ncclResult(), o.fingerprint());
        if (ended) return r;
        if (inFlight == spec) inFlight = null;
        reported.add(spec.id());
        if (o.cause() == Cause.TIMEOUT) timedOut = true;
        switch (o.status()) {
            case PASSED -> passed++;
            case FAILED -> failed++;
            case SKIPPED -> skipped++;
            case BROKEN -> broken++;
        }
        emit(new WorkerEvent.Check(rank, r));
        return r;
    }

    synchronized boolean timedOut() {
        return timedOut;
    }

    /** The exit status for the results reported so far ({@link WorkerExit#forResults}). */
    synchronized WorkerExit exit() {
        return WorkerExit.forResults(timedOut, failed, broken);
    }

    synchronized WorkerEvent.Done done(long millis) {
        return new WorkerEvent.Done(rank, passed, failed, skipped, broken, millis);
    }

    /**
     * Ends the rank's reporting after {@code hung}, a call that did not return (it still has not, on another thread):
     * says so ({@link WorkerEvent.Hung}); reports the check it belongs to as failed with {@link Cause#TIMEOUT} and every
     * planned check not yet reported as not run, naming the call; then {@code done}. A call that hung outside any
     * check, with nothing planned left to report, gets {@link WorkerEvent.Fatal} instead of {@code done}: no result
     * carries it. Nothing is reported after this.
     *
     * @param millis how long the rank has run, for {@code done}
     * @return the exit status that goes with what was reported
     */
    synchronized WorkerExit endAfterHungCall(CallGuard.HungCall hung, long millis) {
        String phase = lastPhase;
        emit(new WorkerEvent.Hung(rank, hung.call(), phase, hung.bound().toMillis()));
        String what = hung.describe();
        boolean inCheck = inFlight != null;
        if (inCheck) {
            record(inFlight, Outcome.callHung(hung, what + "; a call NCCL never returns from cannot be recovered in"
                    + " this process, so the rank ends here"), (System.nanoTime() - inFlightSince) / 1_000_000);
        }
        List<CheckSpec> left = planned == null ? List.of()
                : planned.stream().filter(spec -> !reported.contains(spec.id())).toList();
        WorkerExit exit;
        if (!inCheck && left.isEmpty()) {
            emit(new WorkerEvent.Fatal(rank, what + " in " + phase + ", after its last check; the rank ends here", null));
            exit = WorkerExit.TIMED_OUT;
        } else {
            for (CheckSpec spec : left) notRun(spec, Cause.BLOCKED, "not run: " + what + " in " + phase + ", and the rank ended");
            emit(done(millis));
            exit = exit();
        }
        out.flush();
        ended = true;
        return exit;
    }
}
