package io.ncclffm.harness.junit;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.verdict.Gate;

/**
 * How a matrix run is configured, from JUnit configuration parameters: the standalone jar passes its options as
 * parameters of its discovery request; under Maven, failsafe's system properties are found the same way (JUnit
 * looks a parameter up in the request, then in the system properties).
 *
 * @param matrixFile      {@value #MATRIX}, default {@code matrix/debian.yaml}
 * @param cells           {@value #CELLS}: comma-separated cell names or globs; all when empty
 * @param reportsDir      {@value #REPORTS_DIR}, default {@code reports}: the run writes into a folder of its own there,
 *                        {@code reportsDir/RUN-ID}
 * @param runId           {@value #RUN_ID}: the run's id, its folder's name; {@code null} for a new one (UTC time and a
 *                        random part). A Maven build names it, so that allure-maven finds the run's results
 * @param allowNotStarted {@value Gate#ALLOW_NOT_STARTED}: a cell that cannot start here (no Docker, no GPU, an
 *                        image that cannot be built) counts as not run instead of broken. For a developer's laptop
 *                        only: the gate names the option whenever it was used. Off by default, so that a gate is never
 *                        green on cells that never ran.
 * @param parallel        {@value #PARALLEL}: how many cell runs may run at once (default 1); perf cells always run
 *                        alone
 * @param worlds          {@value #WORLDS}: only these world sizes (comma-separated); all when empty
 * @param perfC           {@value #PERF_C}: the C baseline's JSON lines (files or folders, comma-separated), or
 *                        {@code null}
 * @param libraries       {@value #LIBRARIES}: a folder made by the standalone jar's {@code fetch}, from which library
 *                        cells take their files only; {@code null} resolves them through the cache
 * @param allureResults   {@value #ALLURE_RESULTS} (Allure's own setting), or {@code null}: the run's folder's
 *                        {@code allure-results}
 */
public record MatrixSettings(Path matrixFile, String cells, Path reportsDir, boolean allowNotStarted, int parallel,
                             Set<Integer> worlds, String perfC, Path libraries, Path allureResults, String runId) {

    public static final String MATRIX = "ncclffm.matrix";
    public static final String CELLS = "ncclffm.cells";
    public static final String REPORTS_DIR = "ncclffm.reports.dir";
    public static final String RUN_ID = "ncclffm.run.id";
    public static final String PARALLEL = "ncclffm.parallel";
    public static final String WORLDS = "ncclffm.worlds";
    public static final String PERF_C = "ncclffm.perf.c";
    public static final String LIBRARIES = "ncclffm.libraries";
    public static final String ALLURE_RESULTS = "allure.results.directory";

    /**
     * @param parameters a configuration parameter by name, e.g. {@code ExtensionContext::getConfigurationParameter}
     * @throws IllegalArgumentException naming a parameter whose value is not what it takes
     */
    public static MatrixSettings from(Function<String, Optional<String>> parameters) {
        Function<String, String> get = k -> parameters.apply(k).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        Path reports = Path.of(orElse(get.apply(REPORTS_DIR), "reports")).toAbsolutePath().normalize();
        String libraries = get.apply(LIBRARIES);
        String allure = get.apply(ALLURE_RESULTS);
        return new MatrixSettings(
                Path.of(orElse(get.apply(MATRIX), "matrix/debian.yaml")).toAbsolutePath().normalize(),
                orElse(get.apply(CELLS), ""),
                reports,
                Boolean.parseBoolean(get.apply(Gate.ALLOW_NOT_STARTED)),
                positive(PARALLEL, orElse(get.apply(PARALLEL), "1")),
                worlds(orElse(get.apply(WORLDS), "")),
                get.apply(PERF_C),
                libraries == null ? null : Path.of(libraries),
                allure == null ? null : Path.of(allure).toAbsolutePath().normalize(),
                get.apply(RUN_ID) == null ? null : RunFolder.checkRunId(get.apply(RUN_ID)));
    }

    private static String orElse(String value, String def) {
        return value == null ? def : value;
    }

    static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= 256) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + "='" + value + "': expected a number of cell runs in 1..256");
    }

    /**
     * The world sizes of {@value #WORLDS}, each in 1..{@value Cell#MAX_WORLD} (no cell runs a larger world); empty
     * selects every world.
     *
     * @throws IllegalArgumentException naming the parameter
     */
    public static Set<Integer> worlds(String value) {
        Set<Integer> out = new TreeSet<>();
        for (String w : value.split(",")) {
            if (w.isBlank()) continue;
            try {
                int n = Integer.parseInt(w.strip());
                if (n < 1 || n > Cell.MAX_WORLD) throw new NumberFormatException();
                out.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(WORLDS + "='" + value + "': expected comma-separated world sizes, e.g. 1,2");
            }
        }
        return Set.copyOf(out);
    }

    public boolean runsWorld(int world) {
        return worlds.isEmpty() || worlds.contains(world);
    }
}
