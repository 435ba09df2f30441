package io.ncclffm.harness.junit;

import org.testcontainers.DockerClientFactory;

import io.ncclffm.harness.launch.CellLauncher;
import io.ncclffm.harness.launch.ContainerLauncher;
import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.ImageResolver;
import io.ncclffm.harness.launch.ProcessLauncher;
import io.ncclffm.harness.launch.RunResources;
import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.library.LibraryException;
import io.ncclffm.harness.library.RecipeImages;
import io.ncclffm.harness.matrix.Cell;

/**
 * Picks the launcher a cell needs and creates each once, for one run's {@link RunResources}. Docker is only asked for
 * when a cell runs in containers; a process-only matrix works on a host without it.
 */
public final class Launchers {

    private RunResources resources;
    private WorkerBundle bundle;
    private ProcessLauncher processes;
    private ContainerLauncher containers;
    private String dockerProblem;

    /** Launchers outside a matrix run (tests): resources of their own, made when a launcher is first needed. */
    public Launchers() {
        this(null);
    }

    public Launchers(RunResources resources) {
        this.resources = resources;
    }

    /**
     * The harness's own image builds ({@link ImageResolver}, with the recipes at {@link ImageResolver#defaultImagesDir()})
     * as the library sources take them, for a {@code debian} source's package.
     */
    public static RecipeImages recipeImages() {
        return (docker, recipe) -> {
            try {
                return new ImageResolver(docker, ImageResolver.defaultImagesDir(), null).resolve(recipe);
            } catch (HarnessException e) {
                throw new LibraryException(e.getMessage(), e);
            }
        };
    }

    private synchronized RunResources resources() {
        if (resources == null) resources = RunResources.standalone();
        return resources;
    }

    private synchronized WorkerBundle bundle() {
        if (bundle == null) bundle = WorkerBundle.locate();
        return bundle;
    }

    /** Why containers cannot run here, or {@code null} when Docker answers. */
    public synchronized String dockerProblem() {
        if (containers != null) return null;
        if (dockerProblem != null) return dockerProblem;
        // A DOCKER_HOST that names a socket which does not exist is answered at once; Testcontainers would try
        // other strategies (and a cached one) before it gives up.
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://") && !java.nio.file.Files.exists(java.nio.file.Path.of(host.substring(7)))) {
            dockerProblem = "Docker is not available: DOCKER_HOST=" + host + " names a socket that does not exist";
            return dockerProblem;
        }
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                dockerProblem = "Docker is not available (no daemon answered at DOCKER_HOST or /var/run/docker.sock)";
            }
        } catch (RuntimeException e) {
            dockerProblem = "Docker is not available: " + e.getMessage();
        }
        return dockerProblem;
    }

    public synchronized CellLauncher forCell(Cell cell) {
        if (!cell.source().containerized()) {
            if (processes == null) processes = new ProcessLauncher(bundle(), resources());
            return processes;
        }
        if (containers == null) containers = ContainerLauncher.create(bundle(), resources());
        return containers;
    }
}
