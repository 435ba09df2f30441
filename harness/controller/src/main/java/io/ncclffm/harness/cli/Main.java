package io.ncclffm.harness.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

import io.ncclffm.harness.junit.CompatibilityMatrix;
import io.ncclffm.harness.junit.Launchers;
import io.ncclffm.harness.junit.MatrixRun;
import io.ncclffm.harness.junit.MatrixSettings;
import io.ncclffm.harness.launch.ControllerIdentity;
import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.library.LibraryManifest;
import io.ncclffm.harness.library.MavenLibraries;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixException;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.protocol.WorkerLaunch;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.report.RunJournal;
import io.ncclffm.harness.report.RunRebuild;
import io.ncclffm.harness.verdict.Gate;

/**
 * The standalone jar, for GPU hosts without Maven ({@code harness/controller/target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar};
 * docs/gpu-hosts.md), run as {@code java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-0.1.0-SNAPSHOT-all.jar}:
 * <pre>
 *   matrix --matrix matrix/one-gpu.yaml [--cells GLOB,...] [--reports DIR] [--perf-c FILES]
 *   report --rebuild RUNDIR          (grid and gate of a killed run, from its journal)
 *   fetch --matrix FILE --into DIR   (the libraries a matrix names, for an offline GPU host)
 *   worker                           (one rank; configured by NCCLFFM_* variables)
 *   probe [PATH]                     (load a library and print what it is)
 *   faults PATH VER                  (GPU fault drill, see FaultDrill)
 *   [COMMAND] --help                 (what a command takes)
 * </pre>
 * {@code matrix} runs the same JUnit dynamic tests as {@code mvn verify -Pgpu-matrix}, with the same Allure
 * results, grid and gate, in a folder of the run's own ({@link RunFolder}) that {@code DIR/latest} points at. The matrix
 * file is loaded before JUnit starts, so a malformed file costs one line on stderr, not a test run. The exit status is
 * one of {@link ExitCode}.
 */
public final class Main {

    /** The process's exit status; the usage text lists them. */
    public enum ExitCode {
        /**
         * The gate passed: no unwaived check failed or broke (probe: the library loaded; faults: every case held;
         * help: the text was printed).
         */
        PASSED(0),
        /** The gate failed (probe: the library did not load; faults: a case did not hold). */
        FAILED(1),
        /** The command line or the matrix file is wrong; nothing ran. */
        USAGE_OR_MATRIX_ERROR(2);

        private final int code;

        ExitCode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static final Set<String> HELP = Set.of("--help", "-h", "help");

    private static final String LAUNCH = "java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-all.jar";

    /** The fetch and matrix commands' opt-in to {@code http://} Maven repositories ({@link MavenLibraries#ALLOW_HTTP}). */
    static final String MAVEN_ALLOW_HTTP = "--maven-allow-http";

    private static final String EXIT_CODES = """
            exit status:
              0  the gate passed (probe: the library loaded; faults: every case held)
              1  the gate failed (probe: the library did not load; faults: a case did not hold)
              2  usage or matrix error, nothing ran: unknown command or option, missing option value,
                 malformed matrix file, --cells matching no cell""";

    private static final String USAGE = """
            usage: %s COMMAND [ARGS]

            commands:
              matrix   run the compatibility matrix and its gate
              report   rebuild the grid and gate of a run from its journal (a run that was killed)
              fetch    resolve the libraries a matrix names into a folder, for offline GPU hosts
              worker   run one rank (started by the harness; configured by NCCLFFM_* variables)
              probe    load NCCL/RCCL and print its version
              faults   GPU fault drill: kill/freeze a rank in init and in a collective
              help     print this text

            COMMAND --help prints the command's arguments.

            %s""".formatted(LAUNCH, EXIT_CODES);

    /** Each command's own usage text, in the order the top-level usage lists them. */
    private static final Map<String, String> COMMAND_USAGE = new LinkedHashMap<>();

