package io.ncclffm.harness.junit;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.engine.support.store.Namespace;
import org.junit.platform.launcher.LauncherSession;

import io.ncclffm.harness.launch.ControllerIdentity;
import io.ncclffm.harness.launch.GpuPool;
import io.ncclffm.harness.launch.RunIdentity;
import io.ncclffm.harness.launch.RunResources;
import io.ncclffm.harness.launch.RunScratch;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.report.RunInfo;
import io.ncclffm.harness.report.RunJournal;
import io.ncclffm.harness.verdict.Gate;

/**
 * One matrix run, as the JUnit extension store holds it for the test class: its settings (from configuration
 * parameters), its matrix, its folder ({@link RunFolder}: made now, with a gate that says INCOMPLETE, unless the
 * standalone jar made it already), the report that collects its verdicts into the run's journal, the resources it
 * starts ({@link RunResources}, with the reaper that outlives a killed controller), the shutdown hook that stops them
 * and writes what the run has ({@link RunShutdown}), and the libraries of its library cells. When the class is done
 * the resources are released and the report is written, and the gate is left in the launcher session's store for
 * whoever launched the run ({@link #gate(LauncherSession)}); nothing is kept in statics.
 */
public final class MatrixRun {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(MatrixRun.class.getName());
    private static final String GATE = "gate";
    private static final String FOLDER = "folder";

    private final MatrixSettings settings;
    private final Matrix matrix;
    private final MatrixReport report = new MatrixReport();
    /** Where the cell runs that run at once are placed on the host's GPUs. */
    private final GpuPool gpus = GpuPool.host();
    private final RunFolder folder;
    private final RunResources resources;
    private final Thread shutdownHook;
    private Libraries libraries;

    /** @param made the run's folder when whoever launched the run made it ({@link #handOver}), else {@code null} */
    private MatrixRun(MatrixSettings settings, RunFolder made) {
        this.settings = settings;
        this.matrix = MatrixLoader.load(settings.matrixFile()).select(settings.cells());
        String controller = ControllerIdentity.current().toString();
        this.folder = made != null ? made : RunFolder.create(settings.reportsDir(), settings.runId(), settings.matrixFile(), controller);
        RunInfo info = new RunInfo(settings.matrixFile(), folder.dir(),
                settings.allureResults() != null ? settings.allureResults() : folder.allureResults(), folder.started(),
                RunInfo.buildCommit(), settings.allowNotStarted(), folder.runId());
        List<RunJournal.PlannedRun> planned = CompatibilityMatrix.plan(matrix, settings::runsWorld).stream()
                .map(p -> new RunJournal.PlannedRun(p.cell().name(), p.world(), p.run())).toList();
        report.begin(info, matrix, settings.perfC(), folder.journal(), new RunJournal.Plan(planned, nothingPlanned(planned)), controller);
        int stale = RunScratch.removeDead(folder.dir().getParent());
        if (stale > 0) System.out.println("[ncclffm] removed the scratch folders of " + stale + " earlier run(s) whose controller is gone");
        this.resources = RunResources.forRun(RunIdentity.of(folder.runId()), folder.dir());
        this.shutdownHook = RunShutdown.register(report, resources);
        System.out.printf("[ncclffm] run %s: %d cell run(s) planned; reports in %s%n", folder.runId(), planned.size(), folder.dir());
    }

    /**
     * Why the run plans no cell run, naming the option that selected none: every cell has a world, so only a world
     * selection can leave nothing; {@code null} when it plans some.
     */
    private String nothingPlanned(List<RunJournal.PlannedRun> planned) {
        if (!planned.isEmpty()) return null;
        java.util.SortedSet<Integer> worlds = new java.util.TreeSet<>();
        matrix.cells().forEach(c -> worlds.addAll(c.worlds()));
        return "the world sizes selected (--worlds, " + MatrixSettings.WORLDS + ": " + settings.worlds().stream().sorted().toList()
                + ") match no cell run; the cells run world sizes " + worlds;
    }

    public MatrixSettings settings() {
        return settings;
    }

    public Matrix matrix() {
        return matrix;
    }

    public GpuPool gpus() {
        return gpus;
    }

    public MatrixReport report() {
        return report;
    }

    /** What the run starts, and stops when it ends or is stopped. */
    public RunResources resources() {
        return resources;
    }

    /**
     * Hands the run's folder, made by whoever launches the run before JUnit starts (so that its Allure results can go
     * there), to the run the session executes.
     */
    public static void handOver(LauncherSession session, RunFolder folder) {
        session.getStore().put(Namespace.create(STORE.getParts()), FOLDER, folder);
    }

    /** The run's libraries, made when a library cell first needs them. */
    public synchronized Libraries libraries() {
        if (libraries == null) libraries = Libraries.forRun(settings.libraries(), settings.matrixFile().toString(),
                Launchers.recipeImages());
        return libraries;
    }

    /** The gate of the matrix run the session executed, or empty when none ran to its end. */
    public static Optional<Gate> gate(LauncherSession session) {
        return Optional.ofNullable(session.getStore().get(Namespace.create(STORE.getParts()), GATE, Gate.class));
    }

    /**
     * Resolves a test method's {@link MatrixRun} parameter with the class's run, made on first use; writes the
     * report and leaves the gate for the launcher after the class.
     */
    public static final class Extension implements ParameterResolver, AfterAllCallback {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == MatrixRun.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return run(context);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            MatrixRun run = context.getStore(STORE).get(MatrixRun.class, MatrixRun.class);
            if (run == null) return;
            // Released first, so that a gate that says PASS comes after everything the run started is gone.
            run.resources.close();
            run.report.finish();
            RunShutdown.unregister(run.shutdownHook);
            context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, STORE).put(GATE, run.report.gate());
            context.getConfigurationParameter(CompareWithBase.BASE).filter(b -> !b.isBlank())
                    .ifPresent(b -> CompareWithBase.signOff(b, run.folder.dir()));
        }

        private static MatrixRun run(ExtensionContext context) {
            ExtensionContext classContext = context.getParent().filter(p -> p.getTestMethod().isEmpty()).orElse(context);
            RunFolder made = context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, STORE).remove(FOLDER, RunFolder.class);
            return classContext.getStore(STORE).getOrComputeIfAbsent(MatrixRun.class,
                    k -> new MatrixRun(MatrixSettings.from(context::getConfigurationParameter), made), MatrixRun.class);
        }
    }
}
