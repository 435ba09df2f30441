package io.ncclffm.harness.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.model.WorkerEvent;
import io.ncclffm.harness.rendezvous.RendezvousToken;
import io.ncclffm.harness.worker.RankWorker;

/**
 * Runs each rank as a local process, for GPU hosts without Docker. Ranks that share one GPU get one
 * {@code NCCL_HOSTID} each. The rendezvous listens on loopback only.
 */
public final class ProcessLauncher implements CellLauncher {

    /** Once a rank has died, how long the others get to notice through their own timeouts before they are killed. */
    static final Duration PEER_DEATH_GRACE = Duration.ofSeconds(45);

    private final WorkerBundle bundle;

    public ProcessLauncher(WorkerBundle bundle) {
        this.bundle = bundle;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public CellRun run(Cell cell, int world, RankObserver observer) {
        long start = System.nanoTime();
        String runId = Long.toHexString(System.nanoTime() & 0xffffffL);
        String token = newToken();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new HarnessException("cannot find a free loopback port for the rendezvous", e);
        }
        List<RankOutput> outputs = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int rank = 0; rank < world; rank++) {
                RankPlacement place = RankPlacement.of(cell, rank, runId, false);
                // A mixed cell's rank runs its member's library and expects its version.
                Map<String, String> env = WorkerEnvironment.forRank(cell.forRank(rank), world, rank, "127.0.0.1", port, "127.0.0.1",
                        token, place.deviceOrdinal(), place.hostId(), place.visibleDevice());
                ProcessBuilder pb = new ProcessBuilder(bundle.java().toString(), "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseSerialGC", "-cp", bundle.jar().toString(), RankWorker.class.getName());
                pb.environment().putAll(env);
                RankOutput out = new RankOutput(rank);
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    out.ended(null, "did not start: " + e.getMessage());
                    outputs.add(out);
                    throw new HarnessException("cannot start rank " + rank + " with " + bundle.java(), e);
                }
                outputs.add(out);
                processes.add(p);
                RankHandle handle = new ProcessRank(rank, p);
                pumps.add(pump(p.getInputStream(), line -> {
                    WorkerEvent e = out.acceptStdout(line);
                    if (e != null) observer.onEvent(handle, e);
                }));
                pumps.add(pump(p.getErrorStream(), out::acceptStderr));
            }
            awaitAll(cell, processes, outputs);
        } catch (HarnessException e) {
            killAll(processes, outputs, "killed: the cell could not start (" + e.getMessage() + ")");
            joinPumps(pumps);
            return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
        }
        joinPumps(pumps);
        return new CellRun(cell, world, name(), outputs, Duration.ofNanos(System.nanoTime() - start), null);
    }

    private void awaitAll(Cell cell, List<Process> processes, List<RankOutput> outputs) {
        long deadline = System.nanoTime() + cell.timeout().toNanos();
        long graceDeadline = Long.MAX_VALUE;
        String firstDeath = null;
        while (true) {
            boolean anyAlive = false;
            for (int r = 0; r < processes.size(); r++) {
                Process p = processes.get(r);
                RankOutput out = outputs.get(r);
                if (p.isAlive()) {
                    anyAlive = true;
                } else if (out.exitCode() == null && out.ending().equals("still running")) {
                    out.ended(p.exitValue(), describeExit(p.exitValue(), out));
                    if (!out.sawDone() && firstDeath == null) {
                        firstDeath = "rank " + r + " " + out.ending();
                        graceDeadline = System.nanoTime() + PEER_DEATH_GRACE.toNanos();
                    }
                }
            }
            if (!anyAlive) return;
            long now = System.nanoTime();
            if (now - deadline > 0) {
                killAll(processes, outputs, "killed after the cell timeout of " + cell.timeout().toSeconds() + " s");
                return;
            }
            if (now - graceDeadline > 0) {
                killAll(processes, outputs, "killed " + PEER_DEATH_GRACE.toSeconds() + " s after its peer died (" + firstDeath + ")");
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll(processes, outputs, "killed: the harness was interrupted");
                return;
            }
        }
    }

    static String describeExit(int code, RankOutput out) {
        if (code > 128) {
            int sig = code - 128;
            String name = switch (sig) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 11 -> "SIGSEGV";
                case 6 -> "SIGABRT";
                default -> "signal " + sig;
            };
            return "died of " + name + " (exit " + code + ") while in " + out.lastPhase();
        }
        return "exited with " + code + (out.sawDone() ? "" : " without finishing, while in " + out.lastPhase());
    }

    private static void killAll(List<Process> processes, List<RankOutput> outputs, String why) {
        for (int r = 0; r < processes.size(); r++) {
            Process p = processes.get(r);
            if (!p.isAlive()) continue;
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RankOutput out = outputs.get(r);
            out.ended(null, why + "; it was in " + out.lastPhase());
        }
    }

    private static Thread pump(InputStream in, Consumer<String> sink) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) sink.accept(line);
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

    static String newToken() {
        return RendezvousToken.random().toHex();
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
