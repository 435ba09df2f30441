package io.ncclffm.harness.library;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.ncclffm.harness.matrix.LibrarySource;

/**
 * {@code libraries.json} in a folder made by {@code fetch}: every library a matrix's cells name, so that a host
 * without a network runs those cells from the folder alone.
 *
 * @param libraries one entry per distinct source
 */
public record LibraryManifest(List<Library> libraries) {

    /** The manifest's file name inside its folder. */
    public static final String FILE = "libraries.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One library.
     *
     * @param key     the source's canonical key ({@link LibrarySource#key()})
     * @param flavor  nccl or rccl
     * @param version the version its cells expect it to report
     * @param cells   the cells that use it
     * @param file    its path relative to the folder
     * @param sha256  hex SHA-256 of the file
     * @param size    bytes
     */
    public record Library(String key, String flavor, String version, List<String> cells, String file, String sha256, long size) {
    }

    public LibraryManifest {
        libraries = List.copyOf(libraries);
    }

    /** The manifest of {@code dir}; an error says what is wrong and how to make one. */
    public static LibraryManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new LibraryException(dir + " has no " + FILE + " (is it a folder made by the fetch command?)");
        }
        try {
            LibraryManifest m = JSON.readValue(file.toFile(), LibraryManifest.class);
            if (m == null || m.libraries() == null) throw new LibraryException(file + " lists no libraries");
            return m;
        } catch (IOException e) {
            throw new LibraryException(file + " is not a valid library manifest: " + e.getMessage(), e);
        }
    }

    /** The manifest of {@code dir}, or an empty one when it has none yet. */
    public static LibraryManifest readOrEmpty(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE)) ? read(dir) : new LibraryManifest(List.of());
    }

    public Optional<Library> find(String key) {
        return libraries.stream().filter(l -> l.key().equals(key)).findFirst();
    }

    /** This manifest with {@code library} added, replacing any entry of the same key. */
    public LibraryManifest with(Library library) {
        List<Library> all = new ArrayList<>(libraries.stream().filter(l -> !l.key().equals(library.key())).toList());
        all.add(library);
        all.sort(Comparator.comparing(Library::flavor).thenComparing(l -> io.ncclffm.NcclVersion.parse(l.version())).thenComparing(Library::key));
        return new LibraryManifest(all);
    }

    public void write(Path dir) {
        try {
            Path tmp = Files.createTempFile(Files.createDirectories(dir), FILE, ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LibraryException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
