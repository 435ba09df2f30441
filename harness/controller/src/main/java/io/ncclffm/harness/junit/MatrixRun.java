package io.ncclffm.harness.junit;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.engine.support.store.Namespace;
import org.junit.platform.launcher.LauncherSession;

import io.ncclffm.harness.launch.GpuPool;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.report.MatrixReport;
import io.ncclffm.harness.report.RunInfo;
import io.ncclffm.harness.verdict.Gate;

/**
 * One matrix run, as the JUnit extension store holds it for the test class: its settings (from configuration
 * parameters), its matrix, the report that collects its verdicts, and the libraries of its library cells. When the
 * class is done the report is written, and the gate is left in the launcher session's store for whoever launched
 * the run ({@link #gate(LauncherSession)}); nothing is kept in statics.
 */
public final class MatrixRun {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(MatrixRun.class.getName());
    private static final String GATE = "gate";

    private final MatrixSettings settings;
    private final Matrix matrix;
    private final MatrixReport report = new MatrixReport();
    /** Where the cell runs that run at once are placed on the host's GPUs. */
    private final GpuPool gpus = GpuPool.host();
    private Libraries libraries;

    private MatrixRun(MatrixSettings settings) {
        this.settings = settings;
        this.matrix = MatrixLoader.load(settings.matrixFile()).select(settings.cells());
        report.begin(new RunInfo(settings.matrixFile(), settings.reportsDir(), settings.allureResults(), Instant.now(),
                RunInfo.buildCommit(), settings.allowNotStarted()), matrix, settings.perfC());
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

    /** The run's libraries, made when a library cell first needs them. */
    public synchronized Libraries libraries() {
        if (libraries == null) libraries = Libraries.forRun(settings.libraries(), settings.matrixFile().toString());
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
            run.report.finish();
            context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, STORE).put(GATE, run.report.gate());
        }

        private static MatrixRun run(ExtensionContext context) {
            ExtensionContext classContext = context.getParent().filter(p -> p.getTestMethod().isEmpty()).orElse(context);
            return classContext.getStore(STORE).getOrComputeIfAbsent(MatrixRun.class,
                    k -> new MatrixRun(MatrixSettings.from(context::getConfigurationParameter)), MatrixRun.class);
        }
    }
}
