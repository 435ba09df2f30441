package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.CellLauncher;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.GpuInventory;
import io.ncclffm.harness.launch.GpuPool;
import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.RankObserver;
import io.ncclffm.harness.library.LibraryException;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * The compatibility matrix as JUnit dynamic tests: one dynamic container per cell and world size, one dynamic test
 * per check, and a last {@code gate} test that passes only when the gate does. Cell runs are scheduled when the
 * factory runs ({@link CellScheduler}: up to {@code ncclffm.parallel} at once, perf cells alone) and each
 * container waits for its own, so the report's order is the matrix's whatever ran first. Run by
 * {@code mvn verify -Pgpu-matrix} (failsafe, through {@code CompatibilityMatrixIT}) and by the standalone jar.
 *
 * <p>A test passes, fails (a product defect: wrong value, wrong version, an NCCL error), is aborted (a release gap,
 * a check not run, or a waived known gap, each with its reason), or errors (broken infrastructure: a rank died or
 * hung, a container did not start, a cell could not start at all).
 */
@ExtendWith(MatrixRun.Extension.class)
public class CompatibilityMatrix {

    @TestFactory
    Stream<DynamicNode> matrix(MatrixRun run) {
        MatrixSettings settings = run.settings();
        Matrix matrix = run.matrix();
        Launchers launchers = new Launchers(run.resources());
        CellScheduler scheduler = new CellScheduler(settings.parallel());
        List<DynamicNode> nodes = new ArrayList<>();
        // A library build's first run goes first: the driver compiles a build without code for the GPU from PTX in
        // its first process and caches it (CUDA_CACHE_MAXSIZE), so its other worlds, and the mixed pairs that use
        // it, start once that run has run a collective on the GPU (or ended) rather than compiling alongside it.
        Map<String, CellScheduler.Pending<?>> firstRun = new HashMap<>();
        int perfRuns = matrix.perfRuns();
        for (Planned planned : plan(matrix, settings::runsWorld)) {
            Cell cell = planned.cell();
            int world = planned.world();
            int cellRun = planned.run();
            String label = cell.name() + " world " + world + (cellRun > 0 ? " run " + cellRun + "/" + perfRuns : "");
            List<CellScheduler.Pending<?>> after = new ArrayList<>();
            if (firstRun.containsKey(cell.name())) after.add(firstRun.get(cell.name()));
            for (Cell member : cell.mix()) {
                if (firstRun.containsKey(member.name())) after.add(firstRun.get(member.name()));
            }
            var pending = scheduler.submit(label, cell.perf(),
                    cell.timeout().multipliedBy(2).plus(AWAIT_SLACK).multipliedBy(matrix.cells().size() * (long) perfRuns),
                    release -> runGuarded(run, launchers, cell, world, cellRun, release), after);
            firstRun.putIfAbsent(cell.name(), pending);
            String name = cell.name() + " · " + cell.displayVersion() + " · world " + world
                    + (cellRun > 0 ? " · run " + cellRun + " of " + perfRuns : "");
            URI source = URI.create(settings.matrixFile().toUri() + "?line=" + Math.max(1, cell.line()));
            nodes.add(dynamicContainer(name, source, Stream.of(pending).flatMap(p -> tests(p.await()).stream())));
        }
        if (matrix.cells().stream().anyMatch(Cell::perf)) {
            nodes.add(dynamicContainer("perf report", Stream.of(matrix).flatMap(m -> {
                scheduler.awaitAll();
                return PerfReportNodes.of(run.report()).stream();
            })));
        }
        nodes.add(dynamicContainer("gate", Stream.of(matrix).map(m -> {
            scheduler.awaitAll();
            scheduler.close();
            return gateTest(run.report());
        })));
        return nodes.stream();
    }

    /**
     * One cell run to submit.
     *
     * @param run which run of a perf cell (1, 2, ...) when perf cells run several times; 0 when the cell runs once
     */
    record Planned(Cell cell, int world, int run) {
    }

