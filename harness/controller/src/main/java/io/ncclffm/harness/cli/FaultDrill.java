package io.ncclffm.harness.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.ProcessLauncher;
import io.ncclffm.harness.launch.RankHandle;
import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.CheckSelection;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The GPU half of the fault-injection tests, for a GPU host: real ranks on a real GPU, one of them killed
 * (SIGKILL) or frozen (SIGSTOP) while communicators form and while collectives run. Each case states what must
 * hold and prints PASS or FAIL for it: the cause is reported within the cell timeout, what was measured before
 * is kept, the surviving rank aborts its communicator instead of hanging, and no rank process is left.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-0.1.0-SNAPSHOT-all.jar faults LIBRARY VERSION</pre>
 */
final class FaultDrill {

    private record Case(String name, String trigger, String signal) {
    }

    private static final List<Case> CASES = List.of(
            new Case("SIGKILL during communicator init", CheckGroup.COMM_INIT, "KILL"),
            new Case("SIGSTOP during communicator init", CheckGroup.COMM_INIT, "STOP"),
            new Case("SIGKILL during a collective", "allreduce/float32/sum/1048576/out-of-place", "KILL"),
            new Case("SIGSTOP during a collective", "allreduce/float32/sum/1048576/out-of-place", "STOP"));

    private FaultDrill() {
    }

    static int run(String library, String version) {
        Duration timeout = Duration.ofSeconds(50);
        Cell cell = Cell.builder("fault-drill", Flavor.NCCL, NcclVersion.parse(version))
                .source(new Cell.HostLibrary(library), library).worlds(List.of(2))
                .gpu(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED, GpuAssignment.Access.DEVICES, null))
                .timeout(timeout).env(Map.of(WorkerConfig.COLLECTIVE_TIMEOUT, "15", WorkerConfig.INIT_TIMEOUT, "15"))
                .counts(List.of(1021, 1 << 20)).checks(List.of(CheckSelection.ALLREDUCE)).build();
        Matrix matrix = new Matrix(java.nio.file.Path.of("fault-drill"), List.of(cell), List.of());
        ProcessLauncher launcher = new ProcessLauncher(WorkerBundle.locate());
        int failures = 0;
        for (Case c : CASES) {
            AtomicBoolean fired = new AtomicBoolean();
            AtomicReference<String> firedAt = new AtomicReference<>();
            long t0 = System.nanoTime();
            CellRun run = launcher.run(cell, 2, (RankHandle rank, WorkerEvent e) -> {
                boolean hit = rank.rank() == 1 && e instanceof WorkerEvent.Progress p && p.phase().equals(c.trigger);
                if (hit && fired.compareAndSet(false, true)) {
                    firedAt.set(String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
                    rank.signal(c.signal);
                }
            });
            List<Verdict> verdicts = CellVerdicts.of(run, matrix);
            Map<String, Verdict> byId = verdicts.stream().collect(Collectors.toMap(Verdict::checkId, v -> v, (a, b) -> a));
            List<String> failed = new ArrayList<>();
            expect(failed, fired.get(), "the signal was sent");
            expect(failed, run.wall().compareTo(timeout.plusSeconds(15)) < 0, "reported within the cell timeout (took " + run.wall().toSeconds() + " s)");
            RankEnding rank1 = run.ranks().get(1).ending();
            expect(failed, c.signal.equals("KILL") ? rank1.kind() == RankEnding.Kind.SIGNALLED && rank1.signal() == 9
                            : rank1.kind() == RankEnding.Kind.KILLED && rank1.killReason() == RankEnding.KillReason.CELL_TIMEOUT,
                    "rank 1's ending says what happened: " + rank1);
            expect(failed, run.ranks().get(0).sawDone(), "rank 0 finished on its own (aborted, not hung): " + run.ranks().get(0).ending());
            long passedBefore = verdicts.stream().filter(v -> v.status() == CheckStatus.PASSED && v.checkId().startsWith("allreduce")).count();
            boolean duringCollective = c.trigger.startsWith("allreduce");
            expect(failed, !duringCollective || passedBefore > 0, "allReduce checks measured before the fault are kept (" + passedBefore + ")");
            Verdict finished = byId.get(CellVerdicts.RANKS_FINISHED);
            expect(failed, finished.status() == CheckStatus.BROKEN, "the cell is marked broken: " + finished.message());
            expect(failed, ProcessHandle.current().descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("RankWorker")),
                    "no rank process is left");
            // The first check rank 0 did not pass because of the fault: broken there, or a timeout it reported.
            String rank0Last = verdicts.stream().filter(v -> v.perRank().containsKey(0)
                            && (v.status() != CheckStatus.PASSED && v.perRank().get(0).status() == CheckStatus.BROKEN
                                    || v.perRank().get(0).cause() == Cause.TIMEOUT))
                    .map(v -> v.checkId() + ": " + v.perRank().get(0)).findFirst().orElse("(none)");
            System.out.printf("%n== %s (signal at %s): %s in %.1f s%n   rank 0: %s%n   rank 1: %s%n   first non-pass on rank 0: %s%n   %s%n",
                    c.name, firedAt.get(), failed.isEmpty() ? "PASS" : "FAIL", run.wall().toMillis() / 1000.0,
                    run.ranks().get(0).ending(), rank1, abbreviate(rank0Last), counts(verdicts));
            failed.forEach(f -> System.out.println("   FAILED EXPECTATION: " + f));
            if (!failed.isEmpty()) failures++;
        }
        System.out.printf("%nfault drill: %d of %d cases held%n", CASES.size() - failures, CASES.size());
        return failures == 0 ? 0 : 1;
    }

    private static void expect(List<String> failed, boolean ok, String what) {
        if (!ok) failed.add(what);
    }

    private static String counts(List<Verdict> verdicts) {
        Map<CheckStatus, Long> m = verdicts.stream().collect(Collectors.groupingBy(Verdict::status, Collectors.counting()));
        return "verdicts: " + m;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 297) + "..." : s;
    }
}
