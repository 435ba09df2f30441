package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Two wheels of one file name in two folders, carrying different libraries, as one matrix names them: each cell
 * gets its own wheel's library, through one cache and through one fetched folder, and a wheel replaced at its path
 * is not answered from the cache.
 */
class LibraryCacheKeyTest {

    private static final String NAME = "ncclstub-2.22.3-py3-none-manylinux_2_17_x86_64.whl";
    private static final String ENTRY = "ncclstub/lib/libnccl.so.2";

    @TempDir
    Path tmp;
    Path first;
    Path second;
    byte[] firstLibrary;
    byte[] secondLibrary;

    @BeforeEach
    void twoWheelsOfOneName() throws Exception {
        first = StubArchives.wheel(tmp.resolve("a"), "ncclstub", "2.22.3", "manylinux_2_17_x86_64");
        firstLibrary = Files.readAllBytes(StubArchives.stubLibrary());
        secondLibrary = "\u007fELF another build that says it is 2.22.3".getBytes(StandardCharsets.UTF_8);
        second = wheel(tmp.resolve("b").resolve(NAME), secondLibrary);
        assertEquals(first.getFileName(), second.getFileName());
    }

    private static Path wheel(Path file, byte[] library) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(ENTRY, library);
        return StubArchives.zip(file, entries);
    }

    private static Cell cell(String name, Path wheel) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3))
                .source(new Cell.Coordinates(new LibrarySource.WheelFile(wheel, ENTRY), Cell.Launch.PROCESS), null)
                .timeout(Duration.ofMinutes(1)).line(3).build();
    }

    private Libraries online() {
        return new Libraries(new LibraryCache(tmp.resolve("cache")), null, null, null, null, null);
    }

    @Test
    void secondWheelOfTheSameName_getsItsOwnLibrary_notTheFirstOnesFromTheCache() throws Exception {
        Path fromFirst = online().resolve(cell("first", first));
        Path fromSecond = online().resolve(cell("second", second));

        assertArrayEquals(firstLibrary, Files.readAllBytes(fromFirst));
        assertArrayEquals(secondLibrary, Files.readAllBytes(fromSecond));
    }

    @Test
    void secondWheelOfTheSameName_getsItsOwnLibrary_fromOneFetchedFolder() throws Exception {
        Path into = tmp.resolve("libs");
        online().fetchInto(List.of(cell("first", first), cell("second", second)), into);
        Libraries offline = new Libraries(new LibraryCache(tmp.resolve("unused-cache")), null, null, null, into, "m.yaml");

        assertEquals(2, LibraryManifest.read(into).libraries().size(), "one library per wheel");
        assertArrayEquals(firstLibrary, Files.readAllBytes(offline.resolve(cell("first", first))));
        assertArrayEquals(secondLibrary, Files.readAllBytes(offline.resolve(cell("second", second))));
    }

    @Test
    void wheelReplacedAtItsPath_isResolvedAgain_notAnsweredFromTheCache() throws Exception {
        Path wheel = tmp.resolve("c").resolve(NAME);
        wheel(wheel, firstLibrary);
        LibrarySource.WheelFile source = new LibrarySource.WheelFile(wheel, ENTRY);
        String before = online().cacheKey(source);
        assertArrayEquals(firstLibrary, Files.readAllBytes(online().resolve(source).file()));

        wheel(wheel, secondLibrary);

        assertNotEquals(before, online().cacheKey(source), "the wheel's content is part of its key");
        assertArrayEquals(secondLibrary, Files.readAllBytes(online().resolve(source).file()));
    }

    @Test
    void cacheKeys_nameTheWheelsFolderAndContent_theFindLinksFolder_andTheMavenRepositories() throws Exception {
        LibrarySource.WheelFile wheel = new LibrarySource.WheelFile(second, ENTRY);
        assertEquals("wheel:" + second + "!" + ENTRY + "#sha256=" + StubArchives.sha256(Files.readAllBytes(second)), online().cacheKey(wheel));

        LibrarySource.PipWheel pip = new LibrarySource.PipWheel("ncclstub==2.22.3", tmp.resolve("a"), ENTRY);
        assertEquals("pip:ncclstub==2.22.3@" + tmp.resolve("a") + "!" + ENTRY, online().cacheKey(pip),
                "pip runs isolated with a find-links folder: the folder is all that decides the wheel");

        LibrarySource.MavenArtifact maven = new LibrarySource.MavenArtifact("g:a:1.0", "lib/libnccl.so.2");
        Libraries twoRepositories = new Libraries(new LibraryCache(tmp.resolve("cache")),
                new MavenLibraries(MavenLibraries.repositories("https://one.example/maven2/, file:/srv/two"), tmp.resolve("m2")),
                null, null, null, null);
        assertEquals("maven:g:a:jar:1.0!lib/libnccl.so.2#repositories=https://one.example/maven2,file:/srv/two",
                twoRepositories.cacheKey(maven));
    }
}