    static {
        COMMAND_USAGE.put("matrix", """
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

                %s""".formatted(LAUNCH, MavenLibraries.ALLOW_HTTP, EXIT_CODES));
        COMMAND_USAGE.put("report", """
                usage: %s report --rebuild RUNDIR

                Rebuilds grid.md, grid.html and gate.txt of the run in RUNDIR (e.g. reports/latest) from its journal,
                verdicts.jsonl, which a run appends each verdict to as it is known. For a run that was killed: the gate
                is never PASS for a run that did not finish, and names every cell run that never finished.

                options:
                  --rebuild RUNDIR the run's folder; required
                  --help, -h       print this text

                exit status: 0 the rebuilt gate passed (the run finished), 1 it did not, 2 usage error or no run's folder""".formatted(LAUNCH));
        COMMAND_USAGE.put("fetch", """
                usage: %s fetch --matrix FILE --into DIR [--cells NAMES] [--maven-allow-http]

                On a connected machine: resolves every library the cells name with 'library:' (Maven artifact, Debian
                package, pip wheel) into DIR, with DIR/libraries.json (source, cells, sha256, size). A library whose
                cell pins a sha256 must have it; Maven downloads must match their checksums. Copy DIR to an offline GPU
                host and run 'matrix --matrix FILE --libraries DIR' there.

                options:
                  --matrix FILE    the matrix file; required
                  --into DIR       where the libraries and libraries.json go (added to what is there); required
                  --cells NAMES    only these cells: comma-separated names or globs
                  --maven-allow-http
                                   let Maven artifacts come from http:// repositories (refused otherwise); the same
                                   as -D%s=true
                  --help, -h       print this text

                exit status: 0 every library written, 1 one could not be resolved or missed its pin (or none is
                named), 2 usage or matrix error""".formatted(LAUNCH, MavenLibraries.ALLOW_HTTP));
        COMMAND_USAGE.put("worker", """
                usage: %s worker

                Runs one rank from the worker's jar that this jar carries. Takes no arguments: the harness starts it and
                configures it through NCCLFFM_* environment variables (rank, world, rendezvous, checks).""".formatted(LAUNCH));
        COMMAND_USAGE.put("probe", """
                usage: %s probe [LIBRARY]

                Loads NCCL/RCCL, in the worker's jar that this jar carries, and prints its version and a fresh unique id.

                arguments:
                  LIBRARY   path of libnccl.so / librccl.so; without it, the system's library is searched

                exit status: 0 when the library loaded, 1 when it did not, 2 for a usage error""".formatted(LAUNCH));
        COMMAND_USAGE.put("faults", """
                usage: %s faults LIBRARY VERSION

                GPU fault drill: kills (SIGKILL) or freezes (SIGSTOP) a rank in communicator init and in a
                collective, and checks that the failure is reported and no rank is left behind.

                arguments:
                  LIBRARY   path of the NCCL library on this host, e.g. /usr/lib/x86_64-linux-gnu/libnccl.so.2
                  VERSION   the version it reports, e.g. 2.28.3

                exit status: 0 when every case held, 1 when one did not, 2 for a usage error""".formatted(LAUNCH));
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit status (an {@link ExitCode}'s code, or the fault drill's). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("no command given");
            err.println();
            err.println(USAGE);
            return ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (HELP.contains(command)) {
            if (rest.length == 0) {
                out.println(USAGE);
                return ExitCode.PASSED.code();
            }
            if (COMMAND_USAGE.containsKey(rest[0])) {
                out.println(COMMAND_USAGE.get(rest[0]));
                return ExitCode.PASSED.code();
            }
            return usageError(err, "unknown command '" + rest[0] + "'; expected one of " + COMMAND_USAGE.keySet(), USAGE);
        }
        String usage = COMMAND_USAGE.get(command);
        if (usage == null) {
            return usageError(err, "unknown command '" + command + "'; expected one of " + COMMAND_USAGE.keySet(), USAGE);
        }
        // matrix finds --help among its options, where a cell could be named "help".
        if (!command.equals("matrix") && Arrays.stream(rest).anyMatch(HELP::contains)) {
            out.println(usage);
            return ExitCode.PASSED.code();
        }
        return switch (command) {
            case "matrix" -> matrix(rest, out, err);
            case "report" -> report(rest, out, err);
            case "fetch" -> fetch(rest, out, err);
            case "worker" -> {
                if (rest.length > 0) yield usageError(err, "worker takes no arguments, got " + List.of(rest)
                        + "; it is configured by NCCLFFM_* variables", usage);
                yield runWorkerJar(WorkerLaunch.rank(thisJava(), WorkerBundle.locateJar().toString(), null), out, err);
            }
            case "probe" -> {
                if (rest.length > 1) yield usageError(err, "probe takes at most one LIBRARY, got " + List.of(rest), usage);
                yield probe(rest, out, err);
            }
            default -> {
                if (rest.length != 2) yield usageError(err, "faults takes LIBRARY VERSION, got " + List.of(rest), usage);
                yield FaultDrill.run(rest[0], rest[1]);
            }
        };
    }

    private static int usageError(PrintStream err, String message, String usage) {
        err.println(message);
        err.println();
        err.println(usage);
        return ExitCode.USAGE_OR_MATRIX_ERROR.code();
    }