    /**
     * Every cell run, in the order they are submitted: each cell at each world it runs, in the matrix's order. A
     * matrix with a regression check runs each perf cell {@link Matrix#perfRuns()} times, each in a new process, since
     * one process can be slower than the next for its whole life; the runs go round by round (a1 b1 a2 b2 ...), so
     * that a host that drifts during the run drifts under both sides. Other cells run once, in the first round.
     */
    static List<Planned> plan(Matrix matrix, java.util.function.IntPredicate runsWorld) {
        List<Planned> plan = new ArrayList<>();
        int perfRuns = matrix.perfRuns();
        for (int round = 1; round <= perfRuns; round++) {
            for (Cell cell : matrix.cells()) {
                if (round > 1 && !cell.perf()) continue;
                int cellRun = cell.perf() && perfRuns > 1 ? round : 0;
                for (int world : cell.worlds()) {
                    if (runsWorld.test(world)) plan.add(new Planned(cell, world, cellRun));
                }
            }
        }
        return plan;
    }

    /** A cell run's outcome: its verdicts and what the tests need to describe them. */
    record CellOutcome(Cell cell, int world, int cellRun, String launcher, List<Verdict> verdicts, CellRun run) {
    }

    /**
     * Waiting for a cell run is bounded by every cell's timeout and this slack (image builds, container removal);
     * in a parallel run the wait may begin before the cell started.
     */
    private static final Duration AWAIT_SLACK = Duration.ofMinutes(30);

    /** A launcher that throws (it should report instead) still ends as one broken cell-start verdict. */
    private CellOutcome runGuarded(MatrixRun run, Launchers launchers, Cell cell, int world, int cellRun, Runnable release) {
        try {
            return runCell(run, launchers, cell, world, cellRun, release);
        } catch (RuntimeException e) {
            Verdict v = Verdict.of(CellVerdicts.CELL_START, CellVerdicts.CELL_START, Map.of("world", Integer.toString(world)),
                    CheckStatus.BROKEN, Cause.INFRASTRUCTURE, "the cell run failed: " + e);
            run.report().record(cell, world, cellRun, cell.source().containerized() ? "container" : "process", Duration.ZERO, List.of(v), null);
            return new CellOutcome(cell, world, cellRun, "unknown", List.of(v), null);
        }
    }

    private CellOutcome runCell(MatrixRun matrixRun, Launchers launchers, Cell cell, int world, int cellRun, Runnable release) {
        String label = cell.name() + " world " + world + (cellRun > 0 ? " run " + cellRun : "");
        GpuInventory gpus = GpuInventory.host();
        // The GPUs first: a cell that cannot have its GPUs here says so before Docker is asked for anything.
        String notStarted = gpus.missing(cell.gpu());
        if (notStarted == null) notStarted = gpus.shortfall(cell.gpu(), world);
        if (notStarted == null && cell.source().containerized()) notStarted = launchers.dockerProblem();
        if (notStarted != null) {
            System.out.printf("[ncclffm] %s: not started: %s%n", label, notStarted);
            return notStarted(matrixRun.report(), cell, world, cellRun, notStarted, matrixRun.settings().allowNotStarted());
        }
        if (cell.source() instanceof Cell.Coordinates || cell.mixed() || cell.pinnedSha256() != null) {
            try {
                cell = matrixRun.libraries().resolved(cell);
            } catch (LibraryException e) {
                // A library that cannot be had is never allowed to pass for not run: the matrix names it.
                return notStarted(matrixRun.report(), cell, world, cellRun, "its library could not be resolved: " + e.getMessage(), false);
            }
        }
        Matrix.PerfPolicy policy = matrixRun.matrix().perf();
        if (cell.perf() && policy != null && policy.pairsInProcess(world) && !policy.isBaseline(cell.name())) {
            String pairedWith;
            try {
                pairedWith = pairedBaseline(matrixRun, policy, world);
            } catch (LibraryException e) {
                return notStarted(matrixRun.report(), cell, world, cellRun, "its perf baseline's library could not be resolved: "
                        + e.getMessage(), false);
            }
            if (pairedWith == null) {
                return notStarted(matrixRun.report(), cell, world, cellRun, "perf.pairing is in-process, and no perf baseline "
                        + "cell (" + policy.baseline() + ") of world " + world + " is among the cells of this run, so there is "
                        + "no library to time beside this one; select the baseline cell too", false);
            }
            cell = cell.withPairedBaseline(pairedWith);
        }
        CellLauncher launcher = launchers.forCell(cell);
        GpuPool.Lease placed = matrixRun.gpus().acquire(cell.gpu(), world);
        CellRun run;
        try {
            System.out.printf("[ncclffm] %s (%s, %s): starting %d rank(s)%s%s%n", label, cell.displayVersion(), launcher.name(), world,
                    placed.devices().isEmpty() ? "" : " on " + placed.describe(),
                    cell.pairedBaseline() == null ? "" : ", each timing the perf baseline " + cell.pairedBaseline() + " beside it");
            run = launcher.run(cell, world, both(progress(label), releasingOnFirstCollective(release)), placed.devices());
        } finally {
            matrixRun.gpus().release(placed);
        }
        List<Verdict> verdicts = CellVerdicts.of(run, matrixRun.matrix());
        matrixRun.report().record(cell, world, cellRun, launcher.name(), run.wall(), verdicts, run);
        System.out.printf("[ncclffm] %s: done in %.1f s: %s%n", label, run.wall().toMillis() / 1000.0, counts(verdicts));
        Provenance provenance = Provenance.of(run);
        for (String line : provenance.lines()) System.out.printf("[ncclffm] %s: %s%n", label, line);
        if (provenance.parameterSummary() != null) {
            System.out.printf("[ncclffm] %s: NCCL parameters: %s%n", label, provenance.parameterSummary());
        }
        return new CellOutcome(cell, world, cellRun, launcher.name(), verdicts, run);
    }

