package io.ncclffm.harness.worker;

import java.io.PrintStream;
import java.util.List;

import io.ncclffm.NcclException;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.model.CheckResult;
import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.EventCodec;
import io.ncclffm.harness.model.WorkerEvent;

/**
 * Runs checks and writes each result as a JSON line the moment it is known. Exceptions become outcomes: an
 * {@link NcclException} where success was due is a product failure, a timeout is a failure that leaves the
 * communicator aborted, an unsupported feature is a skip with the release it needs, anything else is broken.
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
        } catch (NcclTimeoutException | DeviceTimeoutException e) {
            timedOut = true;
            outcome = Outcome.failed("timed out: " + e.getMessage());
        } catch (NcclUnsupportedException e) {
            outcome = Outcome.skipped(e.getMessage());
        } catch (NcclException e) {
            outcome = Outcome.failed(e.getMessage());
        } catch (Exception | AssertionError e) {
            outcome = Outcome.broken(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return record(spec, outcome, millis);
    }

    /** Reports a check that was not run, with the reason, as the given status. */
    CheckResult notRun(CheckSpec spec, CheckStatus status, String reason) {
        return record(spec, new Outcome(status, reason, List.of(), java.util.Map.of()), 0);
    }

    private CheckResult record(CheckSpec spec, Outcome o, long millis) {
        CheckResult r = new CheckResult(rank, spec.id(), spec.planned().group(), spec.planned().params(), o.status(),
                o.message(), millis, o.mismatches(), o.data());
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

    int failures() {
        return failed;
    }

    int brokenCount() {
        return broken;
    }

    WorkerEvent.Done done(long millis) {
        return new WorkerEvent.Done(rank, passed, failed, skipped, broken, millis);
    }
}
