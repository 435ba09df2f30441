package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Cell;

/**
 * What a library in a process rank can see of the controller: the stub library prints, from inside each rank, the
 * variables it is asked about and the rank's command line ({@code STUB_NCCL_PRINT_ENV}). The controller's environment
 * holds a CI token and a cloud key; the ranks get neither, and run with a private temporary folder of their own in the
 * run's scratch folder, bound to loopback.
 */
class ProcessRankIsolationIT {

    private static final String TOKEN = "ci-job-token-that-must-not-leak";
    private static final String KEY = "cloud-key-that-must-not-leak";
    private static final Pattern TMPDIR = Pattern.compile("-Djava\\.io\\.tmpdir=(\\S+)");

    private final RunResources resources = RunResources.standalone();

    @AfterEach
    void nothingLeft() {
        resources.close();
        Leftovers.assertNoRankProcesses();
    }

    private CellRun run(Map<String, String> controllerEnv, Map<String, String> cellEnv) throws Exception {
        Cell base = TestCells.stub("isolation", Duration.ofMinutes(2));
        Map<String, String> env = new LinkedHashMap<>(base.env());
        env.put("STUB_NCCL_PRINT_ENV", "CI_JOB_TOKEN,AWS_SECRET_ACCESS_KEY,HOME,PATH,TMPDIR,NCCL_SOCKET_IFNAME,NCCL_FROM_THE_HOST,"
                + "TESTCONTAINERS_RYUK_DISABLED");
        env.putAll(cellEnv);
        Cell cell = TestCells.with(base, "isolation", base.soPath(), base.version(), base.timeout(), env);
        ProcessLauncher launcher = new ProcessLauncher(WorkerBundle.locate(), resources, controllerEnv);
        CellRun run = launcher.run(cell, 2, RankObserver.NONE);
        assertNull(run.infraFailure());
        return run;
    }

    private static Map<String, String> controllerEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CI_JOB_TOKEN", TOKEN);
        env.put("AWS_SECRET_ACCESS_KEY", KEY);
        env.put("NCCL_FROM_THE_HOST", "kept");
        env.put("TESTCONTAINERS_RYUK_DISABLED", "true");
        return env;
    }

    @Test
    void ranks_seeNoSecretOfTheController_butWhatNcclAndTheGpuRuntimeNeed() throws Exception {
        CellRun run = run(controllerEnvironment(), Map.of());
        for (RankOutput rank : run.ranks()) {
            String log = rank.log();
            assertFalse(log.contains(TOKEN) || log.contains(KEY), "a secret reached rank " + rank.rank() + ":\n" + log);
            assertTrue(log.contains("stub env CI_JOB_TOKEN unset"), log);
            assertTrue(log.contains("stub env AWS_SECRET_ACCESS_KEY unset"), log);
            assertTrue(log.contains("stub env TESTCONTAINERS_RYUK_DISABLED unset"), "the controller's own settings stay with it: " + log);
            assertTrue(log.contains("stub env NCCL_FROM_THE_HOST=kept"), "NCCL's settings on the host pass: " + log);
            assertTrue(log.contains("stub env PATH=" + System.getenv("PATH")), log);
            assertTrue(log.contains("stub env HOME="), "HOME passes (the CUDA driver's kernel cache lives under it): " + log);
            assertTrue(log.contains("stub env NCCL_SOCKET_IFNAME=lo"), "NCCL is bound to loopback: " + log);
        }
    }

    @Test
    void ranks_runWithAPrivateTemporaryFolderInTheRunsScratch_removedWhenTheCellEnds() throws Exception {
        CellRun run = run(controllerEnvironment(), Map.of());
        Path ranks = resources.scratch().resolve(RunResources.RANKS);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ranks, LinkOption.NOFOLLOW_LINKS)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(resources.scratch(), LinkOption.NOFOLLOW_LINKS)));
        for (RankOutput rank : run.ranks()) {
            String log = rank.log();
            Matcher m = TMPDIR.matcher(log);
            assertTrue(m.find(), "the rank's command line names its temporary folder: " + log);
            Path tmp = Path.of(m.group(1));
            assertEquals(ranks, tmp.getParent(), "java.io.tmpdir is a folder of the run's own scratch, not /tmp");
            assertTrue(log.contains("stub env TMPDIR=" + tmp), "TMPDIR is the same folder: " + log);
            assertFalse(Files.exists(tmp, LinkOption.NOFOLLOW_LINKS), "removed when the cell run ended: " + tmp);
        }
        String tmp0 = TMPDIR.matcher(run.ranks().get(0).log()).results().findFirst().orElseThrow().group(1);
        String tmp1 = TMPDIR.matcher(run.ranks().get(1).log()).results().findFirst().orElseThrow().group(1);
        assertFalse(tmp0.equals(tmp1), "each rank has a folder of its own");
    }

    @Test
    void aCellsEnv_stillReachesItsRanks_andChoosesNcclsInterface() throws Exception {
        CellRun run = run(controllerEnvironment(), Map.of("NCCL_SOCKET_IFNAME", "=lo"));
        for (RankOutput rank : run.ranks()) {
            assertTrue(rank.log().contains("stub env NCCL_SOCKET_IFNAME==lo"), rank.log());
        }
    }
}
