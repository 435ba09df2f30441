package io.ncclffm.harness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.harness.launch.HarnessException;

/** Runs the worker's jar, which this jar carries, as a process of its own: loading a library is the worker's business. */
final class WorkerJar {

    private WorkerJar() {
    }

    static String thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Runs {@code command} (the worker's jar) with this process's environment, its standard output and error copied to
     * {@code out} and {@code err} as they come; returns its exit status, which is the command's own.
     */
    static int run(List<String> command, PrintStream out, PrintStream err) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new HarnessException("cannot start " + command, e);
        }
        Thread stdout = copy(p.getInputStream(), out);
        Thread stderr = copy(p.getErrorStream(), err);
        try {
            int code = p.waitFor();
            stdout.join();
            stderr.join();
            return code;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Main.ExitCode.FAILED.code();
        }
    }

    private static Thread copy(InputStream from, PrintStream to) {
        return Thread.ofVirtual().start(() -> {
            try (from) {
                from.transferTo(to);
                to.flush();
            } catch (IOException e) {
                // the worker is gone; what it wrote has been copied
            }
        });
    }
}
