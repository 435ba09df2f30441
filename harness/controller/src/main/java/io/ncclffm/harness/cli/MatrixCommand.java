package io.ncclffm.harness.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

import io.ncclffm.harness.junit.CompatibilityMatrix;
import io.ncclffm.harness.junit.MatrixRun;
import io.ncclffm.harness.junit.MatrixSettings;
import io.ncclffm.harness.launch.ControllerIdentity;
import io.ncclffm.harness.library.MavenLibraries;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.MatrixException;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.verdict.Gate;

/**
 * {@code matrix}: the same JUnit dynamic tests as {@code mvn verify -Pgpu-matrix}, with the same Allure results, grid
 * and gate, in a folder of the run's own ({@link RunFolder}) that {@code DIR/latest} points at. The matrix file and the
 * options are checked before JUnit starts, so a malformed file costs one line on stderr, not a test run.
 */
final class MatrixCommand implements Command {

    /** The fetch and matrix commands' opt-in to {@code http://} Maven repositories ({@link MavenLibraries#ALLOW_HTTP}). */
    static final String MAVEN_ALLOW_HTTP = "--maven-allow-http";

    private static final List<String> VALUED = List.of("--matrix", "--cells", "--worlds", "--reports", "--parallel", "--perf-c",
            "--libraries");
    private static final List<String> FLAGS = List.of("--allow-not-started", MAVEN_ALLOW_HTTP);

    /** The options the run takes as JUnit configuration parameters, by the names {@link MatrixSettings} reads. */
    private static final Map<String, String> PASSED = Map.of("--cells", MatrixSettings.CELLS, "--perf-c", MatrixSettings.PERF_C,
            "--parallel", MatrixSettings.PARALLEL, "--libraries", MatrixSettings.LIBRARIES, "--worlds", MatrixSettings.WORLDS);

    private static final String USAGE = """
            usage: %s matrix --matrix FILE [--cells NAMES] [--worlds SIZES] [--reports DIR] [--parallel N]
                                 [--perf-c FILES] [--libraries DIR] [--allow-not-started] [--maven-allow-http]

            Runs the compatibility matrix in FILE and its gate. The file is checked before anything runs.

            options:
              --matrix FILE    the matrix file (YAML), e.g. matrix/debian.yaml; required
              --cells NAMES    only these cells: comma-separated names or globs, e.g. 'nccl-2.2*,rccl-*'
              --worlds SIZES   only these world sizes, e.g. 1,2 (a runner with fewer GPUs than a per-rank world)
              --reports DIR    where the run's folder goes (default: reports): DIR/RUN-ID holds its Allure results,
                               JUnit XML (junit/), grid, gate.txt and journal (verdicts.jsonl); DIR/latest
                               points at the newest run. gate.txt says INCOMPLETE until the run ends
              --parallel N     run up to N cell runs at once (default 1); perf cells always run alone
              --perf-c FILES   the C baseline's JSON lines, for perf cells
              --libraries DIR  take the cells' 'library:' files from DIR (made by fetch), checked by sha256; no network
              --allow-not-started
                               a cell that cannot start here (no Docker, no GPU) counts as not run instead of
                               broken; for a laptop, never a gate: the gate names it whenever it was used
              --maven-allow-http
                               let 'library: {maven: ...}' cells download from http:// repositories (refused
                               otherwise); the same as -D%s=true
              --help, -h       print this text

            %s""".formatted(Main.LAUNCH, MavenLibraries.ALLOW_HTTP, Main.EXIT_CODES);

