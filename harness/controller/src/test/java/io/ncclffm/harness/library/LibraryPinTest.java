package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
 * A cell's sha256 pin against the file itself, wherever the file is had: fetched just now, found in the cache,
 * taken from a libraries folder (whose own manifest may have been replaced with the file), read at a host path. A
 * mismatch names the cell, the source, both hashes and the file.
 */
class LibraryPinTest {

    private static final String ENTRY = "ncclstub/lib/libnccl.so.2";

    @TempDir
    Path tmp;
    Path wheel;
    String stubSha;
    byte[] forged;
    String forgedSha;

    @BeforeEach
    void wheel() throws Exception {
        wheel = StubArchives.wheel(tmp.resolve("wheels"), "ncclstub", "2.22.3", "manylinux_2_17_x86_64");
        stubSha = StubArchives.sha256(Files.readAllBytes(StubArchives.stubLibrary()));
        forged = "\u007fELF a library that is not the release".getBytes(StandardCharsets.UTF_8);
        forgedSha = StubArchives.sha256(forged);
    }

    private Cell cell(String name, Cell.Source source, String soPath, String pin) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3)).source(source, soPath)
                .timeout(Duration.ofMinutes(1)).line(4).pinnedSha256(pin).build();
    }

    private Cell wheelCell(String pin) {
        return cell("a", new Cell.Coordinates(source(), Cell.Launch.PROCESS), null, pin);
    }

    private LibrarySource.WheelFile source() {
        return new LibrarySource.WheelFile(wheel, ENTRY);
    }

    private Libraries online() {
        return new Libraries(new LibraryCache(tmp.resolve("cache")), null, null, null, null, null);
    }

    private Libraries offline(Path folder) {
        return new Libraries(new LibraryCache(tmp.resolve("unused-cache")), null, null, null, folder, "matrix/releases.yaml");
    }

    private String where() {
        return "cell a (NCCL 2.22.3), wheel " + wheel + ", entry " + ENTRY + ": ";
    }

    @Test
    void fetchedFile_matchingItsPin_runs_andOneMissingIt_isRefusedWithBothHashesAndTheFile() {
        Cell resolved = online().resolved(wheelCell(stubSha));
        assertEquals(stubSha, LibraryCache.sha256(Path.of(resolved.soPath())));
        assertEquals(stubSha, resolved.pinnedSha256(), "the resolved cell keeps its pin for the rank's own hash");

        LibraryException e = assertThrows(LibraryException.class, () -> new Libraries(new LibraryCache(tmp.resolve("fresh-cache")), null,
                null, null, null, null).resolve(wheelCell(forgedSha)));

        Path cached = tmp.resolve("fresh-cache/sha256").resolve(stubSha).resolve("libnccl.so.2");
        assertEquals(where() + "sha256 mismatch: the matrix pins " + forgedSha + ", the library file has " + stubSha + " (" + cached
                + ", fetched just now); it is not the release the matrix names, so it is not run", e.getMessage());
    }

    @Test
    void cacheHit_isCheckedAgainstThePin_evenWhenTheCachesIndexAndFileWereReplacedTogether() throws Exception {
        Libraries online = online();
        online.resolve(wheelCell(stubSha));
        Path other = Files.write(tmp.resolve("forged.so"), forged);
        new LibraryCache(tmp.resolve("cache")).store(online.cacheKey(source()), other, "libnccl.so.2");

        LibraryException e = assertThrows(LibraryException.class, () -> online().resolve(wheelCell(stubSha)));

        assertEquals(where() + "sha256 mismatch: the matrix pins " + stubSha + ", the library file has " + forgedSha + " ("
                + tmp.resolve("cache/sha256").resolve(forgedSha).resolve("libnccl.so.2") + ", from the library cache); it is not the "
                + "release the matrix names, so it is not run", e.getMessage());
        assertArrayEquals(forged, Files.readAllBytes(online().resolve(wheelCell(null))), "unpinned, the cache's word is all there is");
    }

    /** Replaces the library of a fetched folder and its libraries.json entry together, as one who owns the folder can. */
    private Path tamperedFolder() throws Exception {
        Path into = tmp.resolve("libs");
        LibraryManifest.Library lib = online().fetchInto(List.of(wheelCell(stubSha)), into).getFirst();
        Files.write(into.resolve(lib.file()), forged);
        new LibraryManifest(List.of(new LibraryManifest.Library(lib.key(), lib.flavor(), lib.version(), lib.cells(), lib.file(), forgedSha,
                forged.length))).write(into);
        return into;
    }

    @Test
    void folderWhoseFileAndManifestWereReplacedTogether_passesItsOwnChecksum_butNotThePin() throws Exception {
        Path into = tamperedFolder();
        Path file = into.resolve(LibraryManifest.read(into).libraries().getFirst().file());

        assertEquals(file, offline(into).resolve(wheelCell(null)), "without a pin, the folder vouches for itself");
        LibraryException e = assertThrows(LibraryException.class, () -> offline(into).resolve(wheelCell(stubSha)));

        assertTrue(e.getMessage().startsWith(where() + "sha256 mismatch: the matrix pins " + stubSha + ", the library file has " + forgedSha
                + " (" + file + ", in the libraries folder " + into + "); it is not the release the matrix names, so it is not run"), e.getMessage());
        assertTrue(e.getMessage().endsWith("fetch --matrix matrix/releases.yaml --into " + into + " --cells a' and copy " + into + " here"),
                e.getMessage());
    }

    @Test
    void symlinkOutOfTheFolder_isRefused_thoughItsFileMatchesEverySum() throws Exception {
        Path into = tmp.resolve("libs");
        LibraryManifest.Library lib = online().fetchInto(List.of(wheelCell(stubSha)), into).getFirst();
        Path inFolder = into.resolve(lib.file());
        Path outside = tmp.resolve("elsewhere/libnccl.so.2");
        Files.createDirectories(outside.getParent());
        Files.move(inFolder, outside);
        Files.createSymbolicLink(inFolder, outside);

        LibraryException e = assertThrows(LibraryException.class, () -> offline(into).resolve(wheelCell(stubSha)));

        assertTrue(e.getMessage().startsWith(where() + "libraries.json lists " + lib.file() + ", which is a symlink to " + outside
                + ", outside the libraries folder " + into), e.getMessage());
    }

    @Test
    void symlinkWithinTheFolder_isFollowed_andTheRankIsGivenTheFileThatWasHashed() throws Exception {
        Path into = tmp.resolve("libs");
        LibraryManifest.Library lib = online().fetchInto(List.of(wheelCell(stubSha)), into).getFirst();
        Path inFolder = into.resolve(lib.file());
        Path real = into.resolve("real/libnccl.so.2.22.3");
        Files.createDirectories(real.getParent());
        Files.move(inFolder, real);
        Files.createSymbolicLink(inFolder, real);

        assertEquals(real, offline(into).resolve(wheelCell(stubSha)));
    }

    /** A host's library as distributions lay it out: the soname a symlink to the versioned file. */
    private Path hostLibrary(byte[] content) throws Exception {
        Path real = Files.write(Files.createDirectories(tmp.resolve("host/lib")).resolve("libnccl.so.2.22.3"), content);
        return Files.createSymbolicLink(real.resolveSibling("libnccl.so.2"), real.getFileName());
    }

    @Test
    void hostPathCell_isCheckedThroughItsSymlinkBeforeItStarts() throws Exception {
        Path link = hostLibrary(Files.readAllBytes(StubArchives.stubLibrary()));
        Cell good = cell("h", new Cell.HostLibrary(link.toString()), link.toString(), stubSha);
        assertSame(good, online().resolved(good), "a matching host cell runs as it is");

        Cell bad = good.withPinnedSha256(forgedSha);
        LibraryException e = assertThrows(LibraryException.class, () -> online().resolved(bad));

        assertEquals("cell h (NCCL 2.22.3), host library " + link + ": sha256 mismatch: the matrix pins " + forgedSha
                + ", the library file has " + stubSha + " (" + link.resolveSibling("libnccl.so.2.22.3") + "); it is not the release the "
                + "matrix names, so it is not run", e.getMessage());
    }

    @Test
    void fromHostImageCell_isCheckedBeforeItsImageIsMade_andAMissingFileIsNamed() throws Exception {
        Path link = hostLibrary(forged);
        Cell image = cell("i", new Cell.HostFilesImage(link.toString()), link.toString(), stubSha);
        LibraryException e = assertThrows(LibraryException.class, () -> online().resolved(image));
        assertTrue(e.getMessage().startsWith("cell i (NCCL 2.22.3), host library for an image " + link + ": sha256 mismatch: the matrix pins "
                + stubSha + ", the library file has " + forgedSha), e.getMessage());

        Path missing = tmp.resolve("host/none/libnccl.so.2");
        LibraryException gone = assertThrows(LibraryException.class,
                () -> online().resolved(cell("j", new Cell.HostLibrary(missing.toString()), missing.toString(), stubSha)));
        assertTrue(gone.getMessage().startsWith("cell j (NCCL 2.22.3), host library " + missing + ": cannot read it to check its pinned sha256 "
                + stubSha), gone.getMessage());
    }

    @Test
    void mixedCell_checksEachMemberAgainstItsOwnPin() throws Exception {
        Path link = hostLibrary(Files.readAllBytes(StubArchives.stubLibrary()));
        Cell host = cell("h", new Cell.HostLibrary(link.toString()), link.toString(), stubSha);
        Cell mix = cell("m", host.source(), host.soPath(), null).withMix(List.of(host, wheelCell(forgedSha)));

        LibraryException e = assertThrows(LibraryException.class, () -> online().resolved(mix));

        assertTrue(e.getMessage().startsWith(where() + "sha256 mismatch: the matrix pins " + forgedSha), e.getMessage());
        Cell fine = online().resolved(cell("m", host.source(), host.soPath(), null).withMix(List.of(host, wheelCell(stubSha))));
        assertEquals(stubSha, fine.forRank(1).pinnedSha256());
    }

    @Test
    void fetchInto_twoCellsOfOneLibraryPinningDifferentHashes_isAnError() {
        Cell other = cell("b", new Cell.Coordinates(source(), Cell.Launch.CONTAINER), null, forgedSha);
        LibraryException e = assertThrows(LibraryException.class,
                () -> online().fetchInto(List.of(wheelCell(stubSha), other), tmp.resolve("libs")));
        assertEquals("cells a and b name the same library " + source().key() + " but pin different sha256 (" + stubSha + " and "
                + forgedSha + ")", e.getMessage());
    }
}
