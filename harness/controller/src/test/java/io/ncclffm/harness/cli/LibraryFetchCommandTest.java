package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.harness.library.LibraryManifest;
import io.ncclffm.harness.library.MavenLibraries;

/** The standalone jar's {@code fetch} command: options, one line per library, the manifest, and exit codes. */
class LibraryFetchCommandTest {

    /** The host settings fetch reads as system properties; each test sets its own and gets the old ones back. */
    private static final List<String> PROPERTIES = List.of("ncclffm.library.cache", "ncclffm.maven.repositories", "maven.repo.local",
            MavenLibraries.ALLOW_HTTP);

    @TempDir
    Path tmp;
    private final Map<String, String> before = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void redirect() {
        for (String p : PROPERTIES) before.put(p, System.getProperty(p));
        System.setProperty("ncclffm.library.cache", tmp.resolve("cache").toString());
        System.setProperty("maven.repo.local", tmp.resolve("m2").toString());
        System.clearProperty(MavenLibraries.ALLOW_HTTP);
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
        before.forEach((p, v) -> {
            if (v == null) System.clearProperty(p);
            else System.setProperty(p, v);
        });
    }

    private static final String LIBRARY = "\u007fELF not really a library";

    private Path matrix() throws Exception {
        Path wheel = tmp.resolve("w/ncclstub-2.22.3-py3-none-any.whl");
        Files.createDirectories(wheel.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
            zip.putNextEntry(new ZipEntry("ncclstub/lib/libnccl.so.2"));
            zip.write(LIBRARY.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return Files.writeString(tmp.resolve("m.yaml"), """
                cells:
                  - name: from-wheel
                    flavor: nccl
                    version: 2.22.3
                    library: {wheel: w/ncclstub-2.22.3-py3-none-any.whl, entry: ncclstub/lib/libnccl.so.2}
                  - name: from-image
                    flavor: nccl
                    version: 2.22.3
                    image: {ref: some/image}
                    soPath: /usr/lib/libnccl.so.2
                """);
    }

    @Test
    void fetch_writesTheManifestAndPrintsOneLinePerLibrary() throws Exception {
        Path into = tmp.resolve("libs");
        int exit = Main.run(new String[] {"fetch", "--matrix", matrix().toString(), "--into", into.toString()}, System.out, System.err);

        assertEquals(0, exit, err.toString());
        LibraryManifest.Library lib = LibraryManifest.read(into).libraries().getFirst();
        assertEquals(1, LibraryManifest.read(into).libraries().size());
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, out.toString());
        assertTrue(lines[0].startsWith("nccl 2.22.3  " + into.resolve(lib.file()) + "  " + lib.size() + " bytes  sha256 " + lib.sha256()
                + "  cells from-wheel  (wheel:" + tmp.resolve("w/ncclstub-2.22.3-py3-none-any.whl") + "!ncclstub/lib/libnccl.so.2)"), lines[0]);
        assertTrue(lines[1].startsWith("1 libraries in " + into.resolve("libraries.json")), lines[1]);
    }

    @Test
    void fetch_selectionWithoutLibraryCells_exitsOneAndSaysNothingWasFetched() throws Exception {
        int exit = Main.run(new String[] {"fetch", "--matrix", matrix().toString(), "--into", tmp.resolve("libs").toString(), "--cells", "from-image"}, System.out, System.err);
        assertEquals(1, exit);
        assertTrue(err.toString().contains("names its library with 'library:'; nothing to fetch"), err.toString());
    }

    @Test
    void fetch_withoutInto_isAUsageError() throws Exception {
        assertEquals(2, Main.run(new String[] {"fetch", "--matrix", matrix().toString()}, System.out, System.err));
        assertTrue(err.toString().contains("fetch needs --matrix FILE and --into DIR"), err.toString());
        assertTrue(err.toString().contains("usage: "), err.toString());
    }

    private static final String SHA = "7666832ccc11d7ee114a539b8baab03ce06ffee855356078a5174bc8a4339b78";

    @Test
    void fetch_libraryMissingItsPin_exitsOneNamingBothHashes() throws Exception {
        Path m = matrix();
        Files.writeString(m, Files.readString(m).replace("entry: ncclstub/lib/libnccl.so.2}", "entry: ncclstub/lib/libnccl.so.2, sha256: " + SHA + "}"));

        int exit = Main.run(new String[] {"fetch", "--matrix", m.toString(), "--into", tmp.resolve("libs").toString()}, System.out, System.err);

        assertEquals(1, exit);
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(LIBRARY.getBytes(StandardCharsets.UTF_8)));
        assertTrue(err.toString().contains("\ncell from-wheel (NCCL 2.22.3), wheel " + tmp.resolve("w/ncclstub-2.22.3-py3-none-any.whl")
                + ", entry ncclstub/lib/libnccl.so.2: sha256 mismatch: the matrix pins " + SHA + ", the library file has " + actual), err.toString());
        assertFalse(Files.exists(tmp.resolve("libs/libraries.json")), "nothing was written for the cells");
    }

