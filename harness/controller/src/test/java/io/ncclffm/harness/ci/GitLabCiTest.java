package io.ncclffm.harness.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.report.RunFolder;

/**
 * The pipeline is part of the product: its jobs must name profiles, matrix files, cells and image recipes that
 * exist, or the gate silently tests nothing.
 */
class GitLabCiTest {

    private static final Pattern PROFILE = Pattern.compile("-P([\\w,-]+)");
    private static final Pattern MATRIX = Pattern.compile("-Dncclffm\\.matrix=\\$CI_PROJECT_DIR/(\\S+)");

    private final JsonNode ci = read();

    private static JsonNode read() {
        try {
            return new YAMLMapper().readTree(ProjectFiles.ROOT.resolve(".gitlab-ci.yml").toFile());
        } catch (Exception e) {
            throw new AssertionError(".gitlab-ci.yml does not parse", e);
        }
    }

    /** A job's script lines, with {@code extends} resolved. */
    private List<String> script(String job) {
        JsonNode j = ci.get(job);
        List<String> lines = new ArrayList<>();
        JsonNode script = j.get("script");
        if (script == null && j.has("extends")) return script(j.get("extends").asText());
        if (script != null) script.forEach(s -> lines.add(s.asText()));
        return lines;
    }

    private List<String> jobs() {
        List<String> jobs = new ArrayList<>();
        ci.fieldNames().forEachRemaining(n -> {
            if (!Set.of("stages", "variables", "default", "workflow", "include").contains(n) && !n.startsWith(".")) jobs.add(n);
        });
        return jobs;
    }

    @Test
    void everyJob_namesExistingProfilesAndMatrixFiles() throws Exception {
        Set<String> profiles = ProjectFiles.profiles();
        int matrixReferences = 0;
        for (String job : jobs()) {
            for (String line : script(job)) {
                Matcher p = PROFILE.matcher(line);
                while (p.find()) {
                    for (String id : p.group(1).split(",")) assertTrue(profiles.contains(id), job + " uses unknown profile " + id);
                }
                Matcher m = MATRIX.matcher(line);
                while (m.find()) {
                    Path file = ProjectFiles.ROOT.resolve(m.group(1));
                    assertTrue(Files.isRegularFile(file), job + " names a missing matrix file " + file);
                    MatrixLoader.load(file);
                    matrixReferences++;
                }
            }
        }
        assertTrue(matrixReferences >= 2, "the CPU and GPU matrix jobs name their matrix files");
    }

    private static final Pattern MODULE = Pattern.compile("-pl (\\S+)");

    @Test
    void everyModuleAJobNames_andEveryReportFolderItKeeps_isAModuleOfTheBuild() throws Exception {
        String root = Files.readString(ProjectFiles.ROOT.resolve("pom.xml"));
        int modules = 0;
        int reports = 0;
        for (String job : jobs()) {
            for (String line : script(job)) {
                Matcher m = MODULE.matcher(line);
                while (m.find()) {
                    for (String module : m.group(1).split(",")) {
                        assertTrue(root.contains("<module>" + module + "</module>"), job + " names " + module + ", not a module of pom.xml");
                        modules++;
                    }
                }
            }
            JsonNode junit = ci.get(job).path("artifacts").path("reports").path("junit");
            if (junit.isMissingNode() && ci.get(job).has("extends")) {
                junit = ci.get(ci.get(job).get("extends").asText()).path("artifacts").path("reports").path("junit");
            }
            for (JsonNode path : junit) {
                if (path.asText().startsWith("reports/")) {
                    // A matrix run's own folder, reports/JOB/RUN-ID, keeps its JUnit XML in junit/ (RunFolder.JUNIT); a Maven
                    // run's id starts with its date, so [0-9]* matches the run's folder and not reports/JOB/latest, a link to it.
                    assertTrue(path.asText().matches("reports/[^/]+/\\[0-9\\]\\*/" + RunFolder.JUNIT + "/TEST-\\*\\.xml"),
                            job + " keeps a matrix run's JUnit XML at " + path + ", not in the run folder's " + RunFolder.JUNIT + "/");
                    reports++;
                    continue;
                }
                String folder = path.asText().substring(0, path.asText().indexOf("/target/"));
                PathMatcher glob = ProjectFiles.ROOT.getFileSystem().getPathMatcher("glob:" + folder);
                try (Stream<Path> walk = Files.walk(ProjectFiles.ROOT, 2)) {
                    assertTrue(walk.map(ProjectFiles.ROOT::relativize)
                                    .anyMatch(d -> glob.matches(d) && Files.isRegularFile(ProjectFiles.ROOT.resolve(d).resolve("pom.xml"))),
                            job + " keeps reports of " + folder + ", which is no module");
                }
                reports++;
            }
        }
        assertTrue(modules >= 1, "the report job names the controller module");
        assertTrue(reports >= 3, "the build and matrix jobs keep their JUnit reports");
    }

