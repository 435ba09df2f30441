package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.SlurmSettings;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.SlurmTask;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerLaunch;

/**
 * Runs a cell's ranks as one Slurm job step: {@code srun --nodes N --ntasks W --distribution=block --label
 * --input=all}, one task per rank. Each task takes its rank, world and device from Slurm ({@link SlurmTask}); its GPU
 * is Slurm's to bind ({@code --gpus-per-task=1} for a GPU cell), not the harness's pool. Rank 0 serves the
 * rendezvous on its own node, on every interface, with the run's token; the others find it on the step's first node.
 *
 * <p>Events come back through srun's labelled standard output ({@link SlurmStep}), held to everything other ranks'
 * events are held to; the {@link RankSupervisor} applies the same timeouts and hung-rank rule. Slurm signals a step,
 * not one task, so killing any rank cancels the job. The launcher holds srun's standard input open and srun gives it
 * to every task ({@code --input=all}): when the controller dies, however it dies, every task reads end-of-file and
 * exits ({@link WorkerConfig.Lifeline#STDIN}). Every cell run ends with {@code scancel} of its job, by its unique
 * name, and once squeue no longer lists it; the job's {@code --time} bounds it even if nothing else is left to cancel
 * it.
 *
 * <p>The worker and the library must be at paths every node sees ({@link SlurmSite}).
 */
public final class SlurmLauncher implements CellLauncher {

    private static final Duration SRUN_EXIT = Duration.ofSeconds(30);
    private static final Duration SCANCEL_BOUND = Duration.ofSeconds(30);
    /** How long a cancelled job may stay listed while its nodes end its tasks (Slurm's KillWait is 30 s by default). */
    private static final Duration JOB_GONE = Duration.ofSeconds(60);

    private final SlurmSite site;
    private final RunResources resources;

    public SlurmLauncher(SlurmSite site, RunResources resources) {
        this.site = site;
        this.resources = resources;
    }

    @Override
    public String name() {
        return "slurm";
    }

    @Override
    public CellRun run(Cell cell, int world, RankObserver observer, List<Integer> devices) {
        long start = System.nanoTime();
        String jobName = "ncclffm-" + resources.identity().runId() + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        List<RankOutput> outputs = new ArrayList<>();
        List<TaskHandle> handles = new ArrayList<>();
        List<Map<String, String>> envs = new ArrayList<>();
        RendezvousToken token = RendezvousToken.random();
        int port = RendezvousPorts.next();
        for (int rank = 0; rank < world; rank++) {
            Map<String, String> env = WorkerEnvironment.forRank(cell.forRank(rank), world, rank, SlurmTask.RANK0_NODE, port,
                    "0.0.0.0", token, 0, null, null, null, WorkerConfig.Lifeline.STDIN);
            RankOutput out = new RankOutput(rank);
            out.expectFrom(env);
            outputs.add(out);
            envs.add(env);
            handles.add(new TaskHandle(rank, jobName, site));
        }
        Process srun;
        try {
            resources.checkNotStopping();
            srun = new ProcessBuilder(site.srun(srunOptions(cell, world, jobName), SlurmTask.stepEnvironment(envs),
                    WorkerLaunch.rank(site.java(), site.jar(), null))).start();
        } catch (IOException | RuntimeException e) {
            String why = "srun did not start: " + e.getMessage();
            outputs.forEach(o -> o.ended(RankEnding.notStarted(why)));
            return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), why);
        }
        Runnable cancel = () -> site.scancel(jobName, SCANCEL_BOUND);
        String jobLeft = null;
        resources.whileRunning(cancel);
        String failure = null;
        try {
            resources.rankStarted(srun);
            SlurmStep step = new SlurmStep(outputs, handles, observer);
            Thread out = pump(srun.getInputStream(), step.stdout());
            Thread err = pump(srun.getErrorStream(), step.stderr());
            List<RankSupervisor.Rank> ranks = new ArrayList<>();
            for (RankOutput o : outputs) ranks.add(new Task(o, srun, jobName, site));
            new RankSupervisor(cell).supervise(ranks);
            if (!waitFor(srun, SRUN_EXIT)) failure = "srun did not end within " + SRUN_EXIT.toSeconds() + " s of its ranks";
            join(out);
            join(err);
            if (failure == null && srun.exitValue() != 0 && outputs.stream().allMatch(o -> o.events().isEmpty())) {
                failure = "srun exited with " + srun.exitValue() + " before any rank started; srun's words are in every rank's log";
            }
            step.stepEnded();
        } catch (HarnessException e) {
            failure = e.getMessage();
            outputs.forEach(o -> {
                if (!o.hasEnded()) o.ended(RankEnding.killed(RankEnding.KillReason.CELL_NOT_STARTED, "killed: " + e.getMessage(),
                        o.lastPhase()));
            });
        } finally {
            srun.destroyForcibly();
            if (!site.cancelAndAwait(jobName, JOB_GONE)) jobLeft = "Slurm still lists job " + jobName + " after scancel";
            resources.doneRunning(cancel);
            resources.rankEnded(srun);
        }
        return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), failure != null ? failure : jobLeft);
    }

    /** srun's options for one cell run: the layout from the cell, and the event channel's own. */
    static List<String> srunOptions(Cell cell, int world, String jobName) {
        SlurmSettings s = cell.slurm();
        List<String> o = new ArrayList<>(List.of("--job-name=" + jobName, "--nodes=" + s.nodesFor(world), "--ntasks=" + world,
                "--distribution=block", "--label", "--input=all", "--kill-on-bad-exit=0", "--time=" + s.timeMinutes()));
        if (s.tasksPerNode() > 0) o.add("--ntasks-per-node=" + s.tasksPerNode());
        if (s.partition() != null) o.add("--partition=" + s.partition());
        if (s.account() != null) o.add("--account=" + s.account());
        if (cell.gpu().present() && s.srunOptions().stream().noneMatch(x -> x.startsWith("--gpu"))) o.add("--gpus-per-task=1");
        o.addAll(s.srunOptions());
        return List.copyOf(o);
    }

    /** One task as the supervisor sees it: it ends when srun says so, or when srun has ended. */
    private record Task(RankOutput output, Process srun, String jobName, SlurmSite site)
            implements RankSupervisor.Rank {
        @Override
        public boolean poll() {
            // Once srun has ended, how each task ended is known when its output is read (run() joins it, then
            // SlurmStep.stepEnded()).
            return !output.hasEnded() && srun.isAlive();
        }

        @Override
        public void kill(RankEnding.KillReason reason, String why) {
            site.scancel(jobName, SCANCEL_BOUND);
            if (!output.hasEnded()) output.ended(RankEnding.killed(reason, why + " (Slurm cancels the whole step)", output.lastPhase()));
        }
    }

    private record TaskHandle(int rank, String jobName, SlurmSite site) implements RankHandle {
        @Override
        public void signal(String signal) {
            site.scancelSignal(jobName, signal, SCANCEL_BOUND);
        }

        @Override
        public String id() {
            return jobName + "/task " + rank;
        }
    }

    private static Thread pump(InputStream in, LineSplitter lines) {
        return Thread.ofVirtual().start(() -> {
            try (in) {
                lines.drain(in);
            } catch (IOException e) {
                // srun is gone; what it wrote has been taken
            }
        });
    }

    private static boolean waitFor(Process p, Duration bound) {
        try {
            return p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