    /**
     * The library of the perf baseline cell of {@code world}, resolved on this host, or {@code null} when the run has
     * no such cell.
     */
    private static String pairedBaseline(MatrixRun matrixRun, Matrix.PerfPolicy policy, int world) {
        for (Cell c : matrixRun.matrix().cells()) {
            if (!c.perf() || !policy.isBaseline(c.name()) || !c.worlds().contains(world)) continue;
            Cell resolved = c.source() instanceof Cell.Coordinates ? matrixRun.libraries().resolved(c) : c;
            return resolved.soPath();
        }
        return null;
    }

    /**
     * A cell run that never started: one cell-start verdict saying why. It is broken, and fails the gate, unless
     * the run was told to allow it ({@value Gate#ALLOW_NOT_STARTED}); then it is not run, and the gate says so.
     */
    private static CellOutcome notStarted(MatrixReport report, Cell cell, int world, int cellRun, String why, boolean allowed) {
        String launcher = cell.source().containerized() ? "container" : "process";
        Verdict v = allowed
                ? Verdict.of(CellVerdicts.CELL_START, CellVerdicts.CELL_START, Map.of("world", Integer.toString(world)),
                        CheckStatus.SKIPPED, Cause.NOT_STARTED, why + " (allowed by " + Gate.ALLOW_NOT_STARTED + ")")
                : Verdict.of(CellVerdicts.CELL_START, CellVerdicts.CELL_START, Map.of("world", Integer.toString(world)),
                        CheckStatus.BROKEN, Cause.INFRASTRUCTURE, "the cell could not start: " + why);
        report.record(cell, world, cellRun, launcher, Duration.ZERO, List.of(v), null);
        return new CellOutcome(cell, world, cellRun, launcher, List.of(v), null);
    }

    /**
     * Calls {@code release} once a rank reports a passed check that ran on the GPU, past communicator init: the
     * build's kernels have then been loaded, and compiled from PTX where the build had to be.
     */
    static RankObserver releasingOnFirstCollective(Runnable release) {
        return (rank, event) -> {
            if (event instanceof WorkerEvent.Check c && c.result().status() == CheckStatus.PASSED
                    && !CellVerdicts.HOST_GROUPS.contains(c.result().group())
                    && !CellVerdicts.COMM_INIT.equals(c.result().group())) {
                release.run();
            }
        };
    }

    private static RankObserver both(RankObserver a, RankObserver b) {
        return (rank, event) -> {
            a.onEvent(rank, event);
            b.onEvent(rank, event);
        };
    }

