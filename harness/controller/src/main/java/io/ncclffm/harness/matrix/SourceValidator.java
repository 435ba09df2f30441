package io.ncclffm.harness.matrix;

import java.nio.file.Path;
import java.util.Map;

import io.ncclffm.Flavor;

/**
 * Where a cell's library comes from: exactly one of {@code image} (build, ref or fromHost), {@code host} (path) or
 * {@code library} (maven, debian, pip or wheel, with its {@code launch}). Part of the {@code cells} section.
 */
final class SourceValidator {

    private static final String ONE_SOURCE = "expected exactly one of 'image' (build, ref or fromHost), 'host' (path) or 'library' "
            + "(maven, debian, pip or wheel), got ";

    private final MatrixErrors errors;

    SourceValidator(MatrixErrors errors) {
        this.errors = errors;
    }

    Cell.Source source(Where at, RawMatrix.RawCell c, Flavor flavor) {
        return c.library() != null || c.launch() != null ? coordinates(at, c, flavor) : imageOrHost(at, c);
    }

    private Cell.Source imageOrHost(Where at, RawMatrix.RawCell c) {
        int given = (c.image() != null ? 1 : 0) + (c.host() != null ? 1 : 0);
        if (given != 1) throw errors.at(at, ONE_SOURCE + given);
        if (c.host() != null) return new Cell.HostLibrary(errors.require(c.host().path(), at.key("host").key("path"),
                "the library's path on this host"));
        RawMatrix.RawImage img = c.image();
        Where image = at.key("image");
        int kinds = (img.build() != null ? 1 : 0) + (img.ref() != null ? 1 : 0) + (img.fromHost() != null ? 1 : 0);
        if (kinds != 1) {
            throw errors.at(image, "expected exactly one of build (a folder under images/), ref (an existing image) or fromHost (a library path)");
        }
        if (img.args() != null && img.build() == null) throw errors.at(image.key("args"), "build args only apply to image.build");
        if (img.build() != null) {
            if (!img.build().matches("[a-z0-9][a-z0-9._-]*")) {
                throw errors.at(image.key("build"), "expected a folder name under images/, got '" + img.build() + "'");
            }
            return new Cell.BuildImage(img.build(), img.args() == null ? Map.of() : Map.copyOf(img.args()));
        }
        if (img.ref() != null) return new Cell.ImageRef(img.ref());
        return new Cell.HostFilesImage(img.fromHost());
    }

    /** A {@code library:} source and its {@code launch:}; relative paths are taken from the matrix file's folder. */
    private Cell.Source coordinates(Where at, RawMatrix.RawCell c, Flavor flavor) {
        int given = (c.image() != null ? 1 : 0) + (c.host() != null ? 1 : 0) + (c.library() != null ? 1 : 0);
        if (c.library() == null) {
            throw errors.at(at.key("launch"), "launch applies to a 'library' source only; for images and host paths leave it out");
        }
        if (given != 1) throw errors.at(at.key("library"), "expected exactly one of 'image', 'host' or 'library', got " + given);
        Cell.Launch launch = c.launch() == null ? Cell.Launch.PROCESS : errors.word(at.key("launch"), c.launch(), Cell.Launch.class);
        return new Cell.Coordinates(library(at.key("library"), c.library(), flavor), launch);
    }

    private LibrarySource library(Where at, RawMatrix.RawLibrary l, Flavor flavor) {
        int kinds = (l.maven() != null ? 1 : 0) + (l.debian() != null ? 1 : 0) + (l.pip() != null ? 1 : 0) + (l.wheel() != null ? 1 : 0);
        if (kinds != 1) {
            throw errors.at(at, "expected exactly one of maven (coordinates g:a[:ext[:classifier]]:v), debian ({package, version, "
                    + "suite, components}), pip (a requirement name==version) or wheel (a .whl file), got " + kinds);
        }
        return l.debian() != null ? debian(at, l, flavor) : archive(at, l);
    }

