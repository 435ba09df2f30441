package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerLaunch;
import io.ncclffm.testing.CSharedLibrary;

/**
 * A native library planted where JCuda looks for its own, in a temporary folder that anybody may write (as the shared
 * {@code /tmp} is): JCuda loads it as it is, and the worker never lets it, because it loads native code only from a
 * temporary folder private to its user ({@link PrivateTmpdir}). The "shared" folder is one this test makes (mode 1777)
 * in the build's own folder: a library planted in the real {@code /tmp} would be loaded by other users' processes.
 */
class PlantedNativeLibraryTest {

    /** The file JCuda 12.6.0 unpacks its driver binding to, and loads from, in {@code java.io.tmpdir}. */
    static final String JCUDA_DRIVER = "libJCudaDriver-12.6.0-linux-x86_64.so";
    static final String PLANTED = "PLANTED CODE RAN";

    private static Path library;
    private Path shared;

    @BeforeAll
    static void build() throws Exception {
        library = CSharedLibrary.compile(Path.of("target", "planted", "libplanted.so"), "src/test/c/planted.c");
    }

    @BeforeEach
    void plant() throws Exception {
        shared = Files.createDirectories(Path.of("target", "planted", "shared-" + UUID.randomUUID())).toAbsolutePath();
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(library, shared.resolve(JCUDA_DRIVER), StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterEach
    void remove() throws Exception {
        try (Stream<Path> all = Files.walk(shared)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> command, java.util.Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(Path.of("target", "planted"), "out", ".txt");
        Path err = Files.createTempFile(Path.of("target", "planted"), "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the process ended");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The premise: JCuda, left to itself, runs the library it finds in its temporary folder. */
    @Test
    void jcuda_loadsTheLibraryItFindsInItsTemporaryFolder() throws Exception {
        Result r = run(List.of(java(), "-Djava.io.tmpdir=" + shared, "-cp", System.getProperty("java.class.path"),
                LoadJCuda.class.getName()), java.util.Map.of());
        assertTrue(r.stderr().contains(PLANTED), "JCuda loaded the planted file: " + r.stderr());
    }

    /**
     * A rank started with the shared folder as its temporary folder and a GPU to open: JCuda's driver binding is
     * loaded (init finds no CUDA driver here, and says so), but from a private folder the worker made, never the
     * planted file; and that folder is gone when the rank ends.
     */
    @Test
    void worker_withASharedTemporaryFolder_neverLoadsThePlantedLibrary() throws Exception {
        Path stub = StubNcclLibrary.get().path;
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put(WorkerConfig.RANK, "0");
        env.put(WorkerConfig.WORLD, "1");
        env.put(WorkerConfig.RENDEZVOUS, "127.0.0.1:1");
        env.put(WorkerConfig.TOKEN, RendezvousToken.random().toHex());
        env.put(WorkerConfig.LIBRARY, stub.toString());
        env.put(WorkerConfig.GPU, "cuda");
        Result r = run(WorkerLaunch.rank(java(), System.getProperty("java.class.path"), shared.toString()), env);
        assertFalse(r.stderr().contains(PLANTED), "the planted library ran in the worker: " + r.stderr());
        List<WorkerEvent> events = r.stdout().lines().map(EventCodec::decode).filter(Objects::nonNull).toList();
        WorkerEvent.Check init = events.stream().filter(e -> e instanceof WorkerEvent.Check c && c.result().id().equals("comm-init"))
                .map(e -> (WorkerEvent.Check) e).findFirst().orElseThrow(() -> new AssertionError("no comm-init check among "
                        + events.size() + " events; standard error:\n" + r.stderr()));
        assertEquals(CheckStatus.BROKEN, init.result().status(), init.result().message());
        assertTrue(init.result().message().contains("none is usable here"), "JCuda's driver binding was loaded and found no GPU: "
                + init.result().message());
        try (Stream<Path> left = Files.list(shared)) {
            assertEquals(List.of(JCUDA_DRIVER), left.map(p -> p.getFileName().toString()).toList(),
                    "the worker's own folder is removed when the rank ends");
        }
    }

    @Test
    void isPrivate_onlyForAFolderOfThisUserThatNobodyElseMayWrite() throws Exception {
        assertFalse(PrivateTmpdir.isPrivate(shared), "mode 0777");
        Path own = Files.createDirectory(shared.resolve("own"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertTrue(PrivateTmpdir.isPrivate(own));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxrwx---"));
        assertFalse(PrivateTmpdir.isPrivate(own), "group-writable");
        Path link = Files.createSymbolicLink(shared.resolve("link"), own);
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        assertFalse(PrivateTmpdir.isPrivate(link), "a link is not the folder it names");
    }

    /** Loads JCuda's driver binding, as the device runtime does. */
    public static final class LoadJCuda {
        public static void main(String[] args) {
            try {
                jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
            } catch (Throwable t) {
                System.err.println("JCuda did not load: " + t);
            }
        }
    }
}