    static int matrix(String[] args, PrintStream out, PrintStream err) {
        String usage = COMMAND_USAGE.get("matrix");
        Map<String, String> options = new LinkedHashMap<>();
        List<String> valued = List.of("--matrix", "--cells", "--worlds", "--reports", "--parallel", "--perf-c", "--libraries");
        List<String> flags = List.of("--allow-not-started", MAVEN_ALLOW_HTTP);
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (HELP.contains(option)) {
                out.println(usage);
                return ExitCode.PASSED.code();
            }
            if (flags.contains(option)) {
                if (options.put(option, "true") != null) return usageError(err, "option " + option + " is given twice", usage);
                continue;
            }
            if (!valued.contains(option)) {
                return usageError(err, "unknown option '" + option + "'; expected one of " + String.join(", ", valued) + ", "
                        + String.join(", ", flags.subList(0, flags.size() - 1)) + " or " + flags.getLast(), usage);
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                return usageError(err, "option " + option + " needs a value", usage);
            }
            if (options.put(option, args[++i]) != null) {
                return usageError(err, "option " + option + " is given twice", usage);
            }
        }
        if (options.containsKey("--parallel")) {
            String p = options.get("--parallel");
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 256) {
                return usageError(err, "option --parallel expects a number of cell runs in 1..256, got '" + p + "'", usage);
            }
        }
        if (options.containsKey("--worlds") && !options.get("--worlds").matches("\\d{1,3}(,\\d{1,3})*")) {
            return usageError(err, "option --worlds expects comma-separated world sizes, e.g. 1,2, got '"
                    + options.get("--worlds") + "'", usage);
        }
        String file = options.get("--matrix");
        if (file == null) return usageError(err, "missing option --matrix FILE (the matrix to run)", usage);
        try {
            MatrixLoader.load(Path.of(file)).select(options.get("--cells"));
        } catch (MatrixException e) {
            err.println(e.getMessage());
            return ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        // The run resolves its libraries through Libraries.forRun, which reads this host's settings as properties.
        if (options.containsKey(MAVEN_ALLOW_HTTP)) System.setProperty(MavenLibraries.ALLOW_HTTP, "true");
        String reports = options.getOrDefault("--reports", "reports");
        // The run's folder, with a gate that says INCOMPLETE, before anything runs: a run killed from here on can
        // leave no PASS behind, and its Allure results go to a folder no other run writes.
        RunFolder folder;
        try {
            folder = RunFolder.create(Path.of(reports), null, Path.of(file).toAbsolutePath().normalize(),
                    ControllerIdentity.current().toString());
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return ExitCode.FAILED.code();
        }
        out.println("[ncclffm] run " + folder.runId() + ": " + folder.dir() + " (" + Path.of(reports, RunFolder.LATEST) + " points at it)");
        Path allureResults = folder.allureResults();
        // Allure takes its results folder from a system property only, read when its lifecycle is first made.
        System.setProperty(MatrixSettings.ALLURE_RESULTS, allureResults.toString());
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CompatibilityMatrix.class))
                .configurationParameter(MatrixSettings.MATRIX, file)
                .configurationParameter(MatrixSettings.REPORTS_DIR, reports)
                .configurationParameter(MatrixSettings.RUN_ID, folder.runId())
                .configurationParameter(MatrixSettings.ALLURE_RESULTS, allureResults.toString())
                .configurationParameter(Gate.ALLOW_NOT_STARTED, Boolean.toString(options.containsKey("--allow-not-started")));
        Map<String, String> passed = Map.of("--cells", MatrixSettings.CELLS, "--perf-c", MatrixSettings.PERF_C,
                "--parallel", MatrixSettings.PARALLEL, "--libraries", MatrixSettings.LIBRARIES, "--worlds", MatrixSettings.WORLDS);
        passed.forEach((option, parameter) -> {
            if (options.containsKey(option)) request.configurationParameter(parameter, options.get(option));
        });
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
        return (gate.map(Gate::passed).orElse(false) && !discoveryFailed ? ExitCode.PASSED : ExitCode.FAILED).code();
    }

    /** {@code report --rebuild RUNDIR}: the grid and gate of a run, rebuilt from its journal. */
    static int report(String[] args, PrintStream out, PrintStream err) {
        String usage = COMMAND_USAGE.get("report");
        String runDir = null;
        for (int i = 0; i < args.length; i++) {
            if (HELP.contains(args[i])) {
                out.println(usage);
                return ExitCode.PASSED.code();
            }
            if (!args[i].equals("--rebuild")) return usageError(err, "unknown option '" + args[i] + "'; expected --rebuild RUNDIR", usage);
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) return usageError(err, "option --rebuild needs a value", usage);
            if (runDir != null) return usageError(err, "option --rebuild is given twice", usage);
            runDir = args[++i];
        }
        if (runDir == null) return usageError(err, "missing option --rebuild RUNDIR (the run's folder, e.g. reports/latest)", usage);
        RunRebuild.Result r;
        try {
            r = RunRebuild.rebuild(Path.of(runDir));
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println(e instanceof java.nio.file.NoSuchFileException ? runDir + " does not exist" : e.getMessage());
            return ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        out.println("[ncclffm] gate: " + r.gate().headline());
        r.gate().unfinished().forEach(u -> out.println("[ncclffm] never finished: " + u));
        out.println("[ncclffm] rebuilt from " + r.cellRuns() + " cell run(s) in " + r.runDir().resolve(RunJournal.FILE) + ": "
                + r.runDir().resolve("grid.html") + ", " + r.runDir().resolve(RunFolder.GATE));
        return (r.gate().passed() ? ExitCode.PASSED : ExitCode.FAILED).code();
    }

    /**
     * {@code fetch}: resolves every library the selected cells name by coordinates and writes it, with
     * {@code libraries.json}, into the folder; one line per library. Exit 0 when all were written, 1 when one could
     * not be resolved (or no cell names a library), 2 for bad options.
     */
    static int fetch(String[] args, PrintStream out, PrintStream err) {
        String usage = COMMAND_USAGE.get("fetch");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (HELP.contains(option)) {
                out.println(usage);
                return ExitCode.PASSED.code();
            }
            if (option.equals(MAVEN_ALLOW_HTTP)) {
                if (options.put(option, "true") != null) return usageError(err, "option " + option + " is given twice", usage);
                continue;
            }
            if (!Set.of("--matrix", "--into", "--cells").contains(option)) {
                return usageError(err, "unknown option '" + option + "'; expected --matrix, --into, --cells or " + MAVEN_ALLOW_HTTP, usage);
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) return usageError(err, "option " + option + " needs a value", usage);
            if (options.put(option, args[++i]) != null) return usageError(err, "option " + option + " is given twice", usage);
        }
        if (!options.containsKey("--matrix") || !options.containsKey("--into")) {
            return usageError(err, "fetch needs --matrix FILE and --into DIR", usage);
        }
        Matrix matrix;
        try {
            matrix = MatrixLoader.load(Path.of(options.get("--matrix"))).select(options.getOrDefault("--cells", ""));
        } catch (MatrixException e) {
            err.println(e.getMessage());
            return ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        try {
            Path into = Path.of(options.get("--into")).toAbsolutePath().normalize();
            if (options.containsKey(MAVEN_ALLOW_HTTP)) System.setProperty(MavenLibraries.ALLOW_HTTP, "true");
            List<LibraryManifest.Library> libraries = Libraries.online(Launchers.recipeImages()).fetchInto(matrix.cells(), into);
            if (libraries.isEmpty()) {
                err.println("no selected cell of " + matrix.file() + " names its library with 'library:'; nothing to fetch");
                return ExitCode.FAILED.code();
            }
            for (var l : libraries) {
                out.printf("%s %s  %s  %d bytes  sha256 %s  cells %s  (%s)%n", l.flavor(), l.version(), into.resolve(l.file()),
                        l.size(), l.sha256(), String.join(",", l.cells()), l.key());
            }
            out.println(libraries.size() + " libraries in " + into.resolve(LibraryManifest.FILE)
                    + "; copy " + into + " to the GPU host and run: matrix --matrix FILE --libraries DIR");
            return ExitCode.PASSED.code();
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return ExitCode.FAILED.code();
        }
    }

    /** The worker's probe, in a JVM of its own: loading a library is the worker's business, not the controller's. */
    static int probe(String[] args, PrintStream out, PrintStream err) {
        try {
            return runWorkerJar(WorkerLaunch.probe(thisJava(), WorkerBundle.locateJar().toString(), args.length > 0 ? args[0] : null),
                    out, err);
        } catch (HarnessException e) {
            err.println(e.getMessage());
            return ExitCode.FAILED.code();
        }
    }

    private static String thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Runs {@code command} (the worker's jar) with this process's environment, its standard output and error copied to
     * {@code out} and {@code err} as they come; returns its exit status, which is the command's own.
     */
    static int runWorkerJar(List<String> command, PrintStream out, PrintStream err) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new HarnessException("cannot start " + command, e);
        }
        Thread stdout = copy(p.getInputStream(), out);
        Thread stderr = copy(p.getErrorStream(), err);
        try {
            int code = p.waitFor();
            stdout.join();
            stderr.join();
            return code;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return ExitCode.FAILED.code();
        }
    }

    private static Thread copy(InputStream from, PrintStream to) {
        return Thread.ofVirtual().start(() -> {
            try (from) {
                from.transferTo(to);
                to.flush();
            } catch (IOException e) {
                // the worker is gone; what it wrote has been copied
            }
        });
    }
}
