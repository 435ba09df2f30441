package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

import io.ncclffm.harness.launch.DockerEngine;
import io.ncclffm.harness.launch.DockerRequirement;
import io.ncclffm.harness.launch.RunIdentity;
import io.ncclffm.harness.launch.RunScratch;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.report.RunJournal;
import io.ncclffm.testing.CSharedLibrary;

/**
 * A controller killed (SIGKILL) or stopped (SIGTERM) in the middle of a run, as an operator or a CI job's timeout does
 * it: the standalone jar runs a matrix whose second cell's ranks sit in communicator init (the stub sleeps there, as a
 * hung NCCL would), and is killed while they do. Afterwards the run's gate says INCOMPLETE, never PASS, even where the
 * same reports folder holds an earlier run that passed; {@code reports/latest} points at the killed run; the rebuild
 * names the cell run that never finished; and, within a bounded time, nothing of the run is left: no rank process, no
 * reaper, no labelled container, network or volume, no worker archive.
 *
 * <p>Every wait is for an event or a condition, bounded generously for a loaded two-core machine; none is a margin.
 */
class ControllerCrashIT {

    /** Starting a JVM per rank and reaching the stuck cell run, on a loaded machine. */
    private static final Duration REACH_BOUND = Duration.ofMinutes(5);
    /** The reaper's or the shutdown hook's work, from the kill or the signal on. */
    private static final Duration CLEANUP_BOUND = Duration.ofMinutes(3);

    private static Path jar;
    private static Path stub;

    @TempDir
    Path dir;

    private final List<Process> controllers = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        jar = Path.of(System.getProperty("ncclffm.harness.jar", "target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the standalone jar is built by mvn package: " + jar);
        // A copy of its own, so that it has the init sleep this test needs, whatever an older build left elsewhere.
        stub = CSharedLibrary.compile(Path.of("target", "crash-stub", "libnccl_stub.so"), "../../binding/src/test/c/stub_nccl.c");
    }

