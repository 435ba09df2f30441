package io.ncclffm.harness.junit;

import org.testcontainers.DockerClientFactory;

import io.ncclffm.harness.launch.CellLauncher;
import io.ncclffm.harness.launch.ContainerLauncher;
import io.ncclffm.harness.launch.ProcessLauncher;
import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.matrix.Cell;

/**
 * Picks the launcher a cell needs and creates each once. Docker is only asked for when a cell runs in containers;
 * a process-only matrix works on a host without it.
 */
public final class Launchers {

    private WorkerBundle bundle;
    private ProcessLauncher processes;
    private ContainerLauncher containers;
    private String dockerProblem;

    private synchronized WorkerBundle bundle() {
        if (bundle == null) bundle = WorkerBundle.locate();
        return bundle;
    }

    /** Why containers cannot run here, or {@code null} when Docker answers. */
    public synchronized String dockerProblem() {
        if (containers != null) return null;
        if (dockerProblem != null) return dockerProblem;
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
            if (processes == null) processes = new ProcessLauncher(bundle());
            return processes;
        }
        if (containers == null) containers = ContainerLauncher.create(bundle());
        return containers;
    }
}
