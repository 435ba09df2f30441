package io.ncclffm.harness.launch;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small process, started detached (in a session of its own) when a matrix run begins, that stops the run's ranks
 * when the controller dies without finishing. The controller writes {@link ReaperMessage}s to the reaper's standard
 * input and holds the pipe open for its whole life; when the controller dies, however it dies (SIGKILL included), the
 * kernel closes the pipe. End-of-file without a {@link ReaperMessage.Finished} line means the run was cut short: the
 * reaper waits until the controller's process is provably gone, then kills the rank processes it was told about (each
 * checked by its start time, so that a reused process id is never killed) with their children, removes the run's
 * labelled containers, networks and volumes (twice, a few seconds apart, for a container whose creation was in flight),
 * and the run's scratch folder.
 *
 * <p>It touches only what carries its own run's label, processes it was told about, and its run's scratch folder.
 * It needs the controller's classes and Jackson only ({@link DockerEngine} speaks to Docker itself), so that it runs
 * from the standalone jar and from a Maven build alike.
 */
public final class RankReaper {

    /** How long after end-of-file the controller's process may still exist before the reaper leaves the run alone. */
    static final Duration CONTROLLER_EXIT_BOUND = Duration.ofSeconds(60);
    /** The pause before the second sweep, for resources whose creation the controller had asked for as it died. */
    static final Duration SECOND_SWEEP_AFTER = Duration.ofSeconds(3);
    /** The bound on all sweeps together. */
    static final Duration SWEEPS_BOUND = Duration.ofSeconds(90);

    private RankReaper() {
    }

    /** {@code RUN_ID CONTROLLER_PID CONTROLLER_START_TICKS SCRATCH_DIR|-}; messages on standard input. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: RankReaper RUN_ID CONTROLLER_PID CONTROLLER_START_TICKS SCRATCH_DIR|-");
            System.exit(2);
        }
        String runId = args[0];
        long controller = Long.parseLong(args[1]);
        long controllerStart = Long.parseLong(args[2]);
        Path scratch = args[3].equals("-") ? null : Path.of(args[3]);
        Map<Long, Long> ranks = new LinkedHashMap<>();
        String docker = null;
        boolean finished = false;
        log(runId, "watching controller pid " + controller);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (ReaperMessage.decode(line)) {
                case ReaperMessage.RankStarted r -> ranks.put(r.pid(), r.startTicks());
                case ReaperMessage.RankEnded r -> ranks.remove(r.pid());
                case ReaperMessage.DockerInUse d -> docker = d.endpoint();
                case ReaperMessage.Finished f -> finished = true;
                case null -> log(runId, "not a message, ignored: " + line);
            }
            if (finished) break;
        }
        if (finished) {
            log(runId, "the run finished; nothing to do");
            System.exit(0);
        }
        if (!awaitGone(controller, controllerStart)) {
            log(runId, "the pipe closed but controller pid " + controller + " still runs after "
                    + CONTROLLER_EXIT_BOUND.toSeconds() + " s; leaving its run alone");
            System.exit(1);
        }
        log(runId, "the controller is gone without finishing; stopping what its run started");
        reap(runId, ranks, docker, scratch);
        System.exit(0);
    }

    private static boolean awaitGone(long pid, long startTicks) {
        long end = System.nanoTime() + CONTROLLER_EXIT_BOUND.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!ControllerIdentity.running(pid, startTicks)) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    static void reap(String runId, Map<Long, Long> ranks, String docker, Path scratch) {
        ranks.forEach((pid, start) -> {
            if (!ControllerIdentity.running(pid, start)) return; // ended, or its id now names another process
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                log(runId, "killed rank process " + pid);
            });
        });
        if (docker != null) {
            DockerLeftovers leftovers = new DockerLeftovers(DockerEngine.at(docker));
            long end = System.nanoTime() + SWEEPS_BOUND.toNanos();
            int round = 0;
            boolean lastFoundNothing = false;
            // At least two sweeps; then on until one finds nothing, within the bound.
            while ((round < 2 || !lastFoundNothing) && System.nanoTime() - end < 0) {
                if (round > 0) sleep(SECOND_SWEEP_AFTER);
                DockerLeftovers.Sweep sweep = leftovers.removeRun(runId);
                sweep.removed().forEach(r -> log(runId, "removed " + r));
                sweep.failures().forEach(f -> log(runId, "could not remove: " + f));
                lastFoundNothing = sweep.foundNothing();
                round++;
            }
        }
        if (scratch != null && Files.exists(scratch)) {
            log(runId, (RunScratch.delete(scratch) ? "removed " : "could not remove ") + scratch);
        }
        log(runId, "done");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(String runId, String message) {
        System.out.println(Instant.now() + " reaper of run " + runId + ": " + message);
        System.out.flush();
    }

    /**
     * The controller's end of the pipe: the reaper is told of every rank process and of the Docker daemon as they come,
     * and that the run finished at its end. Messages go out as the launchers act; a reaper that died is noted once, and
     * the run goes on without it.
     */
    public static final class Link {

        private final Process process;
        private final OutputStream pipe;
        private boolean closed;

        private Link(Process process) {
            this.process = process;
            this.pipe = process.getOutputStream();
        }

        /**
         * Starts the reaper of {@code run} in a session of its own ({@code setsid}, where the host has it), so that a
         * signal to the controller's process group does not reach it.
         *
         * @param scratch the run's scratch folder, removed with the run's resources; {@code null} for none
         * @param log     where the reaper writes what it did (appended)
         */
        public static Link start(RunIdentity run, Path scratch, Path log) {
            List<String> cmd = new ArrayList<>();
            Path setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? Path.of("/usr/bin/setsid")
                    : Files.isExecutable(Path.of("/bin/setsid")) ? Path.of("/bin/setsid") : null;
            if (setsid != null) cmd.add(setsid.toString());
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classPath(), RankReaper.class.getName(), run.runId(), Long.toString(run.controller().pid()),
                    Long.toString(run.controller().startTicks()), scratch == null ? "-" : scratch.toString()));
            try {
                Files.createDirectories(log.toAbsolutePath().getParent());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                return new Link(p);
            } catch (IOException e) {
                throw new HarnessException("cannot start the run's reaper: " + cmd, e);
            }
        }

        /** The reaper's process id. */
        public long pid() {
            return process.pid();
        }

        public synchronized void send(ReaperMessage message) {
            if (closed) return;
            try {
                pipe.write((message.encode() + "\n").getBytes(StandardCharsets.UTF_8));
                pipe.flush();
            } catch (IOException e) {
                closed = true;
                System.err.println("[ncclffm] the run's reaper is gone (" + e.getMessage() + "); a controller killed now would "
                        + "leave its ranks running until their own deadlines");
            }
        }

        /** Tells the reaper the run finished and waits (bounded) for it to exit. */
        public void finished() {
            send(new ReaperMessage.Finished());
            synchronized (this) {
                closed = true;
                try {
                    pipe.close();
                } catch (IOException ignored) {
                    // it has what it needs
                }
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * The class path the reaper needs: where this class and Jackson's were loaded from (a jar or a classes folder
         * each), never a launcher's class path file that may be gone by the time the reaper acts.
         */
        static String classPath() {
            Set<String> entries = new LinkedHashSet<>();
            for (Class<?> c : List.of(RankReaper.class, ObjectMapper.class, JsonFactory.class, JsonTypeInfo.class)) {
                try {
                    entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
                } catch (URISyntaxException | NullPointerException e) {
                    throw new HarnessException("cannot tell where " + c.getName() + " was loaded from, for the reaper", e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
    }
}
