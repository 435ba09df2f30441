package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

import io.ncclffm.harness.launch.DockerRequirement;
import io.ncclffm.harness.junit.Launchers;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Debian's real libnccl2 2.22.3 resolved as a library source: apt installs it in the images/debian recipe, the
 * library is copied out of the image (the symlink libnccl.so.2 followed to the real file), cached, and resolved
 * again without Docker. A version apt does not have fails with apt's own words.
 */
class DebianLibrarySourceIT {

    private static final LibrarySource.DebianPackage NCCL_2_22_3 = new LibrarySource.DebianPackage("libnccl2", "2.22.3-1-1", "trixie",
            "main contrib", "/usr/lib/x86_64-linux-gnu/libnccl.so.2");

    @TempDir
    Path tmp;

    @BeforeAll
    static void docker() {
        DockerRequirement.check();
    }

    @AfterEach
    void noCopyContainerLeft() {
        List<String> left = DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(DebianLibraries.LABEL)).exec().stream().map(c -> c.getId().substring(0, 12)).toList();
        assertEquals(List.of(), left, "containers a library was copied out of must be removed");
    }

    private Libraries libraries(DebianLibraries debian) {
        return new Libraries(new LibraryCache(tmp.resolve("cache")), null, debian, null, null, null);
    }

    @Test
    void libnccl2_isInstalledByAptCopiedOutOfTheImageAsTheRealFile_andThenServedFromTheCacheWithoutDocker() throws Exception {
        LibraryCache.Entry first = libraries(DebianLibraries.fromSystemProperties(Launchers.recipeImages())).resolve(NCCL_2_22_3);

        assertEquals("libnccl.so.2.22.3", first.file().getFileName().toString(), "the symlink libnccl.so.2 is followed to the real file");
        try (InputStream in = Files.newInputStream(first.file())) {
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(in.readNBytes(4), 4));
        }
        assertTrue(first.size() > 50_000_000L, "NCCL 2.22.3 is tens of MB, got " + first.size());
        assertEquals(first.sha256(), LibraryCache.sha256(first.file()));

        DebianLibraries noDocker = new DebianLibraries(() -> {
            throw new AssertionError("a cached library must not make a container");
        }, new RecipeImages() {
            @Override
            public com.github.dockerjava.api.DockerClient docker() {
                throw new AssertionError("a cached library must not ask for Docker");
            }

            @Override
            public String build(com.github.dockerjava.api.DockerClient docker, io.ncclffm.harness.matrix.Cell.BuildImage recipe) {
                throw new AssertionError("a cached library must not build an image");
            }
        });
        assertEquals(first, libraries(noDocker).resolve(NCCL_2_22_3));
    }

    @Test
    void versionAptDoesNotHave_failsWithAptsLastLines() {
        LibrarySource.DebianPackage absent = new LibrarySource.DebianPackage("libnccl2", "0.0.1-1", "trixie", "main contrib",
                "/usr/lib/x86_64-linux-gnu/libnccl.so.2");
        LibraryException e = assertThrows(LibraryException.class, () -> libraries(DebianLibraries.fromSystemProperties(Launchers.recipeImages())).resolve(absent));
        String m = e.getMessage();
        assertTrue(m.startsWith("apt could not install libnccl2=0.0.1-1 from trixie (main contrib): building image ncclffm/debian:"), m);
        assertTrue(m.contains("last lines of the build:"), m);
        assertTrue(m.contains("Version '0.0.1-1' for 'libnccl2' was not found"), m);
    }
}
