package io.ncclffm.harness.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * What a matrix run is, for the top of every report: which run, which matrix file, when, from which commit of the
 * harness, and where its outputs go.
 *
 * @param matrixFile        the matrix file that was run
 * @param reportsDir        the run's own folder ({@link RunFolder}), where the grid, gate, journal and perf outputs go
 * @param allureResults     where Allure's results go
 * @param started           when the run began
 * @param commit            the harness's commit ({@code git describe}-like, from the build), or {@code unknown}
 * @param notStartedAllowed whether cells that could not start count as not run instead of broken
 * @param runId             the run's id, its folder's name
 */
public record RunInfo(Path matrixFile, Path reportsDir, Path allureResults, Instant started, String commit,
                      boolean notStartedAllowed, String runId) {

    /** The commit the harness was built from, as the build recorded it in {@code git.properties}. */
    public static String buildCommit() {
        try (InputStream in = RunInfo.class.getResourceAsStream("/ncclffm-git.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String id = p.getProperty("git.commit.id.abbrev", "").strip();
            if (id.isEmpty() || id.startsWith("${")) return "unknown";
            return id + ("true".equals(p.getProperty("git.dirty")) ? " (with uncommitted changes)" : "");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