    @Override
    public String name() {
        return "matrix";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public boolean helpAnywhere() {
        return false;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, VALUED, FLAGS, "one of " + Options.oneOf(VALUED, FLAGS));
        if (options.help()) {
            out.println(USAGE);
            return Main.ExitCode.PASSED.code();
        }
        checkValues(options);
        String file = options.get("--matrix");
        try {
            MatrixLoader.load(Path.of(file)).select(options.get("--cells"));
        } catch (MatrixException e) {
            err.println(e.getMessage());
            return Main.ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        // The run resolves its libraries through Libraries.forRun, which reads this host's settings as properties.
        if (options.has(MAVEN_ALLOW_HTTP)) System.setProperty(MavenLibraries.ALLOW_HTTP, "true");
        String reports = options.getOrDefault("--reports", "reports");
        // The run's folder, with a gate that says INCOMPLETE, before anything runs: a run killed from here on can
        // leave no PASS behind, and its Allure results go to a folder no other run writes.
        RunFolder folder;
        try {
            folder = RunFolder.create(Path.of(reports), null, Path.of(file).toAbsolutePath().normalize(),
                    ControllerIdentity.current().toString());
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return Main.ExitCode.FAILED.code();
        }
        out.println("[ncclffm] run " + folder.runId() + ": " + folder.dir() + " (" + Path.of(reports, RunFolder.LATEST) + " points at it)");
        return execute(request(options, file, reports, folder), folder, out, err);
    }

    /** The values the run would otherwise refuse inside JUnit, where the message would be JUnit's. */
    private static void checkValues(Options options) {
        String parallel = options.get("--parallel");
        if (parallel != null && (!parallel.matches("\\d{1,3}") || Integer.parseInt(parallel) < 1 || Integer.parseInt(parallel) > 256)) {
            throw new Options.UsageError("option --parallel expects a number of cell runs in 1..256, got '" + parallel + "'");
        }
        String worlds = options.get("--worlds");
        if (worlds != null) {
            try {
                if (!worlds.matches("\\d{1,3}(,\\d{1,3})*")) throw new IllegalArgumentException(worlds);
                MatrixSettings.worlds(worlds);
            } catch (IllegalArgumentException e) {
                throw new Options.UsageError("option --worlds expects comma-separated world sizes in 1.." + Cell.MAX_WORLD
                        + ", e.g. 1,2, got '" + worlds + "'");
            }
        }
        if (options.get("--matrix") == null) throw new Options.UsageError("missing option --matrix FILE (the matrix to run)");
    }

    private static LauncherDiscoveryRequestBuilder request(Options options, String file, String reports, RunFolder folder) {
        Path allureResults = folder.allureResults();
        // Allure takes its results folder from a system property only, read when its lifecycle is first made.
        System.setProperty(MatrixSettings.ALLURE_RESULTS, allureResults.toString());
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CompatibilityMatrix.class))
                .configurationParameter(MatrixSettings.MATRIX, file)
                .configurationParameter(MatrixSettings.REPORTS_DIR, reports)
                .configurationParameter(MatrixSettings.RUN_ID, folder.runId())
                .configurationParameter(MatrixSettings.ALLURE_RESULTS, allureResults.toString())
                .configurationParameter(Gate.ALLOW_NOT_STARTED, Boolean.toString(options.has("--allow-not-started")));
        PASSED.forEach((option, parameter) -> {
            if (options.has(option)) request.configurationParameter(parameter, options.get(option));
        });
        return request;
    }

    /** Runs the matrix's tests; the exit status is the gate's. */
    private static int execute(LauncherDiscoveryRequestBuilder request, RunFolder folder, PrintStream out, PrintStream err) {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        // The same JUnit XML a Maven run leaves in failsafe-reports, for CI systems on hosts without Maven.
        Path junitXml = folder.junit();
        Optional<Gate> gate;
        try (LauncherSession session = LauncherFactory.openSession()) {
            MatrixRun.handOver(session, folder);
            session.getLauncher().execute(request.build(), summary, new LegacyXmlReportGeneratingListener(junitXml, new PrintWriter(err, true)));
            gate = MatrixRun.gate(session);
        }
        var s = summary.getSummary();
        out.printf("[ncclffm] JUnit: %d tests, %d passed, %d failed, %d aborted (skipped); JUnit XML in %s%n",
                s.getTestsStartedCount(), s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsAbortedCount(), junitXml);
        s.getFailures().stream().limit(20).forEach(f ->
                out.println("  " + f.getTestIdentifier().getDisplayName() + ": " + f.getException().getMessage()));
        boolean discoveryFailed = s.getContainersFailedCount() > 0;
        return (gate.map(Gate::passed).orElse(false) && !discoveryFailed ? Main.ExitCode.PASSED : Main.ExitCode.FAILED).code();
    }
}
