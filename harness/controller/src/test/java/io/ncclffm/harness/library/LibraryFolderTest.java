package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * A libraries folder made by fetch, then used by a run that may not fetch: the manifest lists each library once
 * with the cells that use it, the run takes the file from the folder after checking it, and a missing or altered
 * library is an error that says how to fetch it.
 */
class LibraryFolderTest {

    @TempDir
    Path tmp;
    Path wheel;
    Path into;
    Path cacheDir;

    @BeforeEach
    void wheel() throws Exception {
        wheel = StubArchives.wheel(tmp.resolve("wheels"), "ncclstub", "2.22.3", "manylinux_2_17_x86_64");
        into = tmp.resolve("libs");
        cacheDir = tmp.resolve("cache");
    }

    private static Cell cell(String name, LibrarySource source, Cell.Launch launch) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(new Cell.Coordinates(source, launch), null)
                .worlds(List.of(1, 2)).timeout(Duration.ofMinutes(1)).line(5).build();
    }

    private LibrarySource.WheelFile source() {
        return new LibrarySource.WheelFile(wheel, "ncclstub/lib/libnccl.so.2");
    }

    private Libraries online() {
        return new Libraries(new LibraryCache(cacheDir), null, null, null, null, null);
    }

    /** Offline: no resolver at all, and a cache folder that must stay untouched. */
    private Libraries offline() {
        return new Libraries(new LibraryCache(tmp.resolve("offline-cache")), null, null, null, into, "matrix/gpu.yaml");
    }

    @Test
    void fetchInto_writesEachLibraryOnceWithItsCellsChecksumAndSize() throws Exception {
        byte[] stub = Files.readAllBytes(StubArchives.stubLibrary());
        List<LibraryManifest.Library> written = online().fetchInto(List.of(
                cell("a-process", source(), Cell.Launch.PROCESS),
                cell("a-container", source(), Cell.Launch.CONTAINER),
                Cell.builder("image-cell", Flavor.NCCL, NcclVersion.of(2, 22, 3))
                        .source(new Cell.ImageRef("x/y"), "/lib/libnccl.so.2").timeout(Duration.ofMinutes(1)).line(9)
                        .build()), into);

        assertEquals(1, written.size());
        LibraryManifest.Library lib = written.getFirst();
        String sha = StubArchives.sha256(stub);
        assertEquals("wheel:" + wheel + "!ncclstub/lib/libnccl.so.2", lib.key());
        assertEquals(List.of("a-process", "a-container"), lib.cells());
        assertEquals("nccl", lib.flavor());
        assertEquals("2.22.3", lib.version());
        assertEquals(sha, lib.sha256());
        assertEquals(stub.length, lib.size());
        assertEquals("nccl-2.22.3-" + sha.substring(0, 12) + "/libnccl.so.2", lib.file());
        assertArrayEquals(stub, Files.readAllBytes(into.resolve(lib.file())));
        assertEquals(List.of(lib), LibraryManifest.read(into).libraries(), "libraries.json says the same");
    }

    @Test
    void fetchedFolder_servesTheRunWithoutFetching_asAProcessOrContainerCell() throws Exception {
        online().fetchInto(List.of(cell("a", source(), Cell.Launch.PROCESS)), into);
        Files.delete(wheel);

        Cell process = offline().resolved(cell("a", source(), Cell.Launch.PROCESS));
        Cell container = offline().resolved(cell("a", source(), Cell.Launch.CONTAINER));

        String expected = into.resolve(LibraryManifest.read(into).libraries().getFirst().file()).toString();
        assertEquals(new Cell.HostLibrary(expected), process.source());
        assertEquals(expected, process.soPath());
        assertEquals(new Cell.HostFilesImage(expected), container.source());
        assertTrue(container.source().containerized());
        assertFalse(Files.exists(tmp.resolve("offline-cache")), "a run from a libraries folder does not use the cache");
    }

    @Test
    void libraryMissingFromTheFolder_namesTheReleaseSourceFolderAndTheFetchToRun() throws Exception {
        online().fetchInto(List.of(cell("a", source(), Cell.Launch.PROCESS)), into);
        LibrarySource other = new LibrarySource.MavenArtifact("org.bytedeco:cuda:jar:linux-x86_64-redist:10.1-7.5-1.5",
                "org/bytedeco/cuda/linux-x86_64/libnccl.so.2");

        LibraryException e = assertThrows(LibraryException.class, () -> offline().resolve(cell("nccl-2.4.2", other, Cell.Launch.PROCESS)));

        String m = e.getMessage();
        assertTrue(m.startsWith("cell nccl-2.4.2 (NCCL 2.22.3), maven artifact org.bytedeco:cuda:jar:linux-x86_64-redist:10.1-7.5-1.5, "
                + "entry org/bytedeco/cuda/linux-x86_64/libnccl.so.2: not in the libraries folder " + into), m);
        assertTrue(m.contains("'java -jar ncclffm-harness-all.jar fetch --matrix matrix/gpu.yaml --into " + into + " --cells nccl-2.4.2'"), m);
    }

    @Test
    void fileChangedInTheFolder_isAChecksumErrorWithBothSums() throws Exception {
        LibraryManifest.Library lib = online().fetchInto(List.of(cell("a", source(), Cell.Launch.PROCESS)), into).getFirst();
        Files.write(into.resolve(lib.file()), new byte[] {0x7f, 'E', 'L', 'F'});

        LibraryException e = assertThrows(LibraryException.class, () -> offline().resolve(cell("a", source(), Cell.Launch.PROCESS)));

        String m = e.getMessage();
        assertTrue(m.startsWith("cell a (NCCL 2.22.3), wheel " + wheel + ", entry ncclstub/lib/libnccl.so.2: "), m);
        assertTrue(m.contains("does not match its checksum in libraries.json (expected sha256 " + lib.sha256() + ", got "
                + StubArchives.sha256(new byte[] {0x7f, 'E', 'L', 'F'}) + ")"), m);
        assertTrue(m.contains("fetch --matrix matrix/gpu.yaml --into " + into + " --cells a"), m);
    }

    @Test
    void folderWithoutManifest_saysSoAndHowToMakeOne() {
        LibraryException e = assertThrows(LibraryException.class, () -> offline().resolve(cell("a", source(), Cell.Launch.PROCESS)));
        assertTrue(e.getMessage().contains(into + " has no libraries.json"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch --matrix matrix/gpu.yaml"), e.getMessage());
    }

    @Test
    void fetchingAgainIntoTheSameFolder_keepsLibrariesOfEarlierFetches() throws Exception {
        Path second = StubArchives.wheel(tmp.resolve("wheels2"), "ncclstubtwo", "2.23.4", "manylinux_2_17_x86_64");
        online().fetchInto(List.of(cell("a", source(), Cell.Launch.PROCESS)), into);
        online().fetchInto(List.of(Cell.builder("b", Flavor.NCCL, NcclVersion.of(2, 23, 4))
                .source(new Cell.Coordinates(new LibrarySource.WheelFile(second, "ncclstubtwo/lib/libnccl.so.2"), Cell.Launch.PROCESS), null)
                .timeout(Duration.ofMinutes(1)).line(5).build()), into);

        assertEquals(List.of(List.of("a"), List.of("b")), LibraryManifest.read(into).libraries().stream().map(LibraryManifest.Library::cells).toList());
    }

    @Test
    void twoCellsExpectingDifferentReleasesOfOneLibrary_isAnError() {
        Cell other = Cell.builder("b", Flavor.NCCL, NcclVersion.of(2, 23, 4))
                .source(new Cell.Coordinates(source(), Cell.Launch.PROCESS), null).timeout(Duration.ofMinutes(1)).line(5)
                .build();
        LibraryException e = assertThrows(LibraryException.class,
                () -> online().fetchInto(List.of(cell("a", source(), Cell.Launch.PROCESS), other), into));
        assertTrue(e.getMessage().startsWith("cells a (NCCL 2.22.3) and b (NCCL 2.23.4) name the same library wheel:"), e.getMessage());
    }

    @Test
    void wheelFileEntryMissing_listsNearMatches() {
        LibraryException e = assertThrows(LibraryException.class, () -> online()
                .resolve(cell("a", new LibrarySource.WheelFile(wheel, "nvidia/nccl/lib/libnccl.so.2"), Cell.Launch.PROCESS)));
        assertTrue(e.getMessage().endsWith("near matches: ncclstub/lib/libnccl.so.2"), e.getMessage());
    }
}
