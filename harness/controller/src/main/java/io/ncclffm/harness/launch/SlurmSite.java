package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where Slurm is reached and what its nodes see: the command that reaches Slurm's client commands (empty on a login
 * node; a prefix such as {@code docker exec -i login} where they live elsewhere), and the worker's Java and jar at
 * paths every node sees (by default the controller's own, which on a cluster sit in a shared home folder).
 *
 * @param client prefix of every Slurm command, one argument each
 * @param java   the {@code java} executable on the nodes
 * @param jar    the worker's jar on the nodes
 */
public record SlurmSite(List<String> client, String java, String jar) {

    /** The prefix of Slurm's commands, split on spaces; unset: they are run here. */
    public static final String CLIENT_PROPERTY = "ncclffm.slurm.client";
    /** The worker's {@code java} as the nodes see it; unset: this bundle's. */
    public static final String JAVA_PROPERTY = "ncclffm.slurm.java";
    /** The worker's jar as the nodes see it; unset: this bundle's. */
    public static final String JAR_PROPERTY = "ncclffm.slurm.jar";

    public SlurmSite {
        client = List.copyOf(client);
    }

    /** From {@value #CLIENT_PROPERTY}, {@value #JAVA_PROPERTY} and {@value #JAR_PROPERTY}, over {@code bundle}'s paths. */
    public static SlurmSite of(WorkerBundle bundle) {
        String prefix = property(CLIENT_PROPERTY, "");
        return new SlurmSite(prefix.isEmpty() ? List.of() : Arrays.asList(prefix.split("\\s+")),
                property(JAVA_PROPERTY, bundle.java().toString()), property(JAR_PROPERTY, bundle.jar().toString()));
    }

    /** A property's value, or {@code otherwise} where it is unset or blank (Maven passes an unset one as blank). */
    private static String property(String name, String otherwise) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? otherwise : v.strip();
    }

    /**
     * The command line of one step: {@code env} hands srun the step's environment (srun passes its own to every
     * task), then srun with {@code options} and the worker's command.
     */
    List<String> srun(List<String> options, Map<String, String> stepEnvironment, List<String> command) {
        List<String> cmd = new ArrayList<>(client);
        cmd.add("env");
        stepEnvironment.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add("srun");
        cmd.addAll(options);
        cmd.addAll(command);
        return cmd;
    }

    /** Cancels the job named {@code jobName} (its steps with it); bounded, and quiet when there is none. */
    void scancel(String jobName, Duration bound) {
        run(List.of("scancel", "--name=" + jobName), bound);
    }

    /**
     * Cancels the job and waits, up to {@code bound}, until squeue no longer lists it: a cancelled job stays
     * listed while its nodes end its tasks (Slurm's KillWait), and a cell run is over only once the job is.
     *
     * @return whether it is gone
     */
    boolean cancelAndAwait(String jobName, Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        scancel(jobName, bound);
        while (listed(jobName, bound)) {
            if (System.nanoTime() - end > 0) {
                System.err.println("[ncclffm] Slurm still lists job " + jobName + " " + bound.toSeconds() + " s after scancel");
                return false;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Sends {@code signal} to every task of the job's steps, as a rank handle's signal. */
    void scancelSignal(String jobName, String signal, Duration bound) {
        run(List.of("scancel", "--signal=" + signal, "--name=" + jobName), bound);
    }

    /** Whether Slurm still lists a job of that name ({@code squeue}); tests ask it. */
    public boolean listed(String jobName, Duration bound) {
        String out = run(List.of("squeue", "--noheader", "--name=" + jobName, "--format=%i"), bound);
        return out == null || !out.isBlank();
    }

    /** Runs one Slurm command; its output, or {@code null} when it did not finish in time or could not start. */
    private String run(List<String> command, Duration bound) {
        List<String> cmd = new ArrayList<>(client);
        cmd.addAll(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                System.err.println("[ncclffm] " + String.join(" ", command) + " did not end within " + bound.toSeconds() + " s");
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) System.err.println("[ncclffm] " + String.join(" ", command) + " failed: " + out.strip());
            return out;
        } catch (IOException e) {
            System.err.println("[ncclffm] cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