    private LibrarySource debian(Where at, RawMatrix.RawLibrary l, Flavor flavor) {
        if (l.entry() != null) throw errors.at(at.key("entry"), "a debian source names its file with 'file', not 'entry'");
        if (l.findLinks() != null) throw errors.at(at.key("findLinks"), "findLinks applies to a pip source only");
        RawMatrix.RawDebian d = l.debian();
        Where deb = at.key("debian");
        String pkg = errors.require(d.packageName(), deb.key("package"), "a Debian package name such as libnccl2");
        if (!pkg.matches("[a-z0-9][a-z0-9+.-]+")) {
            throw errors.at(deb.key("package"), "expected a Debian package name such as libnccl2, got '" + pkg + "'");
        }
        String version = errors.require(d.version(), deb.key("version"), "the exact Debian version, e.g. 2.22.3-1-1");
        if (!version.matches("[0-9][A-Za-z0-9.+~:-]*")) {
            throw errors.at(deb.key("version"), "expected a Debian version such as 2.22.3-1-1, got '" + version + "'");
        }
        String suite = d.suite() == null ? "trixie" : d.suite();
        if (!suite.matches("[a-z][a-z0-9-]*")) throw errors.at(deb.key("suite"), "expected a suite such as trixie or sid, got '" + suite + "'");
        String components = d.components() == null ? "main contrib" : d.components();
        if (!components.matches("\\s*[a-z-]+(\\s+[a-z-]+)*\\s*")) {
            throw errors.at(deb.key("components"), "expected archive components separated by spaces, e.g. 'main contrib', got '"
                    + components + "'");
        }
        String file = l.file() != null ? l.file() : "/usr/lib/x86_64-linux-gnu/" + (flavor == Flavor.RCCL ? "librccl.so.1" : "libnccl.so.2");
        if (!file.startsWith("/")) throw errors.at(at.key("file"), "expected an absolute path inside the image, got '" + file + "'");
        return new LibrarySource.DebianPackage(pkg, version, suite, components, file);
    }

    /** A file inside an archive: a Maven artifact, a wheel pip downloads, or a wheel file. */
    private LibrarySource archive(Where at, RawMatrix.RawLibrary l) {
        if (l.file() != null) {
            throw errors.at(at.key("file"), "'file' applies to a debian source; maven, pip and wheel sources name the file inside "
                    + "the archive with 'entry'");
        }
        String entry = errors.require(l.entry(), at.key("entry"), "the library's path inside the archive, e.g. nvidia/nccl/lib/libnccl.so.2");
        if (entry.startsWith("/") || entry.endsWith("/")) {
            throw errors.at(at.key("entry"), "expected a file's path inside the archive (no leading or trailing '/'), got '" + entry + "'");
        }
        if (l.findLinks() != null && l.pip() == null) throw errors.at(at.key("findLinks"), "findLinks applies to a pip source only");
        if (l.maven() != null) {
            try {
                return new LibrarySource.MavenArtifact(l.maven(), entry);
            } catch (IllegalArgumentException e) {
                throw errors.at(at.key("maven"), "expected Maven coordinates groupId:artifactId[:extension[:classifier]]:version, got '"
                        + l.maven() + "'");
            }
        }
        if (l.pip() != null) {
            if (!l.pip().matches("\\s*[A-Za-z0-9][A-Za-z0-9._-]*\\s*==\\s*[A-Za-z0-9][A-Za-z0-9.+!-]*\\s*")) {
                throw errors.at(at.key("pip"), "expected a pinned requirement name==version (the pin is what makes it cacheable), got '"
                        + l.pip() + "'");
            }
            // Not checked for existence here: a host running from a libraries folder never reads it.
            return new LibrarySource.PipWheel(l.pip(), l.findLinks() == null ? null : relativeToMatrix(l.findLinks()), entry);
        }
        if (!l.wheel().endsWith(".whl")) throw errors.at(at.key("wheel"), "expected a wheel file (*.whl), got '" + l.wheel() + "'");
        return new LibrarySource.WheelFile(relativeToMatrix(l.wheel()), entry);
    }

    private Path relativeToMatrix(String path) {
        Path parent = errors.file().toAbsolutePath().getParent();
        return (parent == null ? Path.of(path) : parent.resolve(path)).toAbsolutePath().normalize();
    }
}