    @Test
    void parallelMatrixCells_existInTheirMatrixFile_andTheirImageRecipesExist() throws Exception {
        int cells = 0;
        for (String job : jobs()) {
            JsonNode parallel = ci.get(job).path("parallel").path("matrix");
            if (parallel.isMissingNode()) continue;
            Matcher m = MATRIX.matcher(String.join("\n", script(job)));
            assertTrue(m.find(), job + " fans out over cells but names no matrix file");
            Matrix matrix = MatrixLoader.load(ProjectFiles.ROOT.resolve(m.group(1)));
            for (JsonNode entry : parallel) {
                for (JsonNode name : entry.path("CELL")) {
                    Cell cell = matrix.cells().stream().filter(c -> c.name().equals(name.asText())).findFirst()
                            .orElseThrow(() -> new AssertionError(job + ": no cell '" + name.asText() + "' in " + matrix.file()));
                    if (cell.source() instanceof Cell.BuildImage b) {
                        assertTrue(Files.isRegularFile(ProjectFiles.ROOT.resolve("images").resolve(b.dir()).resolve("Dockerfile")),
                                job + ": cell " + cell.name() + " needs images/" + b.dir());
                    }
                    cells++;
                }
            }
        }
        assertTrue(cells >= 2, "GPU jobs fan out one job per library version");
    }

    @Test
    void gpuJobs_keepTheirArtifactsApart_andRunOnTaggedRunners() {
        for (String job : List.of("gpu-matrix-nvidia", "gpu-matrix-amd")) {
            JsonNode j = ci.get(job);
            assertFalse(j.path("tags").isMissingNode(), job + " has runner tags");
            JsonNode template = ci.get(j.get("extends").asText());
            template.path("artifacts").path("paths").forEach(p -> assertTrue(p.asText().contains("$CELL"),
                    job + ": artifact path " + p + " must be per cell, parallel jobs do not merge them"));
            assertEquals("unix:///var/run/docker.sock", template.path("variables").path("DOCKER_HOST").asText(),
                    "GPU jobs use the runner host's Docker: docker-in-docker has no GPU runtime");
        }
        assertTrue(ci.get("allure").toString().contains("history"), "the report job carries the previous history for trends");
        assertTrue(ci.path("variables").path("MAVEN_OPTS").asText().contains("$CI_PROJECT_DIR/.m2"), "the Maven cache lives in the project");
    }

    @Test
    void defaultImage_hasTheLocalStandInThatCiRunsTheBuildJobIn() throws Exception {
        String image = ci.path("default").path("image").asText();
        assertFalse(image.isEmpty(), "the pipeline names a default image");
        Path recipe = ProjectFiles.ROOT.resolve("images/temurin-local/Dockerfile");
        assertTrue(Files.isRegularFile(recipe), "the default image " + image + " has a local stand-in at " + recipe);
        String header = Files.readString(recipe).lines().findFirst().orElse("");
        assertTrue(header.contains(image), recipe + " must say it stands in for " + image + ", its first line is: " + header);
        String script = Files.readString(ProjectFiles.ROOT.resolve(".ci/gitlab-ci-local.sh"));
        assertTrue(script.contains("stand_in " + image + " images/temurin-local"), ".ci/gitlab-ci-local.sh tags the stand-in " + image);
    }

    @Test
    void ciRun_existsAndRunsTheReadmesTestCommand() throws Exception {
        Path run = ProjectFiles.ROOT.resolve(".ci/run");
        assertTrue(Files.isExecutable(run), ".ci/run is executable");
        String readme = Files.readString(ProjectFiles.ROOT.resolve("README.md"));
        String script = Files.readString(run);
        assertTrue(readme.contains("./mvnw verify") && script.contains("./mvnw -B -ntp verify"),
                "README and .ci/run agree on the test command");
        assertTrue(readme.contains("bash .ci/run matrix") && script.contains("-Pgpu-matrix"));
        assertTrue(script.contains(".ci/gitlab-ci-local.sh") && Files.isExecutable(ProjectFiles.ROOT.resolve(".ci/gitlab-ci-local.sh")),
                ".ci/run checks the pipeline with gitlab-ci-local");
    }
}
