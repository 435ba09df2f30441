package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;
import io.ncclffm.harness.matrix.SupervisionGraces;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.CellVerdicts;
import io.ncclffm.harness.verdict.Verdict;

/**
 * Cells through srun on a real Slurm cluster in containers ({@link SlurmCluster}: slurmctld, two slurmd nodes,
 * munge), with Debian's real NCCL 2.22.3 and 2.29.7 on the cluster's shared volume, on a machine without a GPU: one
 * rank on each node loads and decodes its library, the unique ID made on the first node reaches the second, init
 * fails cleanly; a mixed pair runs 2.22.3 on one node and 2.29.7 on the other; a task killed on its node ends the
 * cell within the peer-death grace, named, with its job gone from squeue.
 */
class SlurmLauncherIT {

    /** The peer-death grace of the kill drill: long enough for rank 0 to report, far below the default. */
    private static final Duration PEER_DEATH_GRACE = Duration.ofSeconds(10);

    private static final String LIBDIR = "/usr/lib/x86_64-linux-gnu/";
    /** The repository's Slurm matrix: its libraries are where the cluster's shared volume holds them. */
    static final Matrix SLURM = MatrixLoader.load(Path.of("../../matrix/slurm.yaml"));
    static RunResources resources;
    static SlurmCluster cluster;
    static SlurmLauncher launcher;
    static Cell nccl2223;
    static Cell nccl2297;

