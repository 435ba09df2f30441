package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.GpuAssignment;
import io.ncclffm.harness.matrix.SlurmSettings;

/** The srun command line a cell run gets: its layout from the cell, the event channel's options the launcher's own. */
class SlurmLauncherTest {

    private static Cell cell(GpuAssignment gpu, SlurmSettings s) {
        return Cell.builder("s", Flavor.NCCL, NcclVersion.of(2, 28, 3)).source(new Cell.HostLibrary("/l.so"), "/l.so").gpu(gpu)
                .slurm(s).build();
    }

    @Test
    void aCpuCell_spansItsNodes_labelledWithEveryTaskReadingTheLifeline_andLimitedInTime() {
        SlurmSettings s = new SlurmSettings(2, 2, "debug", "ml", Duration.ofSeconds(61), List.of("--exclusive"));
        assertEquals(List.of("--job-name=job", "--nodes=2", "--ntasks=4", "--distribution=block", "--label", "--input=all",
                "--kill-on-bad-exit=0", "--time=2", "--ntasks-per-node=2", "--partition=debug", "--account=ml", "--exclusive"),
                SlurmLauncher.srunOptions(cell(GpuAssignment.NONE, s), 4, "job"));
    }

    @Test
    void aGpuCell_getsOneGpuPerTaskFromSlurm_unlessItsOptionsSayOtherwise() {
        SlurmSettings plain = new SlurmSettings(1, 0, null, null, Duration.ofMinutes(5), List.of());
        GpuAssignment nvidia = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.ALL, GpuAssignment.Access.TOOLKIT, null);
        assertTrue(SlurmLauncher.srunOptions(cell(nvidia, plain), 1, "job").contains("--gpus-per-task=1"));
        SlurmSettings two = new SlurmSettings(1, 0, null, null, Duration.ofMinutes(5), List.of("--gpus-per-task=2"));
        List<String> o = SlurmLauncher.srunOptions(cell(nvidia, two), 1, "job");
        assertTrue(o.contains("--gpus-per-task=2") && !o.contains("--gpus-per-task=1"), o.toString());
    }

    @Test
    void theStepsCommandLine_handsSrunTheStepEnvironmentThroughEnv_afterTheClientPrefix() {
        SlurmSite site = new SlurmSite(List.of("docker", "exec", "-i", "ctl"), "/shared/jre/bin/java", "/shared/worker.jar");
        assertEquals(List.of("docker", "exec", "-i", "ctl", "env", "A=1", "srun", "--label", "java", "-cp", "w.jar"),
                site.srun(List.of("--label"), Map.of("A", "1"), List.of("java", "-cp", "w.jar")));
    }
}
