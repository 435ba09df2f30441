package io.ncclffm.harness.library;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.deployment.DeployRequest;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Maven coordinates resolved by Maven's resolver from a real file-based remote repository, which the resolver's
 * own deploy made: the entry's bytes come out intact, are cached by checksum, and are served from the cache once
 * the repository is gone.
 */
class MavenLibrariesTest {

    private static final String COORDS = "io.ncclffm.test:nccl-stub:jar:linux-x86_64:2.22.3";
    private static final String ENTRY = "native/linux-x86_64/libnccl.so.2";

    @TempDir
    Path tmp;
    Path remote;
    Path cacheDir;

    @BeforeEach
    void deployStubArtifact() throws Exception {
        remote = tmp.resolve("remote");
        cacheDir = tmp.resolve("cache");
        deploy(remote, StubArchives.jar(tmp.resolve("build/nccl-stub.jar"), ENTRY));
    }

    /** Deploys {@code jar} as {@link #COORDS}, with its pom, into a file repository by the resolver's own deploy. */
    private void deploy(Path repository, Path jar) throws Exception {
        Path pom = Files.writeString(tmp.resolve("build/nccl-stub.pom"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>io.ncclffm.test</groupId>
                  <artifactId>nccl-stub</artifactId>
                  <version>2.22.3</version>
                </project>
                """);
        try (RepositorySystem system = new RepositorySystemSupplier().get();
             RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                     .withLocalRepositoryBaseDirectories(tmp.resolve("deployer-local-" + repository.getFileName())).build()) {
            RemoteRepository target = new RemoteRepository.Builder("test-remote", "default", repository.toUri().toString()).build();
            system.deploy(session, new DeployRequest()
                    .addArtifact(new DefaultArtifact("io.ncclffm.test", "nccl-stub", "linux-x86_64", "jar", "2.22.3").setPath(jar))
                    .addArtifact(new DefaultArtifact("io.ncclffm.test", "nccl-stub", "", "pom", "2.22.3").setPath(pom))
                    .setRepository(target));
        }
    }

    /** A repository's URL as the resolver is given it: without a trailing slash, which Path.toUri adds for a folder. */
    private static String url(Path repository) {
        return repository.toUri().toString().replaceAll("/+$", "");
    }

    private Path deployedJar() {
        return remote.resolve("io/ncclffm/test/nccl-stub/2.22.3/nccl-stub-2.22.3-linux-x86_64.jar");
    }

    private Libraries libraries(Path localRepo) {
        return new Libraries(new LibraryCache(cacheDir), new MavenLibraries(MavenLibraries.repositories(remote.toUri().toString()), localRepo),
                null, null, null, null);
    }

    private static Cell cell(LibrarySource source) {
        return Cell.builder("nccl-stub", Flavor.NCCL, NcclVersion.of(2, 22, 3))
                .source(new Cell.Coordinates(source, Cell.Launch.PROCESS), null).timeout(Duration.ofMinutes(1)).line(3)
                .build();
    }

    @Test
    void resolve_takesTheEntryOutOfTheArtifact_cachesItBySha256_andServesItFromTheCacheWhenTheRepositoryIsGone() throws Exception {
        byte[] expected = Files.readAllBytes(StubArchives.stubLibrary());
        String sha = StubArchives.sha256(expected);
        LibrarySource.MavenArtifact source = new LibrarySource.MavenArtifact(COORDS, ENTRY);
        Path localRepo = tmp.resolve("local-1");

        LibraryCache.Entry first = libraries(localRepo).resolve(source);

        assertArrayEquals(expected, Files.readAllBytes(first.file()));
        assertEquals(sha, first.sha256());
        assertEquals(cacheDir.resolve("sha256").resolve(sha).resolve("libnccl.so.2"), first.file());
        assertTrue(Files.readString(cacheDir.resolve("index.json")).contains("\"maven:" + COORDS + "!" + ENTRY + "#repositories="
                + url(remote) + "\" : \"" + sha + "\""), Files.readString(cacheDir.resolve("index.json")));
        assertTrue(Files.isRegularFile(localRepo.resolve("io/ncclffm/test/nccl-stub/2.22.3/nccl-stub-2.22.3-linux-x86_64.jar")),
                "the resolver downloaded into the local repository it was given");

        Files.move(remote, tmp.resolve("remote-gone"));
        Path freshLocal = tmp.resolve("local-2");
        LibraryCache.Entry second = libraries(freshLocal).resolve(source);

        assertEquals(first.file(), second.file());
        assertArrayEquals(expected, Files.readAllBytes(second.file()));
        assertFalse(Files.exists(freshLocal), "a cached library must not reach the resolver (it would create its local repository)");
    }

    @Test
    void resolve_cellWithCoordinates_becomesAHostLibraryCellOnTheCachedFile() throws Exception {
        Cell resolved = libraries(tmp.resolve("local")).resolved(cell(new LibrarySource.MavenArtifact(COORDS, ENTRY)));
        Cell.HostLibrary host = org.junit.jupiter.api.Assertions.assertInstanceOf(Cell.HostLibrary.class, resolved.source());
        assertEquals(host.path(), resolved.soPath());
        assertTrue(host.path().startsWith(cacheDir.toString()), host.path());
        assertEquals("nccl-stub", resolved.name());
    }

    @Test
    void resolve_entryMissingFromTheArtifact_namesTheCellAndListsTheArtifactsFiles() {
        LibraryException e = assertThrows(LibraryException.class,
                () -> libraries(tmp.resolve("local")).resolve(cell(new LibrarySource.MavenArtifact(COORDS, "lib/missing.so"))));
        String m = e.getMessage();
        assertTrue(m.startsWith("cell nccl-stub (NCCL 2.22.3), maven artifact " + COORDS + ", entry lib/missing.so: "), m);
        assertTrue(m.contains("has no file 'lib/missing.so'"), m);
        assertTrue(m.contains("it has 3 files: META-INF/MANIFEST.MF, README.txt, " + ENTRY), m);
    }

    @Test
    void resolve_entryMissingButOneLooksLikeIt_listsTheNearMatch() {
        LibraryException e = assertThrows(LibraryException.class,
                () -> libraries(tmp.resolve("local")).resolve(new LibrarySource.MavenArtifact(COORDS, "lib/libnccl.so.2")));
        assertTrue(e.getMessage().endsWith("near matches: " + ENTRY), e.getMessage());
    }

    @Test
    void resolve_artifactMissing_namesTheCoordinatesAndTheRepositoriesTried() {
        LibraryException e = assertThrows(LibraryException.class, () -> libraries(tmp.resolve("local"))
                .resolve(cell(new LibrarySource.MavenArtifact("io.ncclffm.test:absent:1.0", ENTRY))));
        String m = e.getMessage();
        assertTrue(m.contains("artifact io.ncclffm.test:absent:jar:1.0 was not found in the repositories tried (configured-"), m);
        assertTrue(m.contains(" " + url(remote) + "; local repository"), m);
        assertTrue(m.contains("local repository " + tmp.resolve("local")), m);
        assertFalse(Files.exists(cacheDir.resolve("index.json")), "nothing was cached");
    }

    @Test
    void repositories_defaultToTheSuperPomsCentral_andTheOverrideTakesEveryListedUrl() {
        List<RemoteRepository> central = MavenLibraries.repositories(null);
        assertEquals(1, central.size());
        assertEquals("central", central.getFirst().getId());
        assertTrue(central.getFirst().getUrl().startsWith("https://"), central.getFirst().getUrl());
        assertFalse(central.getFirst().getPolicy(true).isEnabled(), "the super POM disables snapshots from Central");

        List<RemoteRepository> two = MavenLibraries.repositories(" file:/a/repo , file:/b/repo ");
        assertEquals(List.of("file:/a/repo", "file:/b/repo"), two.stream().map(RemoteRepository::getUrl).toList());
    }

    @Test
    void cachedFileChangedOnDisk_isNotUsed_andIsResolvedAgain() throws Exception {
        LibrarySource.MavenArtifact source = new LibrarySource.MavenArtifact(COORDS, ENTRY);
        LibraryCache.Entry first = libraries(tmp.resolve("local")).resolve(source);
        Files.writeString(first.file(), "truncated", StandardCharsets.UTF_8);

        LibraryCache.Entry again = libraries(tmp.resolve("local")).resolve(source);

        assertArrayEquals(Files.readAllBytes(StubArchives.stubLibrary()), Files.readAllBytes(again.file()));
        assertEquals(first.sha256(), again.sha256());
    }

    @Test
    void resolve_jarWhoseSha1IsAllZeros_failsNamingTheChecksum_andCachesNothing() throws Exception {
        Path sha1 = deployedJar().resolveSibling(deployedJar().getFileName() + ".sha1");
        assertTrue(Files.isRegularFile(sha1), "the resolver's deploy wrote a .sha1");
        Files.writeString(sha1, "0".repeat(40));

        LibraryException e = assertThrows(LibraryException.class, () -> libraries(tmp.resolve("local"))
                .resolve(cell(new LibrarySource.MavenArtifact(COORDS, ENTRY))));

        String m = e.getMessage();
        assertTrue(m.startsWith("cell nccl-stub (NCCL 2.22.3), maven artifact " + COORDS + ", entry " + ENTRY + ": artifact " + COORDS
                + " failed checksum validation, so it was not used ("), m);
        assertTrue(m.contains("0".repeat(40)), m);
        assertFalse(Files.exists(cacheDir.resolve("index.json")), "nothing was cached");
        assertFalse(Files.exists(tmp.resolve("local/io/ncclffm/test/nccl-stub/2.22.3/nccl-stub-2.22.3-linux-x86_64.jar")),
                "the rejected jar is not kept in the local repository either");
    }

    @Test
    void resolve_jarWithoutAnyChecksum_fails() throws Exception {
        try (var files = Files.list(deployedJar().getParent())) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(deployedJar().getFileName() + ".")).toList()) {
                Files.delete(p);
            }
        }

        LibraryException e = assertThrows(LibraryException.class, () -> libraries(tmp.resolve("local"))
                .resolve(new LibrarySource.MavenArtifact(COORDS, ENTRY)));

        assertTrue(e.getMessage().startsWith("artifact " + COORDS + " failed checksum validation, so it was not used ("), e.getMessage());
    }

    @Test
    void resolve_httpRepository_isRefusedBeforeAnyDownload_unlessAllowed() {
        String url = "http://127.0.0.1:9/maven2";
        LibrarySource.MavenArtifact source = new LibrarySource.MavenArtifact(COORDS, ENTRY);
        Path local = tmp.resolve("local");
        Libraries refusing = new Libraries(new LibraryCache(cacheDir), new MavenLibraries(MavenLibraries.repositories(url), local),
                null, null, null, null);

        LibraryException refused = assertThrows(LibraryException.class, () -> refusing.resolve(source));

        assertTrue(refused.getMessage().startsWith("artifact " + COORDS + ": repository configured-"), refused.getMessage());
        assertTrue(refused.getMessage().contains(url + " is plain http"), refused.getMessage());
        assertTrue(refused.getMessage().contains("-Dncclffm.maven.allowHttp=true (the fetch and matrix commands: --maven-allow-http)"),
                refused.getMessage());
        assertFalse(Files.exists(local), "the resolver was never asked");

        Libraries allowing = new Libraries(new LibraryCache(cacheDir), new MavenLibraries(MavenLibraries.repositories(url), local, true),
                null, null, null, null);
        LibraryException tried = assertThrows(LibraryException.class, () -> allowing.resolve(source));
        assertTrue(tried.getMessage().contains("was not found in the repositories tried (configured-"), tried.getMessage());
        assertTrue(tried.getMessage().contains(url), tried.getMessage());
    }

    @Test
    void oneCoordinateInTwoRepositories_givesEachRepositorysOwnFile_throughOneCacheAndOneLocalRepository() throws Exception {
        Path otherRemote = tmp.resolve("other-remote");
        byte[] otherLibrary = "\u007fELF another build under the same coordinates".getBytes(StandardCharsets.UTF_8);
        deploy(otherRemote, StubArchives.zip(tmp.resolve("build/other.jar"), Map.of(ENTRY, otherLibrary)));
        LibrarySource.MavenArtifact source = new LibrarySource.MavenArtifact(COORDS, ENTRY);
        Path local = tmp.resolve("local");

        LibraryCache.Entry first = libraries(local).resolve(source);
        LibraryCache.Entry other = new Libraries(new LibraryCache(cacheDir), new MavenLibraries(
                MavenLibraries.repositories(otherRemote.toUri().toString()), local), null, null, null, null).resolve(source);

        assertArrayEquals(Files.readAllBytes(StubArchives.stubLibrary()), Files.readAllBytes(first.file()));
        assertArrayEquals(otherLibrary, Files.readAllBytes(other.file()));
    }

    @Test
    void repositories_failOnABadChecksum_configuredOrCentral() {
        for (RemoteRepository r : List.of(MavenLibraries.repositories(null).getFirst(), MavenLibraries.repositories("file:/a/repo").getFirst())) {
            assertEquals("fail", r.getPolicy(false).getChecksumPolicy(), r.getUrl());
            assertEquals("fail", r.getPolicy(true).getChecksumPolicy(), r.getUrl());
        }
    }
}