    @Test
    void fetch_pinThatIsNotASha256_exitsTwoWithTheFileLineAndField() throws Exception {
        Path m = matrix();
        Files.writeString(m, Files.readString(m).replace("entry: ncclstub/lib/libnccl.so.2}", "entry: ncclstub/lib/libnccl.so.2, sha256: 1234}"));

        assertEquals(2, Main.run(new String[] {"fetch", "--matrix", m.toString(), "--into", tmp.resolve("libs").toString()}, System.out, System.err));
        assertTrue(err.toString().startsWith(m + ", line 5, field cells[0].library.sha256: expected the library file's SHA-256 as 64 hex digits"),
                err.toString());
    }

    /** A matrix of one Maven cell, its artifact in a file repository laid out by hand with the checksum given. */
    private Path mavenMatrix(String sha1) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("repo/io/ncclffm/test/nccl-stub/2.22.3"));
        Path jar = dir.resolve("nccl-stub-2.22.3.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("lib/libnccl.so.2"));
            zip.write(LIBRARY.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Files.writeString(dir.resolve("nccl-stub-2.22.3.jar.sha1"), sha1 != null ? sha1
                : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(jar))));
        return Files.writeString(tmp.resolve("maven.yaml"), """
                cells:
                  - {name: from-maven, flavor: nccl, version: 2.22.3, library: {maven: "io.ncclffm.test:nccl-stub:2.22.3", entry: lib/libnccl.so.2}}
                """);
    }

    @Test
    void fetch_mavenJarWhoseSha1IsAllZeros_exitsOneSayingTheChecksumFailed() throws Exception {
        System.setProperty("ncclffm.maven.repositories", tmp.resolve("repo").toUri().toString());
        Path good = mavenMatrix(null);
        assertEquals(0, Main.run(new String[] {"fetch", "--matrix", good.toString(), "--into", tmp.resolve("libs").toString()}, System.out, System.err),
                "the same repository with its true checksum: " + err);
        System.setProperty("maven.repo.local", tmp.resolve("m2-fresh").toString());
        System.setProperty("ncclffm.library.cache", tmp.resolve("cache-fresh").toString());
        Path bad = mavenMatrix("0".repeat(40));

        int exit = Main.run(new String[] {"fetch", "--matrix", bad.toString(), "--into", tmp.resolve("libs-bad").toString()}, System.out, System.err);

        assertEquals(1, exit);
        assertTrue(err.toString().contains("cell from-maven (NCCL 2.22.3), maven artifact io.ncclffm.test:nccl-stub:jar:2.22.3, entry "
                + "lib/libnccl.so.2: artifact io.ncclffm.test:nccl-stub:jar:2.22.3 failed checksum validation, so it was not used ("), err.toString());
        assertFalse(Files.exists(tmp.resolve("libs-bad/libraries.json")));
    }

    @Test
    void fetch_httpRepository_isRefused_unlessTheOptionAllowsIt() throws Exception {
        System.setProperty("ncclffm.maven.repositories", "http://127.0.0.1:9/maven2");
        Path m = mavenMatrix(null);

        assertEquals(1, Main.run(new String[] {"fetch", "--matrix", m.toString(), "--into", tmp.resolve("libs").toString()}, System.out, System.err));
        assertTrue(err.toString().contains("http://127.0.0.1:9/maven2 is plain http"), err.toString());
        assertTrue(err.toString().contains("--maven-allow-http"), err.toString());

        err.reset();
        assertEquals(1, Main.run(new String[] {"fetch", "--matrix", m.toString(), "--maven-allow-http", "--into", tmp.resolve("libs").toString()},
                System.out, System.err));
        assertFalse(err.toString().contains("is plain http"), err.toString());
        assertTrue(err.toString().contains("was not found in the repositories tried (configured-"), "tried, and nothing answers: " + err);
    }
}
