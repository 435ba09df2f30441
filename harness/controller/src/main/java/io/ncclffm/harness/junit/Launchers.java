package io.ncclffm.harness.junit;

import com.github.dockerjava.api.DockerClient;

import io.ncclffm.harness.launch.CellLauncher;
import io.ncclffm.harness.launch.ContainerLauncher;
import io.ncclffm.harness.launch.DockerConnection;
import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.ImageResolver;
import io.ncclffm.harness.launch.ProcessLauncher;
import io.ncclffm.harness.launch.RunResources;
import io.ncclffm.harness.launch.SlurmLauncher;
import io.ncclffm.harness.launch.SlurmSite;
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
    private SlurmLauncher slurm;

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
        return new RecipeImages() {
            @Override
            public DockerClient docker() {
                String problem = DockerConnection.problem();
                if (problem != null) {
                    throw new LibraryException("a debian source is installed with apt in a Docker build (images/debian), and " + problem);
                }
                return DockerConnection.client();
            }

            @Override
            public String build(DockerClient docker, Cell.BuildImage recipe) {
                try {
                    return new ImageResolver(docker, ImageResolver.defaultImagesDir(), null).resolve(recipe);
                } catch (HarnessException e) {
                    throw new LibraryException(e.getMessage(), e);
                }
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

    /** Why containers cannot run here, or {@code null} when Docker answers ({@link DockerConnection}). */
    public synchronized String dockerProblem() {
        if (containers != null) return null;
        return DockerConnection.problem();
    }

    public synchronized CellLauncher forCell(Cell cell) {
        if (cell.slurmLaunched()) {
            if (slurm == null) slurm = new SlurmLauncher(SlurmSite.of(bundle()), resources());
            return slurm;
        }
        if (!cell.source().containerized()) {
            if (processes == null) processes = new ProcessLauncher(bundle(), resources());
            return processes;
        }
        if (containers == null) containers = ContainerLauncher.create(bundle(), resources());
        return containers;
    }
}
