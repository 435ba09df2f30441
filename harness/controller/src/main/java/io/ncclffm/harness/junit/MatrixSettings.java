package io.ncclffm.harness.junit;

import java.nio.file.Path;

import io.ncclffm.harness.verdict.Gate;

/**
 * How a matrix run is configured, from system properties (Maven's failsafe sets them; the standalone jar takes
 * them as options).
 *
 * @param matrixFile    {@code ncclffm.matrix}, default {@code matrix/debian.yaml}
 * @param cells         {@code ncclffm.cells}: comma-separated cell names or globs; all when empty
 * @param reportsDir    {@code ncclffm.reports.dir}, default {@code reports}
 * @param allowNotStarted {@code ncclffm.allow.not.started}: a cell that cannot start here (no Docker, no GPU, an
 *                      image that cannot be built) counts as not run instead of broken. For a developer's laptop
 *                      only: the gate names the option whenever it was used. Off by default, so that a gate is never
 *                      green on cells that never ran.
 * @param parallel      {@code ncclffm.parallel}: how many cell runs may run at once (default 1); perf cells always
 *                      run alone
 * @param worlds        {@code ncclffm.worlds}: only these world sizes (comma-separated); all when empty
 */
public record MatrixSettings(Path matrixFile, String cells, Path reportsDir, boolean allowNotStarted, int parallel,
                             java.util.Set<Integer> worlds) {

    public static final String PARALLEL = "ncclffm.parallel";
    public static final String WORLDS = "ncclffm.worlds";

    public static MatrixSettings fromSystemProperties() {
        return new MatrixSettings(
                Path.of(System.getProperty("ncclffm.matrix", "matrix/debian.yaml")).toAbsolutePath().normalize(),
                System.getProperty("ncclffm.cells", ""),
                Path.of(System.getProperty("ncclffm.reports.dir", "reports")).toAbsolutePath().normalize(),
                Boolean.parseBoolean(System.getProperty(Gate.ALLOW_NOT_STARTED, "false")),
                positive(PARALLEL, System.getProperty(PARALLEL, "1")),
                worlds(System.getProperty(WORLDS, "")));
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

    static java.util.Set<Integer> worlds(String value) {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (String w : value.split(",")) {
            if (w.isBlank()) continue;
            try {
                int n = Integer.parseInt(w.strip());
                if (n < 1) throw new NumberFormatException();
                out.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(WORLDS + "='" + value + "': expected comma-separated world sizes, e.g. 1,2");
            }
        }
        return java.util.Set.copyOf(out);
    }

    public boolean runsWorld(int world) {
        return worlds.isEmpty() || worlds.contains(world);
    }

    public Path allureResults() {
        return Path.of(System.getProperty("allure.results.directory", reportsDir.resolve("allure-results").toString()));
    }
}
