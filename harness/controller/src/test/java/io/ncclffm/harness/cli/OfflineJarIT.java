package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.utility.TestcontainersConfiguration;

import com.github.dockerjava.api.exception.NotFoundException;

import io.ncclffm.harness.launch.DockerConnection;
import io.ncclffm.harness.launch.DockerRequirement;

/**
 * The README's standalone-jar command where no registry is reachable and nothing is set: no {@code TESTCONTAINERS_*}
 * variable and no {@code ~/.testcontainers.properties} (the jar runs with a home of its own). It must come to its
 * verdict in seconds, without pulling Ryuk's image or Testcontainers' check image, and a cell that cannot have its
 * GPUs must say so before Docker is asked for anything.
 */
class OfflineJarIT {

    /** Offline, Testcontainers alone took minutes of pull retries; the harness needs a JVM start and a container. */
    private static final Duration BOUND = Duration.ofSeconds(120);

    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void jar() {
        jar = Path.of(System.getProperty("ncclffm.harness.jar", "target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the standalone jar is built by mvn package: " + jar);
    }

    private record Run(int exit, String stdout, Duration took) {
    }

    private Run matrix(Path matrixFile) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "matrix", "--matrix",
                matrixFile.toString(), "--reports", dir.resolve("reports").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TESTCONTAINERS_"));
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(BOUND.toSeconds() + 60, TimeUnit.SECONDS), "the run ended; output:\n" + Files.readString(dir.resolve("out.txt")));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Duration.ofNanos(System.nanoTime() - start));
    }

    private static boolean hostHasNvidiaGpus() throws IOException {
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            return dev.anyMatch(p -> p.getFileName().toString().matches("nvidia\\d+"));
        }
    }

    @Test
    void theOneGpuMatrix_onAHostWithoutGpus_saysSoForEveryCell_withoutAskingDocker() throws Exception {
        assumeFalse(hostHasNvidiaGpus(), "this host has NVIDIA GPUs: the one-GPU matrix would run");
        Run r = matrix(Path.of("../../matrix/one-gpu.yaml").toAbsolutePath());
        assertTrue(r.took().compareTo(BOUND) < 0, "the verdict came in " + r.took() + ":\n" + r.stdout());
        assertEquals(1, r.exit(), r.stdout());
        for (String cell : List.of("process-2.28.3", "process-2.28.9", "container-2.28.3", "container-2.28.9")) {
            assertTrue(r.stdout().contains(cell + " world 1: not started: the cell assigns NVIDIA GPUs, but this host shows none"), r.stdout());
        }
        assertFalse(r.stdout().contains("Docker") || r.stdout().contains("Ryuk") || r.stdout().contains("testcontainers"),
                "Docker was not asked: " + r.stdout());
    }

    @Test
    void aContainerCell_withNoVariablesSet_runsWithoutPullingAnything_sayingRyukIsOff() throws Exception {
        DockerRequirement.check();
        String ryuk = TestcontainersConfiguration.getInstance().getRyukImage();
        boolean ryukHere;
        try {
            DockerConnection.client().inspectImageCmd(ryuk).exec();
            ryukHere = true;
        } catch (NotFoundException e) {
            ryukHere = false;
        }
        assumeFalse(ryukHere, ryuk + " is on this Docker host: Testcontainers starts Ryuk without a registry");
        assumeTrue(imagePresent("ncclffm/base:trixie"), "needs ncclffm/base:trixie (images/base/make-offline-base.sh)");
        Path m = dir.resolve("m.yaml");
        Files.writeString(m, """
                cells:
                  - name: offline
                    flavor: nccl
                    version: 2.22.3
                    image: {ref: "ncclffm/base:trixie"}
                    soPath: /usr/lib/x86_64-linux-gnu/libnccl.so.2
                    worlds: [1]
                    gpu: none
                    timeout: 2m
                """);
        Run r = matrix(m);
        assertTrue(r.took().compareTo(BOUND) < 0, "the run took " + r.took() + ":\n" + r.stdout());
        assertTrue(r.stdout().contains("Ryuk's image " + ryuk + " is not on the Docker host, so Ryuk is off"), r.stdout());
        assertTrue(r.stdout().contains("offline world 1 (NCCL 2.22.3, container): starting 1 rank(s)"), r.stdout());
        assertTrue(r.stdout().contains("offline world 1: done in"), "the cell ran (its image has no NCCL, so its load check fails): "
                + r.stdout());
        assertFalse(r.stdout().contains("not available"), r.stdout());
        assertEquals(1, r.exit(), "the gate fails: the image has no library; " + r.stdout());
    }

    private static boolean imagePresent(String image) {
        try {
            DockerConnection.client().inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
