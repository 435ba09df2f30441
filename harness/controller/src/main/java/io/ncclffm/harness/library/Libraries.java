package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.io.FileUtils;
import org.eclipse.aether.repository.RemoteRepository;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Turns a cell's {@link Cell.Coordinates} into a library file on this host. Online, each source is resolved by
 * its real tool (Maven's resolver, apt in the Debian recipe, pip) once and kept in the {@link LibraryCache}; with a
 * libraries folder (the matrix's {@code --libraries DIR}) the file comes from that folder only, after its checksum is
 * verified, and nothing is fetched.
 *
 * <p>A cell's pin ({@link Cell#pinnedSha256()}) is checked against the file itself wherever the file is had: fetched
 * just now, found in the cache, taken from a libraries folder, or read at a host path. The cache and a folder's
 * {@code libraries.json} only say what was fetched before; the pin, written in the matrix, says what the release is.
 */
public final class Libraries {

    private final LibraryCache cache;
    private final MavenLibraries maven;
    private final DebianLibraries debian;
    private final PipLibraries pip;
    private final Path offline;
    private final String matrixFile;

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
     * @param images     builds the recipe a {@code debian} source is installed in
     */
    public static Libraries forRun(Path offline, String matrixFile, RecipeImages images) {
        return new Libraries(LibraryCache.defaultCache(), MavenLibraries.fromSystemProperties(), DebianLibraries.fromSystemProperties(images),
                PipLibraries.fromSystemProperties(), offline, matrixFile);
    }

    /** Resolving through the cache (never from a libraries folder), as the fetch command does. */
    public static Libraries online(RecipeImages images) {
        return forRun(null, null, images);
    }

    /**
     * The cell as it runs: a {@link Cell.Coordinates} cell becomes a {@link Cell.HostLibrary} (process launch) or
     * {@link Cell.HostFilesImage} (container launch) cell on the resolved file, with that file as its soPath. A
     * pinned host-path cell ({@code host.path}, {@code image.fromHost}) is returned as it is once its file matches
     * the pin. Other cells are returned as they are: a pin on a file inside an image is checked against the hash the
     * rank reports of the file it loaded.
     *
     * @throws LibraryException naming the cell, its source and what went wrong (for a pin: both hashes and the file)
     */
    public Cell resolved(Cell cell) {
        // A Slurm cell's file is on its nodes, not necessarily here: each rank hashes the file it loaded, and that is
        // held against the pin (CellVerdicts), on every node.
        if (cell.slurmLaunched()) return cell;
        if (cell.mixed()) return cell.withMix(cell.mix().stream().map(this::resolved).toList());
        switch (cell.source()) {
            case Cell.HostLibrary h when cell.pinnedSha256() != null -> checkHostFile(cell, "host library", h.path());
            case Cell.HostFilesImage h when cell.pinnedSha256() != null -> checkHostFile(cell, "host library for an image", h.libraryPath());
            default -> {
            }
        }
        if (!(cell.source() instanceof Cell.Coordinates c)) return cell;
        String path = resolve(cell).toString();
        if (c.launch() == Cell.Launch.CONTAINER) {
            Cell.HostFilesImage image = new Cell.HostFilesImage(path);
            return cell.withLibrary(image, image.pathInImage());
        }
        return cell.withLibrary(new Cell.HostLibrary(path), path);
    }

    /** The library file of a {@link Cell.Coordinates} cell, checked against the cell's pin. */
    public Path resolve(Cell cell) {
        if (!(cell.source() instanceof Cell.Coordinates c)) {
            throw new IllegalArgumentException("cell " + cell.name() + " does not name its library by coordinates");
        }
        if (offline != null) return fromFolder(cell, c.library());
        try {
            return resolve(c.library(), cell.pinnedSha256()).file();
        } catch (LibraryException e) {
            throw new LibraryException(where(cell, c.library()) + e.getMessage(), e);
        }
    }

    /** The source's file, from the cache or else fetched into it. */
    public LibraryCache.Entry resolve(LibrarySource source) {
        return resolve(source, null);
    }

    /**
     * The source's file, from the cache (hashed again on every lookup) or else fetched into it; either way it must
     * have the sha256 {@code pin} when that is not {@code null}. A fetched file that misses its pin stays in the
     * cache under its source, so that the next run says the same without fetching it again.
     */
    LibraryCache.Entry resolve(LibrarySource source, String pin) {
        String key = cacheKey(source);
        Optional<LibraryCache.Entry> cached = cache.lookup(key);
        LibraryCache.Entry entry = cached.orElseGet(() -> fetch(source, key));
        if (pin != null && !pin.equals(entry.sha256())) {
            throw new LibraryException("sha256 mismatch: the matrix pins " + pin + ", the library file has " + entry.sha256()
                    + " (" + entry.file() + ", " + (cached.isPresent() ? "from the library cache" : "fetched just now")
                    + "); it is not the release the matrix names, so it is not run");
        }
        return entry;
    }

    /**
     * The key a resolved library is cached under: the source's own key and what this host adds to it, so that two
     * sources that may give different files never share an entry. Maven: the repositories resolved from. pip without
     * a find-links folder: the indexes pip is configured with. A wheel file: its content's sha256, since the file at
     * one path may be replaced.
     */
    public String cacheKey(LibrarySource source) {
        return switch (source) {
            case LibrarySource.MavenArtifact m -> m.key() + "#repositories=" + String.join(",",
                    maven().repositories().stream().map(RemoteRepository::getUrl).toList());
            case LibrarySource.DebianPackage d -> d.key();
            case LibrarySource.PipWheel w -> w.findLinks() != null ? w.key() : w.key() + "#pip-config=" + pip().indexes();
            case LibrarySource.WheelFile w -> {
                if (!Files.isRegularFile(w.wheel())) throw new LibraryException("wheel " + w.wheel() + " is not a file");
                yield w.key() + "#sha256=" + LibraryCache.sha256(w.wheel());
            }
        };
    }

    private MavenLibraries maven() {
        if (maven == null) throw new IllegalStateException("no Maven resolver was given for Maven sources");
        return maven;
    }

    private PipLibraries pip() {
        if (pip == null) throw new IllegalStateException("no pip was given for pip sources");
        return pip;
    }

    private LibraryCache.Entry fetch(LibrarySource source, String key) {
        Path work = cache.newWorkDir();
        try {
            Path file = switch (source) {
                case LibrarySource.MavenArtifact m -> {
                    Path target = work.resolve(fileName(m.entry()));
                    maven().fetch(m, target, work.resolve("maven"));
                    yield target;
                }
                case LibrarySource.DebianPackage d -> debian.fetch(d, work);
                case LibrarySource.PipWheel w -> {
                    Path target = work.resolve(fileName(w.entry()));
                    pip().fetch(w, work, target);
                    yield target;
                }
                case LibrarySource.WheelFile w -> {
                    if (!Files.isRegularFile(w.wheel())) throw new LibraryException("wheel " + w.wheel() + " is not a file");
                    Path target = work.resolve(fileName(w.entry()));
                    ArchiveEntry.extract(w.wheel(), w.entry(), target, "wheel " + w.wheel().getFileName());
                    yield target;
                }
            };
            LibraryCache.Entry entry = cache.store(key, file, file.getFileName().toString());
            System.err.printf("[ncclffm] library %s: sha256 %s, %d bytes, cached at %s%n", key, entry.sha256(), entry.size(), entry.file());
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
        // The real file, not a link to it: the folder is what was checked and copied, so a link out of it is refused,
        // and the rank gets the path that was hashed.
        Path real;
        try {
            real = file.toRealPath();
            if (!real.startsWith(offline.toRealPath())) {
                throw new LibraryException(where(cell, source) + LibraryManifest.FILE + " lists " + lib.file() + ", which is a symlink to "
                        + real + ", outside the libraries folder " + offline + "; a libraries folder holds its files itself: run "
                        + fetch + " again and copy " + offline + " here");
            }
        } catch (IOException e) {
            throw new LibraryException(where(cell, source) + "cannot read " + file + ": " + e.getMessage(), e);
        }
        String sha = LibraryCache.sha256(real);
        if (!sha.equals(lib.sha256())) {
            throw new LibraryException(where(cell, source) + file + " does not match its checksum in " + LibraryManifest.FILE
                    + " (expected sha256 " + lib.sha256() + ", got " + sha + "): the copy is damaged or was changed; run " + fetch
                    + " again and copy " + offline + " here");
        }
        // The folder's own manifest vouches only for the folder; the pin is the matrix's word for the release.
        if (cell.pinnedSha256() != null && !cell.pinnedSha256().equals(sha)) {
            throw new LibraryException(where(cell, source) + "sha256 mismatch: the matrix pins " + cell.pinnedSha256()
                    + ", the library file has " + sha + " (" + real + ", in the libraries folder " + offline + "); it is not the "
                    + "release the matrix names, so it is not run: fetch it again with " + fetch + " and copy " + offline + " here");
        }
        return real;
    }

    /** A pinned cell's library at a host path: the file the rank's loader reaches (links followed) must match the pin. */
    private static void checkHostFile(Cell cell, String what, String path) {
        String where = "cell " + cell.name() + " (" + cell.displayVersion() + "), " + what + " " + path + ": ";
        Path real;
        try {
            real = Path.of(path).toRealPath();
        } catch (IOException e) {
            throw new LibraryException(where + "cannot read it to check its pinned sha256 " + cell.pinnedSha256() + ": " + e, e);
        }
        String sha;
        try {
            sha = LibraryCache.sha256(real);
        } catch (UncheckedIOException e) {
            throw new LibraryException(where + "cannot read " + real + " to check its pinned sha256 " + cell.pinnedSha256() + ": "
                    + e.getCause().getMessage(), e);
        }
        if (!sha.equals(cell.pinnedSha256())) {
            throw new LibraryException(where + "sha256 mismatch: the matrix pins " + cell.pinnedSha256() + ", the library file has "
                    + sha + " (" + real + "); it is not the release the matrix names, so it is not run");
        }
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
            Cell pinned = null;
            for (Cell other : users) {
                if (other.flavor() != first.flavor() || !other.version().equals(first.version())) {
                    throw new LibraryException("cells " + first.name() + " (" + first.displayVersion() + ") and " + other.name() + " ("
                            + other.displayVersion() + ") name the same library " + e.getKey() + " but expect different releases");
                }
                if (other.pinnedSha256() == null) continue;
                if (pinned != null && !pinned.pinnedSha256().equals(other.pinnedSha256())) {
                    throw new LibraryException("cells " + pinned.name() + " and " + other.name() + " name the same library " + e.getKey()
                            + " but pin different sha256 (" + pinned.pinnedSha256() + " and " + other.pinnedSha256() + ")");
                }
                if (pinned == null) pinned = other;
            }
            LibrarySource source = sources.get(e.getKey());
            Cell named = pinned != null ? pinned : first;
            LibraryCache.Entry entry;
            try {
                entry = resolve(source, named.pinnedSha256());
            } catch (LibraryException ex) {
                throw new LibraryException(where(named, source) + ex.getMessage(), ex);
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
