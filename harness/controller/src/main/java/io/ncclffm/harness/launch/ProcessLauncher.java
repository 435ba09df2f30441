package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerLaunch;

/**
 * Runs each rank as a local process, for GPU hosts without Docker. Ranks that share one GPU get one
 * {@code NCCL_HOSTID} each. The rendezvous listens on loopback only, and NCCL is bound to loopback too
 * ({@code NCCL_SOCKET_IFNAME=lo}, unless the cell's env names an interface): the ranks are on one host, and its other
 * interfaces face other hosts.
 *
 * <p>Each rank gets a private temporary folder of its own in the run's scratch folder ({@code java.io.tmpdir} and
 * {@code TMPDIR}, mode 0700), removed when the cell run ends, so that nothing it loads (JCuda unpacks its native
 * libraries there and loads what it finds) comes from a folder other users can write; and only an allow-listed part
 * of the controller's environment ({@link ProcessEnvironment}).
 *
 * <p>A rank dies with its controller: the launcher holds a pipe to each rank's standard input and never writes to it
 * ({@link WorkerConfig.Lifeline#STDIN}), and registers each rank with the run's {@link RunResources}, so that the
 * shutdown hook and the reaper can kill it.
 */
public final class ProcessLauncher implements CellLauncher {

    private final WorkerBundle bundle;
    private final RunResources resources;
    private final Map<String, String> controllerEnvironment;

    /** A launcher of its own, outside a matrix run (the fault drill, tests). */
    public ProcessLauncher(WorkerBundle bundle) {
        this(bundle, RunResources.standalone());
    }

    public ProcessLauncher(WorkerBundle bundle, RunResources resources) {
        this(bundle, resources, System.getenv());
    }

    /** @param controllerEnvironment what the ranks' environment is taken from, through {@link ProcessEnvironment} */
    ProcessLauncher(WorkerBundle bundle, RunResources resources, Map<String, String> controllerEnvironment) {
        this.bundle = bundle;
        this.resources = resources;
        this.controllerEnvironment = Map.copyOf(controllerEnvironment);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public CellRun run(Cell cell, int world, RankObserver observer, List<Integer> devices) {
        long start = System.nanoTime();
        String runId = Long.toHexString(System.nanoTime() & 0xffffffL);
        RendezvousToken token = RendezvousToken.random();
        int port = RendezvousPorts.next();
        List<RankOutput> outputs = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        try {
            for (int rank = 0; rank < world; rank++) {
                RankPlacement place = RankPlacement.forProcess(cell, rank, runId, devices);
                // A mixed cell's rank runs its member's library and expects its version.
                Map<String, String> env = WorkerEnvironment.forRank(cell.forRank(rank), world, rank, "127.0.0.1", port, "127.0.0.1",
                        token, place.deviceOrdinal(), place.hostId(), place.visibleDevice(),
                        rank == 0 ? RankPlacement.allDevices(cell, world, devices) : null, WorkerConfig.Lifeline.STDIN);
                env = WorkerEnvironment.boundTo(env, cell.forRank(rank), "lo");
                RankOutput out = new RankOutput(rank);
                Path tmp;
                try {
                    tmp = resources.newRankFolder(runId + "-rank" + rank);
                } catch (HarnessException e) {
                    out.ended(RankEnding.notStarted("did not start: " + e.getMessage()));
                    outputs.add(out);
                    throw e;
                }
                folders.add(tmp);
                ProcessBuilder pb = new ProcessBuilder(WorkerLaunch.rank(bundle.java().toString(), bundle.jar().toString(), tmp.toString()));
                pb.environment().clear();
                pb.environment().putAll(ProcessEnvironment.of(controllerEnvironment, env, tmp));
                out.expectFrom(env);
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    out.ended(RankEnding.notStarted("did not start: " + e.getMessage()));
                    outputs.add(out);
                    throw new HarnessException("cannot start rank " + rank + " with " + bundle.java(), e);
                }
                outputs.add(out);
                processes.add(p);
                // Its standard input stays an open pipe until the rank ends: the lifeline.
                resources.rankStarted(p);
                RankHandle handle = new ProcessRank(rank, p);
                pumps.add(pump(p.getInputStream(), out.eventLines(e -> observer.onEvent(handle, e))));
                pumps.add(pump(p.getErrorStream(), out.logLines()));
            }
            awaitAll(cell, processes, outputs);
        } catch (HarnessException e) {
            killAll(processes, outputs, "killed: the cell could not start (" + e.getMessage() + ")");
            joinPumps(pumps);
            processes.forEach(resources::rankEnded);
            folders.forEach(resources::removeRankFolder);
            return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
        }
        joinPumps(pumps);
        processes.forEach(resources::rankEnded);
        folders.forEach(resources::removeRankFolder);
        return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), null);
    }

    private void awaitAll(Cell cell, List<Process> processes, List<RankOutput> outputs) {
        List<RankSupervisor.Rank> ranks = new ArrayList<>();
        for (int r = 0; r < processes.size(); r++) ranks.add(new SupervisedProcess(processes.get(r), outputs.get(r)));
        new RankSupervisor(cell).supervise(ranks);
    }

    /** A rank process as the supervisor sees it. */
    private record SupervisedProcess(Process process, RankOutput output) implements RankSupervisor.Rank {
        @Override
        public boolean poll() {
            if (process.isAlive()) return true;
            if (!output.hasEnded()) output.ended(RankEnding.exited(process.exitValue(), output.sawDone(), output.lastPhase()));
            return false;
        }

        @Override
        public void kill(RankEnding.KillReason reason, String why) {
            killTree(process);
            output.ended(RankEnding.killed(reason, why, output.lastPhase()));
        }
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void killAll(List<Process> processes, List<RankOutput> outputs, String why) {
        for (int r = 0; r < processes.size(); r++) {
            Process p = processes.get(r);
            if (!p.isAlive()) continue;
            killTree(p);
            RankOutput out = outputs.get(r);
            out.ended(RankEnding.killed(RankEnding.KillReason.CELL_NOT_STARTED, why, out.lastPhase()));
        }
    }

    private static Thread pump(InputStream in, LineSplitter lines) {
        return Thread.ofVirtual().start(() -> {
            try (in) {
                lines.drain(in);
            } catch (IOException e) {
                // the process is gone; what it wrote has been taken
            }
        });
    }

    private static void joinPumps(List<Thread> pumps) {
        for (Thread t : pumps) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record ProcessRank(int rank, Process process) implements RankHandle {
        @Override
        public void signal(String signal) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new HarnessException("cannot send SIG" + signal + " to rank " + rank, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String id() {
            return Long.toString(process.pid());
        }
    }
}
