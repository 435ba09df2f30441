package io.ncclffm.harness.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import io.ncclffm.Nccl;
import io.ncclffm.harness.junit.CompatibilityMatrix;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.library.LibraryManifest;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.worker.RankWorker;

/**
 * The standalone jar, for GPU hosts without Maven:
 * <pre>
 *   java -jar ncclffm-harness-all.jar matrix --matrix matrix/h100.yaml [--cells GLOB,...] [--reports DIR]
 *   java -jar ncclffm-harness-all.jar worker            (one rank; configured by NCCLFFM_* variables)
 *   java -jar ncclffm-harness-all.jar probe [PATH]      (load a library and print what it is)
 *   java -jar ncclffm-harness-all.jar faults PATH VER   (GPU fault drill, see FaultDrill)
 * </pre>
 * {@code matrix} runs the same JUnit dynamic tests as {@code mvn verify -Pgpu-matrix}, with the same Allure
 * results, grid and gate; the exit code is 0 only when no unwaived check failed or broke.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "matrix" -> System.exit(matrix(rest));
            case "worker" -> RankWorker.main(rest);
            case "probe" -> System.exit(probe(rest));
            case "fetch" -> System.exit(fetch(rest));
            case "faults" -> {
                if (rest.length != 2) {
                    System.err.println("usage: faults LIBRARY VERSION   (e.g. faults /usr/lib/x86_64-linux-gnu/libnccl.so.2 2.28.3)");
                    System.exit(2);
                }
                System.exit(FaultDrill.run(rest[0], rest[1]));
            }
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("""
                usage: java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-all.jar COMMAND
                  matrix --matrix FILE [--cells NAMES] [--reports DIR] [--perf-c FILES]
                                                                          run the compatibility matrix (--perf-c: the C
                                                                          baseline's JSON lines, for perf cells)
                  fetch --matrix FILE --into DIR [--cells GLOBS]          resolve the libraries the cells name into DIR, for
                                                                          'matrix --libraries DIR' on a host without a network
                  worker                                                  run one rank (NCCLFFM_* variables)
                  probe [LIBRARY]                                         load NCCL/RCCL and print its version
                  faults LIBRARY VERSION                                  GPU fault drill: kill/freeze a rank in init and in a collective""");
    }

    static int matrix(String[] args) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i < a.size(); i += 2) {
            if (i + 1 >= a.size()) {
                System.err.println("option " + a.get(i) + " needs a value");
                return 2;
            }
            String value = a.get(i + 1);
            switch (a.get(i)) {
                case "--matrix" -> System.setProperty("ncclffm.matrix", value);
                case "--cells" -> System.setProperty("ncclffm.cells", value);
                case "--reports" -> System.setProperty("ncclffm.reports.dir", value);
                case "--perf-c" -> System.setProperty("ncclffm.perf.c", value);
                case "--libraries" -> System.setProperty("ncclffm.libraries", value);
                default -> {
                    System.err.println("unknown option " + a.get(i) + "; expected --matrix, --cells, --reports or --perf-c");
                    return 2;
                }
            }
        }
        String reports = System.getProperty("ncclffm.reports.dir", "reports");
        System.setProperty("allure.results.directory", Path.of(reports, "allure-results").toAbsolutePath().toString());
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CompatibilityMatrix.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        summary.getSummary().printTo(new PrintWriter(System.out));
        summary.getSummary().getFailures().stream().limit(20).forEach(f ->
                System.out.println("  " + f.getTestIdentifier().getDisplayName() + ": " + f.getException().getMessage()));
        int[] gate = CompatibilityMatrix.report().gateCounts();
        boolean discoveryFailed = summary.getSummary().getContainersFailedCount() > 0;
        return gate[0] + gate[1] == 0 && !discoveryFailed ? 0 : 1;
    }

    /**
     * {@code fetch}: resolves every library the selected cells name by coordinates and writes it, with
     * {@code libraries.json}, into the folder; one line per library. Exit 0 when all were written, 1 when one could
     * not be resolved (or no cell names a library), 2 for bad options.
     */
    static int fetch(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!Set.of("--matrix", "--into", "--cells").contains(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: fetch --matrix FILE --into DIR [--cells GLOBS]   (got '" + String.join(" ", args) + "')");
                return 2;
            }
            options.put(args[i], args[i + 1]);
        }
        if (!options.containsKey("--matrix") || !options.containsKey("--into")) {
            System.err.println("usage: fetch --matrix FILE --into DIR [--cells GLOBS]   (--matrix and --into are required)");
            return 2;
        }
        try {
            Matrix matrix = MatrixLoader.load(Path.of(options.get("--matrix"))).select(options.getOrDefault("--cells", ""));
            Path into = Path.of(options.get("--into")).toAbsolutePath().normalize();
            List<LibraryManifest.Library> libraries = Libraries.online().fetchInto(matrix.cells(), into);
            if (libraries.isEmpty()) {
                System.err.println("no selected cell of " + matrix.file() + " names its library with 'library:'; nothing to fetch");
                return 1;
            }
            for (var l : libraries) {
                System.out.printf("%s %s  %s  %d bytes  sha256 %s  cells %s  (%s)%n", l.flavor(), l.version(), into.resolve(l.file()),
                        l.size(), l.sha256(), String.join(",", l.cells()), l.key());
            }
            System.out.println(libraries.size() + " libraries in " + into.resolve(LibraryManifest.FILE)
                    + "; copy " + into + " to the GPU host and run: matrix --matrix FILE --libraries DIR");
            return 0;
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }

    static int probe(String[] args) {
        try {
            Nccl nccl = args.length > 0 ? Nccl.load(Path.of(args[0])) : Nccl.load();
            System.out.println(nccl + ": version code " + nccl.versionCode() + " = " + nccl.flavor().displayName() + " "
                    + nccl.version() + "; unique id " + nccl.newUniqueId().fingerprint());
            return 0;
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
