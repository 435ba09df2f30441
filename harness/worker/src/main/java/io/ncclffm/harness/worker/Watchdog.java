package io.ncclffm.harness.worker;

import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * The worker's last line of defence: some waits cannot be bounded from Java (a blocking {@code ncclCommInitRank}
 * on a release without non-blocking init), so a daemon thread ends the process when the worker's deadline
 * passes, after saying so.
 */
final class Watchdog {

    private Watchdog() {
    }

    static void start(WorkerConfig config, Reporter reporter) {
        Thread t = Thread.ofPlatform().daemon().name("ncclffm-watchdog").unstarted(() -> {
            try {
                Thread.sleep(config.timeouts().worker());
            } catch (InterruptedException e) {
                return;
            }
            reporter.emit(new WorkerEvent.Fatal(config.rank(), "worker deadline of " + config.timeouts().worker().toSeconds()
                    + " s passed; exiting without cleanup", null));
            RankWorker.halt(WorkerExit.TIMED_OUT);
        });
        t.start();
    }
}
