package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import io.ncclffm.harness.launch.CellLauncher;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.GpuInventory;
import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.RankObserver;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.library.LibraryException;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.WorkerEvent;
import io.ncclffm.harness.report.MatrixReport;

/**
 * The compatibility matrix as JUnit dynamic tests: one dynamic container per cell and world size, one dynamic test
 * per check. A cell runs when JUnit reaches it (its ranks run all its checks on one communicator), so progress
 * and wall time are per cell. Run by {@code mvn verify -Pgpu-matrix} (failsafe, through {@code CompatibilityMatrixIT})
 * and by the standalone jar on hosts without Maven, with the same results and the same Allure output.
 *
 * <p>A test passes, fails (a product defect: wrong value, wrong version, an NCCL error), is aborted (skipped with
 * its reason, or a waived known gap), or errors (broken infrastructure: a rank died or hung, a container did not
 * start).
 */
public class CompatibilityMatrix {

    private static final MatrixReport REPORT = new MatrixReport();

    @TestFactory
    Stream<DynamicNode> matrix() {
        MatrixSettings settings = MatrixSettings.fromSystemProperties();
        Matrix matrix = MatrixLoader.load(settings.matrixFile()).select(settings.cells());
        REPORT.begin(settings, matrix);
        Launchers launchers = new Launchers();
        List<DynamicNode> cells = new ArrayList<>();
        for (Cell cell : matrix.cells()) {
            for (int world : cell.worlds()) {
                String name = cell.name() + " · " + cell.displayVersion() + " · world " + world;
                URI source = URI.create(settings.matrixFile().toUri() + "?line=" + Math.max(1, cell.line()));
                cells.add(dynamicContainer(name, source,
                        Stream.of(cell).flatMap(c -> runCell(settings, matrix, launchers, c, world).stream())));
            }
        }
        if (matrix.cells().stream().anyMatch(c -> c.mode().equals("perf"))) {
            cells.add(dynamicContainer("perf report", Stream.of(matrix).flatMap(m -> PerfReportTests.of(REPORT).stream())));
        }
        return cells.stream();
    }

    /** What the last run collected; the standalone runner reads the gate from it. */
    public static MatrixReport report() {
        return REPORT;
    }

    @AfterAll
    static void writeReports() {
        REPORT.finish();
    }

    private List<DynamicNode> runCell(MatrixSettings settings, Matrix matrix, Launchers launchers, Cell cell, int world) {
        String label = cell.name() + " world " + world;
        if (cell.source().containerized() && launchers.dockerProblem() != null) {
            CheckStatus status = settings.requireDocker() ? CheckStatus.BROKEN : CheckStatus.SKIPPED;
            String why = launchers.dockerProblem() + (settings.requireDocker() ? " (ncclffm.require.docker is set)" : "");
            return notStarted(cell, world, "docker", status, why);
        }
        String shortfall = GpuInventory.host().shortfall(cell.gpu(), world);
        if (shortfall != null) {
            System.out.printf("[ncclffm] %s: skipped: %s%n", label, shortfall);
            return notStarted(cell, world, "gpus", CheckStatus.SKIPPED, shortfall);
        }
        if (cell.source() instanceof Cell.Coordinates) {
            try {
                cell = Libraries.shared().resolved(cell);
            } catch (LibraryException e) {
                return notStarted(cell, world, "library", CheckStatus.BROKEN, e.getMessage());
            }
        }
        CellLauncher launcher = launchers.forCell(cell);
        System.out.printf("[ncclffm] %s (%s, %s): starting %d rank(s)%n", label, cell.displayVersion(), launcher.name(), world);
        CellRun run = launcher.run(cell, world, progress(label));
        List<Verdict> verdicts = CellVerdicts.of(run, matrix);
        REPORT.record(cell, world, launcher.name(), run.wall(), verdicts, run);
        System.out.printf("[ncclffm] %s: done in %.1f s: %s%n", label, run.wall().toMillis() / 1000.0, counts(verdicts));
        List<DynamicNode> tests = new ArrayList<>();
        for (Verdict v : verdicts) tests.add(test(cell, world, launcher.name(), v, run));
        return tests;
    }

    /** A cell run that never started: one cell-start verdict saying why, recorded and reported like any other. */
    private static List<DynamicNode> notStarted(Cell cell, int world, String checkId, CheckStatus status, String why) {
        String launcher = cell.source().containerized() ? "container" : "process";
        Verdict v = new Verdict(checkId, "cell-start", Map.of("world", Integer.toString(world)), status, why,
                List.of(), Map.of(), null, null);
        REPORT.record(cell, world, launcher, java.time.Duration.ZERO, List.of(v), null);
        return List.of(test(cell, world, launcher, v, null));
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
        Map<CheckStatus, Long> byStatus = new java.util.EnumMap<>(CheckStatus.class);
        for (Verdict v : verdicts) byStatus.merge(v.status(), 1L, Long::sum);
        return byStatus.getOrDefault(CheckStatus.PASSED, 0L) + " passed, " + byStatus.getOrDefault(CheckStatus.FAILED, 0L)
                + " failed, " + byStatus.getOrDefault(CheckStatus.SKIPPED, 0L) + " skipped, "
                + byStatus.getOrDefault(CheckStatus.BROKEN, 0L) + " broken";
    }

    private static DynamicNode test(Cell cell, int world, String launcher, Verdict v, CellRun run) {
        return dynamicTest(v.checkId(), () -> {
            AllureReporting.describe(cell, world, launcher, v, run);
            switch (v.status()) {
                case PASSED -> { }
                case FAILED -> throw new AssertionFailedError(v.message());
                case SKIPPED -> throw new TestAbortedException(v.message());
                case BROKEN -> throw new HarnessException(v.message());
            }
        });
    }
}
