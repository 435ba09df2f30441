package io.ncclffm.harness.worker;

import java.io.IOException;
import java.io.InputStream;

import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * Ties the worker's life to its launcher's ({@link WorkerConfig.Lifeline#STDIN}). The process launcher holds a pipe to
 * the worker's standard input and never writes to it; when the launcher dies, however it dies (SIGKILL included),
 * the kernel closes its end and the read here reaches end-of-file. The worker then kills the processes it started
 * (nccl-tests) and halts at once: nobody is left to read its results, and a rank that waited for its own deadline
 * would hold its GPU for minutes. {@code Runtime.halt} ends the process even while another thread is stuck in a
 * native call.
 *
 * <p>Off by default: a worker started by hand, or in a container whose standard input is no live pipe, reads
 * end-of-file at once and must not die of it.
 */
final class Lifeline {

    private Lifeline() {
    }

    static void start(WorkerConfig config) {
        if (config.lifeline() != WorkerConfig.Lifeline.STDIN) return;
        Thread.ofPlatform().daemon().name("ncclffm-lifeline").start(() -> {
            awaitEndOfFile(System.in);
            System.err.println("[ncclffm] rank " + config.rank() + ": the launcher is gone (standard input closed); exiting");
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            RankWorker.halt(WorkerExit.BROKEN);
        });
    }

    /** Returns when {@code in} reaches end-of-file or fails; what arrives before is dropped. */
    static void awaitEndOfFile(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the launcher writes nothing; anything that comes is no reason to stop
            }
        } catch (IOException e) {
            // a broken pipe is the launcher gone too
        }
    }
}
