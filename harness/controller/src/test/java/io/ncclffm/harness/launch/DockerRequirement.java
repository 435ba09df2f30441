package io.ncclffm.harness.launch;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import io.ncclffm.harness.junit.Launchers;

/**
 * Container tests need a Docker daemon. In CI ({@code -Dncclffm.require.docker=true}, set by .ci/run) a missing
 * daemon fails the test; on a developer's machine without Docker it is skipped with that reason. The reason is the
 * one the matrix itself gives ({@link Launchers#dockerProblem()}).
 */
public final class DockerRequirement {

    private DockerRequirement() {
    }

    public static void check() {
        String problem = new Launchers().dockerProblem();
        if (problem == null) return;
        if (Boolean.getBoolean("ncclffm.require.docker")) {
            Assertions.fail("needs Docker, and ncclffm.require.docker is set: " + problem);
        }
        Assumptions.abort("needs Docker: " + problem);
    }
}