    private static RankObserver progress(String label) {
        return (rank, event) -> {
            if (event instanceof WorkerEvent.Done d) {
                System.out.printf("[ncclffm] %s rank %d: %d passed, %d failed, %d skipped, %d broken in %.1f s%n", label,
                        d.rank(), d.passed(), d.failed(), d.skipped(), d.broken(), d.millis() / 1000.0);
            } else if (event instanceof WorkerEvent.Fatal f) {
                System.out.printf("[ncclffm] %s rank %d: fatal: %s%n", label, f.rank(), f.message());
            }
        };
    }

    static String counts(List<Verdict> verdicts) {
        Map<CheckStatus, Long> byStatus = new EnumMap<>(CheckStatus.class);
        for (Verdict v : verdicts) byStatus.merge(v.status(), 1L, Long::sum);
        return byStatus.getOrDefault(CheckStatus.PASSED, 0L) + " passed, " + byStatus.getOrDefault(CheckStatus.FAILED, 0L)
                + " failed, " + byStatus.getOrDefault(CheckStatus.SKIPPED, 0L) + " skipped, "
                + byStatus.getOrDefault(CheckStatus.BROKEN, 0L) + " broken";
    }

    /** The cell run's tests: one per check, except checks not run for one reason, which share one ({@link io.ncclffm.harness.report.NotRunSummary}). */
    private static List<DynamicNode> tests(CellOutcome o) {
        List<io.ncclffm.harness.report.NotRunSummary> summaries = io.ncclffm.harness.report.NotRunSummary.of(o.verdicts());
        java.util.Set<Verdict> summarized = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        summaries.forEach(s -> summarized.addAll(s.checks()));
        List<DynamicNode> tests = new ArrayList<>();
        for (Verdict v : o.verdicts()) if (!summarized.contains(v)) tests.add(test(o, v));
        for (io.ncclffm.harness.report.NotRunSummary s : summaries) tests.add(summaryTest(o, s));
        return tests;
    }

    private static DynamicNode summaryTest(CellOutcome o, io.ncclffm.harness.report.NotRunSummary s) {
        Verdict v = s.verdict();
        return dynamicTest(AllureReporting.testName(s.checkId() + " (" + s.checks().size() + " checks)", o.cell(), o.world(), o.cellRun()),
                () -> {
                    AllureReporting.describe(o.cell(), o.world(), o.cellRun(), o.launcher(), v, null);
                    io.qameta.allure.Allure.addAttachment("checks not run", "text/plain", s.list());
                    throw new TestAbortedException(AllureReporting.skipMessage(v));
                });
    }

    private static DynamicNode test(CellOutcome o, Verdict v) {
        return dynamicTest(AllureReporting.testName(v.checkId(), o.cell(), o.world(), o.cellRun()), () -> {
            AllureReporting.describe(o.cell(), o.world(), o.cellRun(), o.launcher(), v, o.run());
            switch (v.status()) {
                case PASSED -> { }
                case FAILED -> throw new AssertionFailedError(v.message());
                case SKIPPED -> throw new TestAbortedException(AllureReporting.skipMessage(v));
                case BROKEN -> throw new HarnessException(v.message());
            }
        });
    }

    /** The gate as a test: Allure's overview shows it with the verdict, its scope and the counts. */
    private static DynamicNode gateTest(MatrixReport report) {
        Gate gate = report.gate();
        return dynamicTest("gate: " + gate.result(), () -> {
            io.qameta.allure.Allure.epic("gate");
            AllureReporting.suites("gate", "gate", gate.result().name());
            // One history id for every run's gate, so that Allure shows the gate's trend across runs.
            io.qameta.allure.Allure.getLifecycle().updateTestCase(tc -> tc.setHistoryId(io.ncclffm.harness.report.AllureHistory.GATE)
                    .setTestCaseId(io.ncclffm.harness.report.AllureHistory.GATE));
            io.qameta.allure.Allure.description(gate.headline() + "\n\n" + gate.counts());
            io.qameta.allure.Allure.addAttachment("gate", "text/plain", gate.toText(report.contextLine()));
            if (!gate.passed()) throw new AssertionFailedError(gate.headline());
        });
    }
}
