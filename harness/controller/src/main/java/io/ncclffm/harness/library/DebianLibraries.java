package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Resolves {@link LibrarySource.DebianPackage}s the way {@code image.build: debian} cells get theirs: apt installs
 * the pinned package in the {@code images/debian} recipe (built once through {@link RecipeImages} and reused),
 * and the library is copied out of that image through a container that is created, never started, and removed.
 */
public final class DebianLibraries {

    /** Marks the short-lived containers a library is copied out of, so that one left behind can be found. */
    public static final String LABEL = "io.ncclffm.library-copy";

    private static final int MAX_LINKS = 8;

    private final Supplier<DockerClient> docker;
    private final RecipeImages images;

    /**
     * @param docker asked for only when a package is resolved; it throws {@link LibraryException} saying why when
     *               there is no Docker
     * @param images builds the {@code images/debian} recipe with a package's build args
     */
    public DebianLibraries(Supplier<DockerClient> docker, RecipeImages images) {
        this.docker = docker;
        this.images = images;
    }

    /** The Docker daemon {@code images} names, and {@code images} for the recipe. */
    public static DebianLibraries fromSystemProperties(RecipeImages images) {
        return new DebianLibraries(images::docker, images);
    }

    /** Builds (or reuses) the package's image and copies its library into {@code workDir}; returns the copy. */
    Path fetch(LibrarySource.DebianPackage source, Path workDir) {
        DockerClient client = docker.get();
        String image;
        try {
            image = images.build(client, new Cell.BuildImage("debian", Map.of(
                    "SUITE", source.suite(), "COMPONENTS", source.components(),
                    "PACKAGE", source.packageName(), "PACKAGE_VERSION", source.version())));
        } catch (LibraryException e) {
            throw new LibraryException("apt could not install " + source.packageName() + "=" + source.version() + " from "
                    + source.suite() + " (" + source.components() + "): " + e.getMessage(), e);
        }
        String container = client.createContainerCmd(image).withCmd("/bin/true")
                .withLabels(Map.of(LABEL, "true")).exec().getId();
        try {
            String path = source.file();
            for (int hop = 0; hop <= MAX_LINKS; hop++) {
                try (InputStream tar = client.copyArchiveFromContainerCmd(container, path).exec();
                     TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
                    TarArchiveEntry entry = in.getNextEntry();
                    if (entry == null) throw new LibraryException("copying " + path + " out of image " + image + " gave an empty archive");
                    if (entry.isSymbolicLink()) {
                        String link = entry.getLinkName();
                        path = link.startsWith("/") ? link : Path.of(path).resolveSibling(link).normalize().toString();
                        continue;
                    }
                    if (!entry.isFile()) {
                        throw new LibraryException(path + " in image " + image + " is not a file (it is a "
                                + (entry.isDirectory() ? "directory" : "special file") + ")");
                    }
                    Path target = workDir.resolve(Path.of(path).getFileName().toString());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    return target;
                } catch (NotFoundException e) {
                    throw new LibraryException("package " + source.packageName() + "=" + source.version() + " has no file " + path
                            + (path.equals(source.file()) ? "" : " (where " + source.file() + " links to)") + " in image " + image
                            + "; 'docker run --rm " + image + " dpkg -L " + source.packageName() + "' lists what it installs");
                }
            }
            throw new LibraryException(source.file() + " in image " + image + " is a chain of more than " + MAX_LINKS + " symlinks");
        } catch (IOException e) {
            throw new LibraryException("cannot copy " + source.file() + " out of image " + image + ": " + e.getMessage(), e);
        } finally {
            client.removeContainerCmd(container).withForce(true).exec();
        }
    }
}
