package io.ncclffm.harness.junit;

import java.nio.file.Path;

/**
 * How a matrix run is configured, from system properties (Maven's failsafe sets them; the standalone jar takes
 * them as options).
 *
 * @param matrixFile    {@code ncclffm.matrix}, default {@code matrix/debian.yaml}
 * @param cells         {@code ncclffm.cells}: comma-separated cell names or globs; all when empty
 * @param reportsDir    {@code ncclffm.reports.dir}, default {@code reports}
 * @param requireDocker {@code ncclffm.require.docker}: container cells fail (instead of being skipped) when Docker
 *                      is missing; CI sets it
 */
public record MatrixSettings(Path matrixFile, String cells, Path reportsDir, boolean requireDocker) {

    public static MatrixSettings fromSystemProperties() {
        return new MatrixSettings(
                Path.of(System.getProperty("ncclffm.matrix", "matrix/debian.yaml")).toAbsolutePath().normalize(),
                System.getProperty("ncclffm.cells", ""),
                Path.of(System.getProperty("ncclffm.reports.dir", "reports")).toAbsolutePath().normalize(),
                Boolean.parseBoolean(System.getProperty("ncclffm.require.docker", System.getenv().getOrDefault("CI", "false"))));
    }

    public Path allureResults() {
        return Path.of(System.getProperty("allure.results.directory", reportsDir.resolve("allure-results").toString()));
    }
}