    @BeforeAll
    static void cluster() throws Exception {
        DockerRequirement.check();
        long start = System.nanoTime();
        resources = RunResources.standalone();
        WorkerBundle bundle = WorkerBundle.locate();
        ImageResolver images = new ImageResolver(DockerConnection.client(), ImageResolver.defaultImagesDir(), null);
        String image2223 = images.resolve(TestCells.debian("nccl-2.22.3-trixie").source());
        String image2297 = images.resolve(TestCells.debian("nccl-2.29.7-sid").source());
        cluster = SlurmCluster.start(resources);
        cluster.shareWorker(bundle);
        nccl2223 = cell("slurm-2.22.3");
        nccl2297 = cell("slurm-2.29.7");
        assertEquals(nccl2223.soPath(), cluster.shareLibrary(image2223, LIBDIR + "libnccl.so.2.22.3", "ncclffm/lib/nccl-2.22.3"));
        assertEquals(nccl2297.soPath(), cluster.shareLibrary(image2297, LIBDIR + "libnccl.so.2.29.7", "ncclffm/lib/nccl-2.29.7"));
        launcher = new SlurmLauncher(cluster.site(), resources);
        System.out.printf("[slurm] cluster up, worker and libraries shared in %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
    }

    @AfterAll
    static void nothingLeft() {
        if (cluster != null) cluster.close();
        if (resources != null) resources.close();
        if (cluster != null) Leftovers.assertNoContainersOrNetworks();
    }

    private static Cell cell(String name) {
        return SLURM.cells().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void oneRankPerNode_loadsDecodesSharesTheIdAcrossNodesAndFailsInitCleanly() {
        CellRun run = launcher.run(nccl2223, 2, RankObserver.NONE);
        assertNull(run.infraFailure());
        Map<String, Verdict> v = verdicts(run);
        for (String check : List.of("load", "version", "error-strings", "unique-id", "init-without-gpu",
                CellVerdicts.UNIQUE_ID_AGREEMENT, CellVerdicts.RANKS_FINISHED, CellVerdicts.RANK_EVENTS)) {
            assertEquals(CheckStatus.PASSED, v.get(check).status(), check + ": " + v.get(check).message() + logs(run));
        }
        assertEquals(List.of("c1", "c2"), hosts(run), "rank 0 on the first node, rank 1 on the second");
        pinnedOnEveryNode(run);
        assertEquals("2.22.3", result(run, 1, "version").data().get("version"));
        assertEquals(result(run, 0, "unique-id").fingerprint(), result(run, 1, "unique-id").fingerprint());
        CheckResult init = result(run, 1, "init-without-gpu");
        assertEquals("ncclUnhandledCudaError", init.data().get("result"), init.message());
    }

    @Test
    void mixedPair_runsOneReleaseOnEachNode() {
        Cell mix = cell("slurm-mix-2.22.3-2.29.7");
        CellRun run = launcher.run(mix, 2, RankObserver.NONE);
        assertNull(run.infraFailure());
        assertEquals(List.of("c1", "c2"), hosts(run));
        pinnedOnEveryNode(run);
        assertEquals("2.22.3", result(run, 0, "version").data().get("version"));
        assertEquals("2.29.7", result(run, 1, "version").data().get("version"));
        Map<String, Verdict> v = verdicts(run);
        for (String check : List.of("load", "version", CellVerdicts.RANKS_FINISHED, CellVerdicts.RANK_EVENTS)) {
            assertEquals(CheckStatus.PASSED, v.get(check).status(), check + ": " + v.get(check).message() + logs(run));
        }
        System.out.println("[slurm] mixed pair verdicts: " + v.values().stream().filter(x -> x.status() != CheckStatus.SKIPPED)
                .map(x -> x.checkId() + "=" + x.status()).collect(Collectors.joining(", ")));
    }

    @Test
    void aTaskKilledOnItsNode_endsTheCellInTime_namingTheRank_andTheJobIsGone() {
        AtomicReference<String> job = new AtomicReference<>();
        AtomicBoolean killed = new AtomicBoolean();
        // Rank 1 is killed on its node as soon as it says hello; rank 0 waits for it at the rendezvous until the
        // peer-death grace, shortened here so that the drill answers sooner, ends it.
        Map<String, String> env = new HashMap<>(nccl2223.env());
        env.put(SupervisionGraces.PEER_DEATH, Long.toString(PEER_DEATH_GRACE.toSeconds()));
        Cell cell = nccl2223.toBuilder().env(env).build();
        CellRun run = launcher.run(cell, 2, (rank, e) -> {
            job.compareAndSet(null, rank.id().substring(0, rank.id().indexOf('/')));
            if (e instanceof WorkerEvent.Hello h && h.rank() == 1 && killed.compareAndSet(false, true)) {
                try {
                    cluster.execOn(h.host(), "kill", "-KILL", Long.toString(h.pid()));
                } catch (Exception x) {
                    throw new AssertionError("cannot kill rank 1 on " + h.host(), x);
                }
            }
        });
        assertTrue(killed.get(), "rank 1 said hello and was killed" + logs(run));
        RankEnding one = run.ranks().get(1).ending();
        assertEquals(RankEnding.Kind.SIGNALLED, one.kind(), "rank 1: " + one + logs(run));
        assertEquals(137, one.exitCode(), "killed by SIGKILL");
        assertTrue(run.wall().compareTo(PEER_DEATH_GRACE.plusSeconds(30)) < 0,
                "the cell ended within the peer-death grace: " + run.wall());
        RankEnding zero = run.ranks().get(0).ending();
        assertTrue(zero.ended(), "rank 0 ended: " + zero);
        assertTrue(zero.toString().contains("rank 1") || String.valueOf(zero.detail()).contains("rank 1"),
                "rank 0's ending names rank 1: " + zero);
        assertNotNull(job.get());
        assertFalse(cluster.site().listed(job.get(), Duration.ofSeconds(20)), "job " + job.get() + " left in squeue");
    }

    private static List<String> hosts(CellRun run) {
        return run.ranks().stream().map(o -> o.events().stream().filter(e -> e instanceof WorkerEvent.Hello)
                .map(e -> ((WorkerEvent.Hello) e).host()).findFirst().orElse("?")).toList();
    }

    private static Map<String, Verdict> verdicts(CellRun run) {
        return CellVerdicts.of(run, TestCells.matrixOf(run.cell())).stream()
                .collect(Collectors.toMap(Verdict::checkId, x -> x, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    /** Each rank hashed the file it loaded on its node; a rank whose file misses the pin would be broken. */
    private static void pinnedOnEveryNode(CellRun run) {
        for (RankOutput o : run.ranks()) {
            String loaded = o.events().stream().filter(e -> e instanceof WorkerEvent.Loaded).map(e -> ((WorkerEvent.Loaded) e).library().sha256())
                    .findFirst().orElseThrow(() -> new AssertionError("rank " + o.rank() + " named no file" + logs(run)));
            assertEquals(run.cell().forRank(o.rank()).pinnedSha256(), loaded, "rank " + o.rank() + "'s file");
        }
    }

    private static CheckResult result(CellRun run, int rank, String id) {
        return run.ranks().get(rank).events().stream().filter(e -> e instanceof WorkerEvent.Check c && c.result().id().equals(id))
                .map(e -> ((WorkerEvent.Check) e).result()).findFirst()
                .orElseThrow(() -> new AssertionError("rank " + rank + " did not report " + id + logs(run)));
    }

    private static String logs(CellRun run) {
        StringBuilder sb = new StringBuilder();
        for (RankOutput o : run.ranks()) {
            sb.append("\n--- rank ").append(o.rank()).append(" (").append(o.ending()).append(") problems ").append(o.streamProblems())
                    .append('\n').append(o.log());
        }
        return sb.toString();
    }
}
