package io.ncclffm.harness.junit;

import java.time.Duration;

import io.ncclffm.harness.launch.RunResources;
import io.ncclffm.harness.report.MatrixReport;

/**
 * What the controller does when it exits before its run finished, told to stop (SIGTERM, SIGINT) or exiting for any
 * other reason: the JVM runs its shutdown hooks, and this one writes the grid and a gate of what the run recorded
 * (INCOMPLETE, or FAIL, naming every cell run that never finished), then stops the run: no new rank starts, every rank
 * process tree is killed, the run's containers, networks and volumes are removed and its scratch folder deleted.
 * The report comes first, so that a second signal during the cleanup still leaves it behind.
 *
 * <p>Every step is bounded, and so is the hook: the JVM exits once it is done or {@link #BOUND} has passed. What is left
 * then, the reaper removes once the controller's process is gone.
 */
final class RunShutdown {

    /** How long the hook may keep the JVM from exiting. */
    static final Duration BOUND = Duration.ofSeconds(90);

    private RunShutdown() {
    }

    /** Registers the hook for a run; {@link #unregister} when the run has finished. */
    static Thread register(MatrixReport report, RunResources resources) {
        Thread hook = Thread.ofPlatform().name("ncclffm-shutdown").unstarted(() -> stop(report, resources));
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void unregister(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: the hook runs, and finds the run finished
        }
    }

    private static void stop(MatrixReport report, RunResources resources) {
        Thread work = Thread.ofPlatform().name("ncclffm-stop").daemon().start(() -> {
            try {
                if (report.stop("the controller exited before the run finished (SIGTERM, SIGINT or an exit)") != null) {
                    System.out.println("[ncclffm] stopping the run's ranks and removing its containers, networks and volumes");
                }
            } catch (RuntimeException e) {
                System.err.println("[ncclffm] could not write the stopped run's report: " + e);
            }
            resources.stop();
        });
        try {
            work.join(BOUND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (work.isAlive()) {
            System.err.println("[ncclffm] the stop did not end within " + BOUND.toSeconds() + " s; the run's reaper removes the rest");
        }
    }
}
