package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import com.github.dockerjava.api.exception.NotFoundException;

/**
 * Pieces a container run needs that go missing or fail: each fails with its own cause, and leaves nothing behind.
 */
class ContainerStartFailureIT {

    private static final String BASE = "ncclffm/base:trixie";

    private RunResources resources;

    @BeforeEach
    void docker() {
        DockerRequirement.check();
        resources = RunResources.standalone();
    }

    @AfterEach
    void nothingLeft() {
        if (resources != null) resources.close();
        Leftovers.assertNoContainersOrNetworks();
    }

    /**
     * The worker archive lives in the run's scratch folder; when it vanishes between two cell runs, the next cell
     * says which file is gone, not what Testcontainers wraps the failure in.
     */
    @Test
    void aWorkerArchiveThatVanished_failsTheNextCellNamingTheArchive() throws Exception {
        ContainerLauncher launcher = ContainerLauncher.create(WorkerBundle.locate(), resources);
        CellRun first = launcher.run(TestCells.inImage("archive-present", BASE, Duration.ofMinutes(2)), 1, RankObserver.NONE);
        assertNull(first.infraFailure(), "the first cell run starts its container");
        Path archive;
        try (Stream<Path> files = Files.list(resources.scratch())) {
            archive = files.filter(p -> p.getFileName().toString().endsWith(".tar")).findFirst().orElseThrow();
        }
        Files.delete(archive);
        CellRun second = launcher.run(TestCells.inImage("archive-gone", BASE, Duration.ofMinutes(2)), 1, RankObserver.NONE);
        String failure = second.infraFailure();
        assertNotNull(failure, "the cell run failed");
        assertTrue(failure.contains("the worker archive " + archive + " is gone"), failure);
        assertFalse(failure.contains("Retry limit"), failure);
        assertTrue(second.ranks().stream().allMatch(RankOutput::hasEnded), "every rank says how it ended");
    }

    /**
     * A recipe whose step fails: the build fails with the step's own words, and the container Docker ran the step
     * in is removed with it (a plain "rm" keeps the containers of failed steps).
     */
    @Test
    void aFailingImageBuild_failsWithTheStepsWords_andLeavesNoContainer() throws Exception {
        Path context = Files.createDirectories(Path.of("target", "failing-recipe"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + BASE + "\nRUN echo 'this step fails on purpose' && exit 3\n");
        var docker = DockerClientFactory.instance().client();
        HarnessException e = assertThrows(HarnessException.class,
                () -> ImageResolver.dockerBuild(docker, context, Map.of(), "ncclffm/failing-recipe:test", "from " + context));
        assertTrue(e.getMessage().contains("returned a non-zero code: 3"), e.getMessage());
        Matcher step = Pattern.compile("Running in ([0-9a-f]{12})").matcher(e.getMessage());
        assertTrue(step.find(), "the build's last lines name the container the step ran in: " + e.getMessage());
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(step.group(1)).exec(),
                "the failed step's container " + step.group(1) + " was removed");
    }
}
