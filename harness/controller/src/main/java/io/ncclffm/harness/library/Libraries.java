package io.ncclffm.harness.library;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.io.FileUtils;

import io.ncclffm.harness.matrix.Cell;

/**
 * Turns a cell's {@link Cell.Coordinates} into a library file on this host. Online, each source is resolved by
 * its real tool (Maven's resolver, apt in the Debian recipe, pip) once and kept in the {@link LibraryCache}; with a
 * libraries folder (the matrix's {@code --libraries DIR}) the file comes from that folder only, after its checksum is
 * verified, and nothing is fetched.
 */
public final class Libraries {

    private final LibraryCache cache;
    private final MavenLibraries maven;
    private final DebianLibraries debian;
    private final PipLibraries pip;
    private final Path offline;
    private final String matrixFile;
    private final Map<String, LibraryCache.Entry> resolved = new ConcurrentHashMap<>();

    /**
     * @param offline    a folder made by {@link #fetchInto}, or {@code null} to resolve through the cache
     * @param matrixFile for the fetch command that errors suggest; may be {@code null}
     */
    public Libraries(LibraryCache cache, MavenLibraries maven, DebianLibraries debian, PipLibraries pip, Path offline, String matrixFile) {
        this.cache = cache;
        this.maven = maven;
        this.debian = debian;
        this.pip = pip;
        this.offline = offline == null ? null : offline.toAbsolutePath().normalize();
        this.matrixFile = matrixFile;
    }

    /**
     * The libraries of one matrix run: from {@code offline} only when it is given, else through the cache, with
     * {@code ncclffm.library.cache} and the Maven and pip properties of this host.
     *
     * @param offline    a folder made by {@link #fetchInto}, or {@code null}
     * @param matrixFile for the fetch command that errors suggest; may be {@code null}
     */
    public static Libraries forRun(Path offline, String matrixFile) {
        return new Libraries(LibraryCache.defaultCache(), MavenLibraries.fromSystemProperties(), DebianLibraries.fromSystemProperties(),
                PipLibraries.fromSystemProperties(), offline, matrixFile);
    }

    /** Resolving through the cache (never from a libraries folder), as the fetch command does. */
    public static Libraries online() {
        return forRun(null, null);
    }

    /**
     * The cell as it runs: a {@link Cell.Coordinates} cell becomes a {@link Cell.HostLibrary} (process launch) or
     * {@link Cell.HostFilesImage} (container launch) cell on the resolved file, with that file as its soPath. Other
     * cells are returned as they are.
     *
     * @throws LibraryException naming the cell, its source and what went wrong
     */
    public Cell resolved(Cell cell) {
        if (cell.mixed()) return cell.withMix(cell.mix().stream().map(this::resolved).toList());
        if (!(cell.source() instanceof Cell.Coordinates c)) return cell;
        String path = resolve(cell).toString();
        if (c.launch() == Cell.Launch.CONTAINER) {
            Cell.HostFilesImage image = new Cell.HostFilesImage(path);
            return cell.withLibrary(image, image.pathInImage());
        }
        return cell.withLibrary(new Cell.HostLibrary(path), path);
    }

    /** The library file of a {@link Cell.Coordinates} cell. */
    public Path resolve(Cell cell) {
        if (!(cell.source() instanceof Cell.Coordinates c)) {
            throw new IllegalArgumentException("cell " + cell.name() + " does not name its library by coordinates");
        }
        if (offline != null) return fromFolder(cell, c.library());
        try {
            return resolve(c.library()).file();
        } catch (LibraryException e) {
            throw new LibraryException(where(cell, c.library()) + e.getMessage(), e);
        }
    }

    /** The source's file, from the cache or else fetched (once) into it. */
    public LibraryCache.Entry resolve(LibrarySource source) {
        LibraryCache.Entry known = resolved.get(source.key());
        if (known != null && Files.isRegularFile(known.file())) return known;
        LibraryCache.Entry entry = cache.lookup(source.key()).orElseGet(() -> fetch(source));
        resolved.put(source.key(), entry);
        return entry;
    }

    private LibraryCache.Entry fetch(LibrarySource source) {
        Path work = cache.newWorkDir();
        try {
            Path file = switch (source) {
                case LibrarySource.MavenArtifact m -> {
                    Path target = work.resolve(fileName(m.entry()));
                    maven.fetch(m, target);
                    yield target;
                }
                case LibrarySource.DebianPackage d -> debian.fetch(d, work);
                case LibrarySource.PipWheel w -> {
                    Path target = work.resolve(fileName(w.entry()));
                    pip.fetch(w, work, target);
                    yield target;
                }
                case LibrarySource.WheelFile w -> {
                    if (!Files.isRegularFile(w.wheel())) throw new LibraryException("wheel " + w.wheel() + " is not a file");
                    Path target = work.resolve(fileName(w.entry()));
                    ArchiveEntry.extract(w.wheel(), w.entry(), target, "wheel " + w.wheel().getFileName());
                    yield target;
                }
            };
            LibraryCache.Entry entry = cache.store(source.key(), file, file.getFileName().toString());
            System.err.printf("[ncclffm] library %s: sha256 %s, %d bytes, cached at %s%n", source.key(), entry.sha256(), entry.size(), entry.file());
            return entry;
        } finally {
            FileUtils.deleteQuietly(work.toFile()); // a work folder left in the cache's tmp/ is harmless
        }
    }

