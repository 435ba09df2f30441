package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcessEnvironmentTest {

    private static final Map<String, String> CONTROLLER = Map.of(
            "PATH", "/usr/bin", "HOME", "/home/ci", "LD_LIBRARY_PATH", "/opt/cuda/lib64", "LC_ALL", "C.UTF-8",
            "CI_JOB_TOKEN", "secret", "AWS_SECRET_ACCESS_KEY", "secret", "GITLAB_TOKEN", "secret",
            "NCCL_IB_HCA", "mlx5_0", "CUDA_CACHE_PATH", "/cache", "NCCLFFM_SO_PATH", "/the/controllers/own");

    @Test
    void of_keepsWhatNcclTheGpuRuntimeAndTheJvmNeed_andDropsTheRest() {
        Map<String, String> env = ProcessEnvironment.of(CONTROLLER, Map.of(), Path.of("/run/scratch/ranks/r0"));
        assertEquals(Map.of("PATH", "/usr/bin", "HOME", "/home/ci", "LD_LIBRARY_PATH", "/opt/cuda/lib64", "LC_ALL", "C.UTF-8",
                "NCCL_IB_HCA", "mlx5_0", "CUDA_CACHE_PATH", "/cache", "TMPDIR", "/run/scratch/ranks/r0"), env);
    }

    @Test
    void of_theWorkersOwnVariables_winOverTheControllers() {
        Map<String, String> env = ProcessEnvironment.of(CONTROLLER, Map.of("NCCLFFM_SO_PATH", "/the/cells", "NCCL_IB_HCA", "mlx5_1",
                "TMPDIR", "/chosen/by/the/cell"), Path.of("/run/scratch/ranks/r0"));
        assertEquals("/the/cells", env.get("NCCLFFM_SO_PATH"));
        assertEquals("mlx5_1", env.get("NCCL_IB_HCA"));
        assertEquals("/chosen/by/the/cell", env.get("TMPDIR"), "the matrix file is trusted: a cell's env is its own choice");
    }

    @Test
    void passes_onlyTheAllowList() {
        assertFalse(ProcessEnvironment.passes("CI_JOB_TOKEN"));
        assertFalse(ProcessEnvironment.passes("NCCLFFM_TOKEN"));
        assertFalse(ProcessEnvironment.passes("TESTCONTAINERS_HOST_OVERRIDE"));
        assertFalse(ProcessEnvironment.passes("LD_PRELOAD"));
    }
}
