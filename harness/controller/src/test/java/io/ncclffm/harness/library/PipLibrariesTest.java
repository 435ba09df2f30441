package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.harness.matrix.LibrarySource;

/**
 * A pinned requirement downloaded by the real pip from a local wheel folder ({@code --no-index --find-links}), and
 * the library taken out of the wheel. Skipped, with the reason, on a machine without {@code python3 -m pip}.
 */
class PipLibrariesTest {

    private static final String PIP_PYTHON = System.getProperty("ncclffm.python", "python3");
    private static final PipLibraries PIP = new PipLibraries(PIP_PYTHON);

    @TempDir
    Path tmp;
    Path wheels;

    @BeforeAll
    static void pip() {
        String problem = PIP.problem();
        Assumptions.assumeTrue(problem == null, () -> "needs pip: " + problem);
    }

    @BeforeEach
    void wheels() throws Exception {
        wheels = tmp.resolve("wheels");
        // An older glibc tag than any interpreter here reports: found only through the listed manylinux platforms.
        StubArchives.wheel(wheels, "ncclstub", "2.22.3", "manylinux_2_17_x86_64");
        StubArchives.wheel(wheels, "ncclstub", "2.23.4", "manylinux_2_28_x86_64");
    }

    private Libraries libraries() {
        return new Libraries(new LibraryCache(tmp.resolve("cache")), null, null, PIP, null, null);
    }

    @Test
    void pinnedRequirement_isDownloadedByPipFromTheWheelFolder_andItsEntryCached() throws Exception {
        LibraryCache.Entry e = libraries().resolve(new LibrarySource.PipWheel("ncclstub==2.22.3", wheels, "ncclstub/lib/libnccl.so.2"));

        assertArrayEquals(Files.readAllBytes(StubArchives.stubLibrary()), Files.readAllBytes(e.file()));
        assertEquals(StubArchives.sha256(Files.readAllBytes(StubArchives.stubLibrary())), e.sha256());
        assertEquals("libnccl.so.2", e.file().getFileName().toString());
        try (var left = Files.list(tmp.resolve("cache/tmp"))) {
            assertEquals(0, left.count(), "the downloaded wheel is not kept, only the library");
        }
    }

    @Test
    void cachedRequirement_isNotDownloadedAgain() throws Exception {
        LibrarySource.PipWheel source = new LibrarySource.PipWheel("ncclstub==2.23.4", wheels, "ncclstub/lib/libnccl.so.2");
        LibraryCache.Entry first = libraries().resolve(source);
        try (var s = Files.list(wheels)) {
            for (Path w : s.toList()) Files.delete(w);
        }

        assertEquals(first, libraries().resolve(source));
    }

    @Test
    void requirementNotInTheFolder_isAnErrorWithPipsOwnWords() {
        LibraryException e = assertThrows(LibraryException.class,
                () -> libraries().resolve(new LibrarySource.PipWheel("ncclstub==9.9.9", wheels, "ncclstub/lib/libnccl.so.2")));
        assertTrue(e.getMessage().startsWith("pip download ncclstub==9.9.9 failed (exit 1):"), e.getMessage());
        assertTrue(e.getMessage().contains("No matching distribution found for ncclstub==9.9.9"), e.getMessage());
    }

    @Test
    void missingInterpreter_isReportedAsPipMissing() {
        PipLibraries none = new PipLibraries(tmp.resolve("no-python").toString());
        LibraryException e = assertThrows(LibraryException.class, () -> new Libraries(new LibraryCache(tmp.resolve("cache")), null, null,
                none, null, null).resolve(new LibrarySource.PipWheel("ncclstub==2.22.3", wheels, "ncclstub/lib/libnccl.so.2")));
        assertTrue(e.getMessage().startsWith("pip is needed for pip requirement ncclstub==2.22.3 from " + wheels + ", entry "
                + "ncclstub/lib/libnccl.so.2 and is not usable: cannot run " + tmp.resolve("no-python")), e.getMessage());
    }

    @Test
    void oneWheelNameInTwoFindLinksFolders_givesEachFoldersOwnLibrary() throws Exception {
        Path other = tmp.resolve("other-wheels");
        byte[] otherLibrary = "\u007fELF another build that says it is 2.22.3".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StubArchives.wheel(other, "ncclstub", "2.22.3", "manylinux_2_17_x86_64", otherLibrary);

        LibraryCache.Entry first = libraries().resolve(new LibrarySource.PipWheel("ncclstub==2.22.3", wheels, "ncclstub/lib/libnccl.so.2"));
        LibraryCache.Entry second = libraries().resolve(new LibrarySource.PipWheel("ncclstub==2.22.3", other, "ncclstub/lib/libnccl.so.2"));

        assertArrayEquals(Files.readAllBytes(StubArchives.stubLibrary()), Files.readAllBytes(first.file()));
        assertArrayEquals(otherLibrary, Files.readAllBytes(second.file()));
    }

    @Test
    void findLinksFolder_isTheOnlyPlacePipLooks_notTheFindLinksOfItsOwnEnvironment() throws Exception {
        Path elsewhere = tmp.resolve("configured-wheels");
        StubArchives.wheel(elsewhere, "ncclstub", "2.24.3", "manylinux_2_17_x86_64");
        Path python = tmp.resolve("python-with-find-links");
        Files.writeString(python, "#!/bin/sh\nPIP_FIND_LINKS=" + elsewhere + " exec " + PIP_PYTHON + " \"$@\"\n");
        Files.setPosixFilePermissions(python, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        PipLibraries configured = new PipLibraries(python.toString());
        Libraries libraries = new Libraries(new LibraryCache(tmp.resolve("cache")), null, null, configured, null, null);

        LibraryException e = assertThrows(LibraryException.class,
                () -> libraries.resolve(new LibrarySource.PipWheel("ncclstub==2.24.3", wheels, "ncclstub/lib/libnccl.so.2")));

        assertTrue(e.getMessage().contains("No matching distribution found for ncclstub==2.24.3"), e.getMessage());
        assertTrue(configured.indexes().contains(":env:.find-links='" + elsewhere + "'"),
                "without a find-links folder, pip's own settings decide, and are part of the cache key: " + configured.indexes());
        assertTrue(libraries.cacheKey(new LibrarySource.PipWheel("ncclstub==2.24.3", null, "ncclstub/lib/libnccl.so.2"))
                .endsWith("#pip-config=" + configured.indexes()));
    }
}
