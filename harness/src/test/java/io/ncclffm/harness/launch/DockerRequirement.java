package io.ncclffm.harness.launch;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Container tests need a Docker daemon. In CI ({@code -Dncclffm.require.docker=true}, set by .ci/run) a missing
 * daemon fails the test; on a developer's machine without Docker it is skipped with that reason.
 */
final class DockerRequirement {

    private DockerRequirement() {
    }

    static void check() {
        boolean available;
        String why;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
            why = "no Docker daemon answers (DOCKER_HOST or /var/run/docker.sock)";
        } catch (RuntimeException e) {
            available = false;
            why = "Docker is not usable: " + e.getMessage();
        }
        if (available) return;
        if (Boolean.getBoolean("ncclffm.require.docker")) {
            Assertions.fail("needs Docker, and ncclffm.require.docker is set: " + why);
        }
        Assumptions.abort("needs Docker: " + why);
    }
}