    private Path fromFolder(Cell cell, LibrarySource source) {
        String fetch = fetchCommand(cell.name());
        LibraryManifest manifest;
        try {
            manifest = LibraryManifest.read(offline);
        } catch (LibraryException e) {
            throw new LibraryException(where(cell, source) + "the libraries folder is unusable: " + e.getMessage()
                    + "; on a machine with a network run " + fetch + " and copy " + offline + " here", e);
        }
        LibraryManifest.Library lib = manifest.find(source.key()).orElseThrow(() -> new LibraryException(where(cell, source)
                + "not in the libraries folder " + offline + " (its " + LibraryManifest.FILE + " has " + manifest.libraries().size()
                + " other libraries; nothing is fetched when a libraries folder is given); on a machine with a network run "
                + fetch + " and copy " + offline + " here"));
        Path file = offline.resolve(lib.file()).normalize();
        if (!file.startsWith(offline) || !Files.isRegularFile(file)) {
            throw new LibraryException(where(cell, source) + LibraryManifest.FILE + " lists " + lib.file() + ", which is not a file in "
                    + offline + "; run " + fetch + " again and copy " + offline + " here");
        }
        String sha = LibraryCache.sha256(file);
        if (!sha.equals(lib.sha256())) {
            throw new LibraryException(where(cell, source) + file + " does not match its checksum in " + LibraryManifest.FILE
                    + " (expected sha256 " + lib.sha256() + ", got " + sha + "): the copy is damaged or was changed; run " + fetch
                    + " again and copy " + offline + " here");
        }
        return file;
    }

    /**
     * Resolves the library of every {@link Cell.Coordinates} cell in {@code cells} and writes it into {@code dir},
     * adding to the manifest already there. Returns the libraries written, one per distinct source.
     *
     * @throws LibraryException when a library cannot be resolved, or two cells give one source different versions
     */
    public List<LibraryManifest.Library> fetchInto(List<Cell> cells, Path dir) {
        Map<String, List<Cell>> bySource = new LinkedHashMap<>();
        Map<String, LibrarySource> sources = new LinkedHashMap<>();
        for (Cell cell : cells) {
            if (!(cell.source() instanceof Cell.Coordinates c)) continue;
            bySource.computeIfAbsent(c.library().key(), k -> new ArrayList<>()).add(cell);
            sources.putIfAbsent(c.library().key(), c.library());
        }
        LibraryManifest manifest = LibraryManifest.readOrEmpty(dir);
        List<LibraryManifest.Library> written = new ArrayList<>();
        for (var e : bySource.entrySet()) {
            List<Cell> users = e.getValue();
            Cell first = users.getFirst();
            for (Cell other : users) {
                if (other.flavor() != first.flavor() || !other.version().equals(first.version())) {
                    throw new LibraryException("cells " + first.name() + " (" + first.displayVersion() + ") and " + other.name() + " ("
                            + other.displayVersion() + ") name the same library " + e.getKey() + " but expect different releases");
                }
            }
            LibrarySource source = sources.get(e.getKey());
            LibraryCache.Entry entry;
            try {
                entry = resolve(source);
            } catch (LibraryException ex) {
                throw new LibraryException(where(first, source) + ex.getMessage(), ex);
            }
            String flavor = first.flavor().name().toLowerCase(Locale.ROOT);
            String relative = flavor + "-" + first.version() + "-" + entry.sha256().substring(0, 12) + "/" + entry.file().getFileName();
            Path target = dir.resolve(relative);
            try {
                if (!(Files.isRegularFile(target) && LibraryCache.sha256(target).equals(entry.sha256()))) {
                    Files.createDirectories(target.getParent());
                    Path tmp = Files.createTempFile(target.getParent(), ".fetch", ".tmp");
                    Files.copy(entry.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ex) {
                throw new LibraryException("cannot write " + target + ": " + ex.getMessage(), ex);
            }
            LibraryManifest.Library lib = new LibraryManifest.Library(e.getKey(), flavor, first.version().toString(),
                    users.stream().map(Cell::name).toList(), relative, entry.sha256(), entry.size());
            manifest = manifest.with(lib);
            manifest.write(dir);
            written.add(lib);
        }
        return written;
    }

    private String fetchCommand(String cellName) {
        return "'java -jar ncclffm-harness-all.jar fetch --matrix " + (matrixFile != null ? matrixFile : "MATRIX.yaml") + " --into "
                + offline + " --cells " + cellName + "'";
    }

    private static String where(Cell cell, LibrarySource source) {
        return "cell " + cell.name() + " (" + cell.displayVersion() + "), " + source.describe() + ": ";
    }

    private static String fileName(String entry) {
        return entry.substring(entry.lastIndexOf('/') + 1);
    }

}