    /**
     * A test that failed half way leaves nothing either: its controller is killed, then its rank processes; its reaper is
     * left to remove the run's containers.
     */
    @AfterEach
    void noControllerOutlivesItsTest() {
        for (Process p : controllers) {
            List<ProcessHandle> ranks = p.descendants().filter(d -> !isReaper(d)).toList();
            p.destroyForcibly();
            ranks.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** A matrix: {@code quick} passes at once; {@code stuck}'s two ranks sleep in communicator init for ten minutes. */
    private Path matrix(boolean stuckInContainers, boolean withStuck) throws IOException {
        String quick = """
                  - name: quick
                    flavor: nccl
                    version: 2.22.3
                    host: {path: %s}
                    worlds: [1]
                    timeout: 2m
                    env: {STUB_NCCL_INIT: fail}
                """.formatted(stub);
        String stuck = """
                  - name: stuck
                    flavor: nccl
                    version: 2.22.3
                    %s
                    worlds: [2]
                    timeout: 20m
                    env: {STUB_NCCL_INIT: fail, STUB_NCCL_INIT_SLEEP_S: "600", NCCLFFM_INIT_TIMEOUT_S: "900"}
                """.formatted(stuckInContainers ? "image: {fromHost: " + stub + "}" : "host: {path: " + stub + "}");
        Path file = dir.resolve(withStuck ? "stuck.yaml" : "quick.yaml");
        Files.writeString(file, "cells:\n" + quick + (withStuck ? stuck : ""));
        return file;
    }

    /** The standalone jar running {@code matrix} into {@code dir/reports}, its output in a file. */
    private Process start(Path matrix, String name) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dncclffm.images.dir=" + System.getProperty("ncclffm.images.dir", Path.of("../../images").toAbsolutePath().normalize().toString()),
                "-jar", jar.toString(), "matrix", "--matrix", matrix.toString(), "--reports", reports().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
        pb.environment().putAll(Map.of("TESTCONTAINERS_RYUK_DISABLED", "true", "TESTCONTAINERS_CHECKS_DISABLE", "true"));
        Process p = pb.start();
        controllers.add(p);
        return p;
    }

    private Path reports() {
        return dir.resolve("reports");
    }

    private String output(String name) {
        try {
            return Files.readString(dir.resolve(name + ".out"));
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("not within " + bound.toSeconds() + " s: " + what);
            Thread.sleep(200);
        }
    }

    /** The run the controller began: where {@code reports/latest} points once it says it started the stuck cell run. */
    private Path awaitStuckCellRun(Process controller, String name) throws Exception {
        await("the controller starts the stuck cell run:\n" + output(name), REACH_BOUND, () -> {
            if (!controller.isAlive()) fail("the controller ended early:\n" + output(name));
            return output(name).contains("stuck world 2 (NCCL 2.22.3, ");
        });
        Path run = reports().resolve(RunFolder.LATEST).toRealPath();
        assertTrue(run.getFileName().toString().matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}"), run.toString());
        return run;
    }

    private static List<ProcessHandle> rankProcesses(Process controller) {
        return controller.descendants().filter(p -> p.info().commandLine().orElse("").contains("RankWorker")).toList();
    }

    private static boolean isReaper(ProcessHandle p) {
        return p.info().commandLine().orElse("").contains("RankReaper");
    }

    private static void assertIncomplete(Path run, String unfinished) throws IOException {
        String gate = Files.readString(run.resolve(RunFolder.GATE));
        assertTrue(gate.startsWith("INCOMPLETE"), "a run that did not finish says INCOMPLETE:\n" + gate);
        assertFalse(gate.lines().findFirst().orElse("").contains("PASS"), gate);
        assertEquals(run, run.getParent().resolve(RunFolder.LATEST).toRealPath(), "latest points at the run that was cut short");
        if (unfinished != null) assertTrue(gate.contains("never finished: " + unfinished), gate);
    }

    /** {@code report --rebuild RUN}, as its own process: exit 1, and it names the cell run that never finished. */
    private void assertRebuildNamesTheUnfinishedRun(Path run) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "report", "--rebuild", run.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("rebuild.out").toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the rebuild ended");
        String out = output("rebuild");
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("[ncclffm] never finished: stuck w2"), out);
        assertIncomplete(run, "stuck w2");
        assertTrue(Files.readString(run.resolve("grid.md")).contains("| version | ✓ 1 |"), "the cell run that finished is in the grid");
    }

    /** Waits until every one of {@code processes} has ended. */
    private static void awaitGone(String what, List<ProcessHandle> processes) throws InterruptedException {
        await(what + " ended: " + processes.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " "
                + p.info().commandLine().orElse("")).collect(Collectors.joining("; ")), CLEANUP_BOUND,
                () -> processes.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static DockerEngine docker() {
        return DockerEngine.at(DockerClientFactory.instance().getTransportConfig().getDockerHost().toString());
    }

    private static List<DockerEngine.Resource> labelled(DockerEngine docker, String runId) {
        List<DockerEngine.Resource> all = new ArrayList<>();
        for (DockerEngine.Kind kind : DockerEngine.Kind.values()) all.addAll(docker.list(kind, RunIdentity.RUN + "=" + runId));
        return all;
    }

    private static Set<String> allureResults(Path run) {
        try (Stream<Path> files = Files.list(run.resolve(RunFolder.ALLURE_RESULTS))) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    @Test
    void processRanks_controllerKilledMidRun_leavesIncompleteNotAnEarlierPass_andNothingRunning() throws Exception {
        Process first = start(matrix(false, false), "first");
        assertTrue(first.waitFor(REACH_BOUND.toMinutes(), TimeUnit.MINUTES), "the first run ended");
        assertEquals(0, first.exitValue(), output("first"));
        Path passed = reports().resolve(RunFolder.LATEST).toRealPath();
        assertTrue(Files.readString(passed.resolve(RunFolder.GATE)).startsWith("PASS"), "the earlier run passed");
        Set<String> passedResults = allureResults(passed);

        Process controller = start(matrix(false, true), "killed");
        Path run = awaitStuckCellRun(controller, "killed");
        assertFalse(run.equals(passed), "a run of its own");
        await("both ranks of the stuck cell run", REACH_BOUND, () -> rankProcesses(controller).size() == 2);
        List<ProcessHandle> started = controller.descendants().toList();
        assertTrue(started.stream().anyMatch(ControllerCrashIT::isReaper), "the run's reaper watches the controller: " + started);
        assertTrue(Files.readString(run.resolve(RunJournal.FILE)).contains("\"cell\":\"quick\""), "the quick cell run is in the journal");
        await("the killed run reports the quick cell run's tests to Allure", REACH_BOUND,
                () -> allureResults(run).stream().anyMatch(f -> f.endsWith("-result.json")));

        controller.destroyForcibly(); // SIGKILL: no hook runs
        assertTrue(controller.waitFor(1, TimeUnit.MINUTES));
        assertEquals(137, controller.exitValue());

        awaitGone("the killed run's rank processes and its reaper", started);
        assertFalse(Files.exists(run.resolve(RunScratch.NAME)), "no scratch folder is left");
        assertIncomplete(run, null);
        assertTrue(Files.readString(passed.resolve(RunFolder.GATE)).startsWith("PASS"), "the earlier run's folder is its own");
        assertFalse(Files.exists(reports().resolve(RunFolder.GATE)), "no gate outside a run's folder");
        assertEquals(passedResults, allureResults(passed), "the killed run wrote nothing into the earlier run's Allure results");
        assertTrue(java.util.Collections.disjoint(passedResults, allureResults(run)), "nor did it share any");
        assertRebuildNamesTheUnfinishedRun(run);
    }

    @Test
    void processRanks_controllerStoppedMidRun_writesThePartialGridAndGate_andStopsItsRanks() throws Exception {
        Process controller = start(matrix(false, true), "stopped");
        Path run = awaitStuckCellRun(controller, "stopped");
        await("both ranks of the stuck cell run", REACH_BOUND, () -> rankProcesses(controller).size() == 2);
        List<ProcessHandle> started = controller.descendants().toList();

        controller.destroy(); // SIGTERM: the shutdown hook runs
        assertTrue(controller.waitFor(CLEANUP_BOUND.toMinutes(), TimeUnit.MINUTES), "the controller exited:\n" + output("stopped"));
        assertEquals(143, controller.exitValue(), output("stopped"));

        assertTrue(rankProcesses(controller).isEmpty());
        awaitGone("the stopped run's rank processes and its reaper", started);
        assertIncomplete(run, "stuck w2");
        assertTrue(Files.readString(run.resolve("grid.md")).contains("- Never finished: stuck w2"), "the partial grid was written");
        assertNotNull(RunJournal.read(run.resolve(RunJournal.FILE)).stopped(), "the journal says the run was stopped");
        assertTrue(output("stopped").contains("[ncclffm] gate: INCOMPLETE"), output("stopped"));
        assertFalse(Files.exists(run.resolve(RunScratch.NAME)));
        assertRebuildNamesTheUnfinishedRun(run);
    }

    /** The container cell run is under way: both its containers run, and the worker archive is in the run's scratch. */
    private Path awaitStuckContainers(Process controller, String name, DockerEngine docker) throws Exception {
        Path run = awaitStuckCellRun(controller, name);
        String runId = run.getFileName().toString();
        await("both rank containers of the stuck cell run run:\n" + output(name), REACH_BOUND, () -> {
            if (!controller.isAlive()) fail("the controller ended early:\n" + output(name));
            return runningContainers(runId) == 2;
        });
        try (Stream<Path> scratch = Files.list(run.resolve(RunScratch.NAME))) {
            assertTrue(scratch.anyMatch(p -> p.getFileName().toString().endsWith(".tar")), "the worker archive is in the run's scratch");
        }
        List<DockerEngine.Resource> mine = labelled(docker, runId);
        assertTrue(mine.stream().anyMatch(r -> r.kind() == DockerEngine.Kind.NETWORK), "the cell network carries the run's label: " + mine);
        assertTrue(mine.stream().filter(r -> r.kind() == DockerEngine.Kind.VOLUME).count() == 2,
                "each rank's install volume carries the run's label: " + mine);
        return run;
    }

    private static int runningContainers(String runId) {
        return (int) DockerClientFactory.instance().client().listContainersCmd().withLabelFilter(Map.of(RunIdentity.RUN, runId))
                .withStatusFilter(List.of("running")).exec().size();
    }

    @Test
    void containerRanks_controllerKilledMidRun_areRemovedByTheReaper_withTheirNetworkVolumesAndArchive() throws Exception {
        DockerRequirement.check();
        DockerEngine docker = docker();
        Process controller = start(matrix(true, true), "killed-containers");
        Path run = awaitStuckContainers(controller, "killed-containers", docker);
        List<ProcessHandle> started = controller.descendants().toList();

        controller.destroyForcibly();
        assertTrue(controller.waitFor(1, TimeUnit.MINUTES));

        String runId = run.getFileName().toString();
        await("the killed run's containers, network and volumes are removed: " + labelled(docker, runId), CLEANUP_BOUND,
                () -> labelled(docker, runId).isEmpty());
        awaitGone("the killed run's reaper", started);
        assertFalse(Files.exists(run.resolve(RunScratch.NAME)), "the worker archive went with the run's scratch folder");
        assertTrue(Files.readString(run.resolve("reaper.log")).contains("removed container"), Files.readString(run.resolve("reaper.log")));
        assertIncomplete(run, null);
        assertRebuildNamesTheUnfinishedRun(run);
    }

    @Test
    void containerRanks_controllerStoppedMidRun_removesThemAndWritesThePartialReport() throws Exception {
        DockerRequirement.check();
        DockerEngine docker = docker();
        Process controller = start(matrix(true, true), "stopped-containers");
        Path run = awaitStuckContainers(controller, "stopped-containers", docker);
        List<ProcessHandle> started = controller.descendants().toList();

        controller.destroy();
        assertTrue(controller.waitFor(CLEANUP_BOUND.toMinutes(), TimeUnit.MINUTES), "the controller exited:\n" + output("stopped-containers"));
        assertEquals(143, controller.exitValue(), output("stopped-containers"));

        String runId = run.getFileName().toString();
        await("the stopped run's containers, network and volumes are removed: " + labelled(docker, runId), CLEANUP_BOUND,
                () -> labelled(docker, runId).isEmpty());
        awaitGone("the stopped run's reaper", started);
        assertFalse(Files.exists(run.resolve(RunScratch.NAME)));
        assertIncomplete(run, "stuck w2");
        assertTrue(Files.readString(run.resolve("grid.md")).contains("- Never finished: stuck w2"));
        assertRebuildNamesTheUnfinishedRun(run);
    }
}
