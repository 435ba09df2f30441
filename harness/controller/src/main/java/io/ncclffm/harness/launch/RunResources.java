package io.ncclffm.harness.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one matrix run has started and must stop: its rank processes, its containers, networks and volumes (found by
 * the run's labels, {@link RunIdentity}), its scratch folder ({@link RunScratch}) and its reaper ({@link RankReaper}).
 * Launchers register each rank process as it starts and refuse to start anything once the run is stopping; the run
 * {@linkplain #close() closes} it at its end, and the shutdown hook {@linkplain #stop stops} it when the controller is
 * told to stop. What neither gets to do, because the controller was killed, the reaper does.
 */
public final class RunResources implements AutoCloseable {

    /** How long killing one rank process tree may take before the stop goes on without it. */
    private static final Duration KILL_BOUND = Duration.ofSeconds(5);
    /** The folder of the rank processes' private folders, in the run's scratch folder. */
    static final String RANKS = "ranks";

    private final RunIdentity identity;
    private final Path scratchParent;
    private final RankReaper.Link reaper;
    private final Set<Process> ranks = new LinkedHashSet<>();
    /** What a stop must do beyond killing processes: cancel the Slurm jobs running now. */
    private final Set<Runnable> stopActions = new LinkedHashSet<>();
    private RunScratch scratch;
    private DockerEngine docker;
    private boolean stopping;

    private RunResources(RunIdentity identity, Path scratchParent, RankReaper.Link reaper) {
        this.identity = identity;
        this.scratchParent = scratchParent;
        this.reaper = reaper;
    }

    /**
     * The resources of a matrix run whose outputs go to {@code runDir}: its scratch folder is {@code runDir/scratch},
     * and its reaper, started now, logs to {@code runDir/reaper.log}. A reaper that cannot start is said so and the
     * run goes on: the shutdown hook and the ranks' lifeline still stand.
     */
    public static RunResources forRun(RunIdentity identity, Path runDir) {
        RankReaper.Link reaper = null;
        try {
            reaper = RankReaper.Link.start(identity, runDir.resolve(RunScratch.NAME), runDir.resolve("reaper.log"));
        } catch (HarnessException e) {
            System.err.println("[ncclffm] " + e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : "")
                    + "; if this controller is killed, its containers stay until a later run removes them");
        }
        return new RunResources(identity, runDir, reaper);
    }

    /**
     * Where launchers outside a matrix run keep their scratch folders: {@value #SCRATCH_DIR_PROPERTY}, else the
     * temporary directory. The build points it into {@code target/}, so that the tests' worker archives and rank
     * folders live in a folder the build owns, not in a shared {@code /tmp} another user may clean or fill.
     */
    public static final String SCRATCH_DIR_PROPERTY = "ncclffm.scratch.dir";

    /**
     * Resources for launchers used outside a matrix run (tests, the fault drill): no reaper, and a scratch folder of
     * their own (0700) under {@value #SCRATCH_DIR_PROPERTY} or the temporary directory, removed when the JVM exits.
     */
    public static RunResources standalone() {
        String id = "standalone-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        RunResources r = new RunResources(RunIdentity.of(id), null, null);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(r::close));
        return r;
    }

    public RunIdentity identity() {
        return identity;
    }

    /** The run's scratch folder, made on first use. */
    public synchronized Path scratch() {
        if (scratch == null) {
            Path parent = scratchParent;
            if (parent == null) {
                try {
                    String base = System.getProperty(SCRATCH_DIR_PROPERTY);
                    var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
                    String prefix = "ncclffm-" + identity.runId() + "-";
                    parent = base == null || base.isBlank() ? Files.createTempDirectory(prefix, owner)
                            : Files.createTempDirectory(Files.createDirectories(Path.of(base)), prefix, owner);
                } catch (java.io.IOException e) {
                    throw new HarnessException("cannot make a scratch folder for " + identity.runId(), e);
                }
            }
            scratch = RunScratch.create(parent, identity.controller());
        }
        return scratch.dir();
    }

    /**
     * A new private folder (0700) in the run's scratch folder for one rank process: its {@code java.io.tmpdir} and
     * {@code TMPDIR}, where JCuda unpacks and loads its native libraries. It is removed with the run's scratch folder,
     * or earlier by {@link #removeRankFolder}.
     *
     * @param name unique within the run, e.g. the cell run's id and the rank
     */
    public Path newRankFolder(String name) {
        return RunScratch.newPrivateFolder(scratch().resolve(RANKS), name);
    }

    /** Removes a rank's folder once its process has ended; one that cannot be removed goes with the run's scratch. */
    public void removeRankFolder(Path folder) {
        RunScratch.delete(folder);
    }

    /** Whether the run is being stopped: nothing new may start. */
    public synchronized boolean stopping() {
        return stopping;
    }

    /**
     * @throws HarnessException when the run is stopping, so that a launcher starts no container or network the stop
     *                          has already swept for
     */
    public synchronized void checkNotStopping() {
        if (stopping) throw new HarnessException("the harness is stopping; nothing new is started");
    }

    /**
     * A rank process was started: it is killed with the run, and the reaper is told.
     *
     * @throws HarnessException when the run is stopping; the process has then been killed
     */
    public void rankStarted(Process p) {
        synchronized (this) {
            if (stopping) {
                killTree(p.toHandle());
                throw new HarnessException("the harness is stopping; rank process " + p.pid() + " was killed at once");
            }
            ranks.add(p);
        }
        Long start = ControllerIdentity.startTicksOf(p.pid());
        if (reaper != null && start != null) reaper.send(new ReaperMessage.RankStarted(p.pid(), start));
    }

    /** {@code action} runs if the run is stopped before {@link #doneRunning}: a Slurm job's {@code scancel}. */
    public synchronized void whileRunning(Runnable action) {
        stopActions.add(action);
    }

    public synchronized void doneRunning(Runnable action) {
        stopActions.remove(action);
    }

    /** A rank process ended and its launcher is done with it. */
    public void rankEnded(Process p) {
        synchronized (this) {
            ranks.remove(p);
        }
        if (reaper != null) reaper.send(new ReaperMessage.RankEnded(p.pid()));
    }

    /**
     * The run creates containers on the daemon at {@code endpoint} ({@code DOCKER_HOST} form): the reaper is told, and
     * what dead controllers left on that daemon is removed, once per run.
     */
    public void useDocker(String endpoint) {
        DockerEngine engine;
        synchronized (this) {
            if (docker != null) return;
            try {
                docker = DockerEngine.at(endpoint);
            } catch (IllegalArgumentException e) {
                System.err.println("[ncclffm] " + e.getMessage() + "; the reaper cannot remove this run's containers");
                return;
            }
            engine = docker;
        }
        if (reaper != null) reaper.send(new ReaperMessage.DockerInUse(endpoint));
        DockerLeftovers.Sweep sweep = new DockerLeftovers(engine).removeDeadControllers();
        if (!sweep.removed().isEmpty()) {
            System.out.println("[ncclffm] removed what runs of controllers that are gone left: " + sweep.removed());
        }
        sweep.failures().forEach(f -> System.err.println("[ncclffm] could not remove a dead run's leftover: " + f));
    }

    /**
     * Stops the run now (the shutdown hook): nothing new starts, every rank process tree is killed, the run's containers,
     * networks and volumes are removed and its scratch folder deleted. Each step is bounded; the reaper, which is not
     * told that the run finished, sweeps again once this process has exited.
     */
    public void stop() {
        List<Process> running;
        List<Runnable> actions;
        synchronized (this) {
            stopping = true;
            running = new ArrayList<>(ranks);
            actions = new ArrayList<>(stopActions);
        }
        for (Process p : running) killTree(p.toHandle());
        for (Runnable a : actions) a.run();
        sweepDocker();
        deleteScratch();
    }

    /** The run ended: whatever of it is left in Docker is removed, the scratch folder deleted, the reaper told. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
        }
        sweepDocker();
        deleteScratch();
        if (reaper != null) reaper.finished();
    }

    private void sweepDocker() {
        DockerEngine engine;
        synchronized (this) {
            engine = docker;
        }
        if (engine == null) return;
        DockerLeftovers.Sweep sweep = new DockerLeftovers(engine).removeRun(identity.runId());
        if (!sweep.removed().isEmpty()) System.out.println("[ncclffm] removed what the run left: " + sweep.removed());
        sweep.failures().forEach(f -> System.err.println("[ncclffm] could not remove: " + f));
    }

    private synchronized void deleteScratch() {
        if (scratch == null) return;
        if (!scratch.delete()) System.err.println("[ncclffm] could not remove the run's scratch folder " + scratch.dir());
        if (scratchParent == null) RunScratch.delete(scratch.dir().getParent());
        scratch = null;
    }

    private static void killTree(ProcessHandle p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.onExit().get(KILL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // bounded: the reaper and the rank's lifeline are behind this
        }
    }
}
