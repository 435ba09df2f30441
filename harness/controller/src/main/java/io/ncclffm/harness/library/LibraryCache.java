package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.digest.MessageDigestAlgorithms;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Resolved libraries, stored once by checksum: {@code sha256/<hex>/<file name>}, with {@code index.json} mapping
 * each source's cache key ({@link Libraries#cacheKey}) to its checksum. A cached file is hashed again before every use, so a file changed
 * or truncated on disk is never handed to a run; such an entry is dropped and the library resolved anew.
 */
public final class LibraryCache {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What the cache holds for one key. */
    public record Entry(String key, Path file, String sha256, long size) {
    }

    private final Path dir;

    public LibraryCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** {@code ncclffm.library.cache}, else {@code ~/.cache/ncclffm/libraries}. */
    public static LibraryCache defaultCache() {
        String configured = System.getProperty("ncclffm.library.cache");
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "ncclffm", "libraries");
        return new LibraryCache(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The verified file for {@code key}, or empty when it is not cached (or no longer matches its checksum). */
    public synchronized Optional<Entry> lookup(String key) {
        String sha = readIndex().get(key);
        if (sha == null) return Optional.empty();
        Path folder = dir.resolve("sha256").resolve(sha);
        try (var files = Files.list(folder)) {
            Path file = files.filter(Files::isRegularFile).findFirst().orElse(null);
            if (file != null && sha.equals(sha256(file))) return Optional.of(new Entry(key, file, sha, Files.size(file)));
        } catch (IOException e) {
            // A missing folder: the entry is stale.
        }
        System.err.printf("[ncclffm] library cache: %s no longer matches sha256 %s under %s; resolving it again%n", key, sha, folder);
        updateIndex(index -> index.remove(key));
        return Optional.empty();
    }

    /**
     * Moves {@code file} into the cache as {@code fileName} and records it under {@code key}. The file is moved, so
     * pass a temporary copy.
     */
    public synchronized Entry store(String key, Path file, String fileName) {
        String sha = sha256(file);
        try {
            Path folder = Files.createDirectories(dir.resolve("sha256").resolve(sha));
            Path target = folder.resolve(fileName);
            if (Files.isRegularFile(target) && sha.equals(sha256(target))) {
                Files.delete(file);
            } else {
                move(file, target);
            }
            updateIndex(index -> index.put(key, sha));
            return new Entry(key, target, sha, Files.size(target));
        } catch (IOException e) {
            throw new LibraryException("cannot store " + key + " in the library cache " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A folder under the cache for work in progress, on the same file system so that {@link #store} can move. */
    public Path newWorkDir() {
        try {
            return Files.createTempDirectory(Files.createDirectories(dir.resolve("tmp")), "resolve-");
        } catch (IOException e) {
            throw new LibraryException("cannot create a work folder in the library cache " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) {
        try {
            return new DigestUtils(MessageDigestAlgorithms.SHA_256).digestAsHex(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private Map<String, String> readIndex() {
        Path index = dir.resolve("index.json");
        if (!Files.isRegularFile(index)) return new TreeMap<>();
        try {
            return new TreeMap<>(JSON.readValue(index.toFile(), new TypeReference<Map<String, String>>() {
            }));
        } catch (IOException e) {
            throw new LibraryException("the library cache's index " + index + " is not readable JSON (" + e.getMessage()
                    + "); delete it and the cache is rebuilt", e);
        }
    }

    private interface IndexChange {
        void apply(Map<String, String> index);
    }

    /** Read-modify-write under a file lock: several JVMs (a fetch and a run) may share one cache. */
    private void updateIndex(IndexChange change) {
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve("index.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                Map<String, String> index = readIndex();
                change.apply(index);
                Path tmp = Files.createTempFile(dir, "index", ".json");
                JSON.writeValue(tmp.toFile(), index);
                move(tmp, dir.resolve("index.json"));
            }
        } catch (IOException e) {
            throw new LibraryException("cannot update the library cache's index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
