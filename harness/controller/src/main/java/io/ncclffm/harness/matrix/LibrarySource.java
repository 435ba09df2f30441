package io.ncclffm.harness.matrix;

import java.nio.file.Path;
import java.util.Objects;

import org.eclipse.aether.artifact.DefaultArtifact;

/**
 * Where a matrix cell's NCCL/RCCL library comes from when the cell names it by coordinates instead of an image or
 * a host path: what the matrix file says, which the {@code library} package resolves to a file. Each source has a
 * canonical {@link #key()} that says everything the matrix says about it, folders included: a fetched folder lists
 * its libraries by that key. The cache keys a library by more than that, by what this host adds to the source
 * (Maven's repositories, pip's configured indexes, a wheel's content): see {@code Libraries#cacheKey}.
 */
public sealed interface LibrarySource {

    /**
     * Canonical key, e.g. {@code maven:org.bytedeco:cuda:jar:linux-x86_64-redist:10.1-7.5-1.5!org/bytedeco/...}. Two
     * sources that may give different files never share a key.
     */
    String key();

    /** For messages: the kind of source and its coordinates, e.g. {@code maven artifact g:a:v, entry e}. */
    String describe();

    /**
     * A file inside a Maven artifact (a jar or zip), resolved by Maven's resolver.
     *
     * @param coordinates {@code groupId:artifactId[:extension[:classifier]]:version}
     * @param entry       the file's path inside the artifact
     */
    record MavenArtifact(String coordinates, String entry) implements LibrarySource {
        public MavenArtifact {
            Objects.requireNonNull(entry, "entry");
            // The resolver's own parser: what it accepts here is exactly what resolution will accept.
            coordinates = new DefaultArtifact(Objects.requireNonNull(coordinates, "coordinates")).toString();
        }

        @Override
        public String key() {
            return "maven:" + coordinates + "!" + entry;
        }

        @Override
        public String describe() {
            return "maven artifact " + coordinates + ", entry " + entry;
        }
    }

    /**
     * A file installed by a Debian package, installed by apt through the {@code images/debian} recipe.
     *
     * @param packageName e.g. {@code libnccl2}
     * @param version     the exact Debian version, e.g. {@code 2.22.3-1-1}
     * @param suite       e.g. {@code trixie}
     * @param components  archive components, space-separated, e.g. {@code main contrib}
     * @param file        the library's absolute path inside the image; a symlink is followed to the real file
     */
    record DebianPackage(String packageName, String version, String suite, String components, String file)
            implements LibrarySource {
        public DebianPackage {
            Objects.requireNonNull(packageName, "packageName");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(suite, "suite");
            Objects.requireNonNull(components, "components");
            Objects.requireNonNull(file, "file");
            components = components.strip().replaceAll("\\s+", " ");
        }

        @Override
        public String key() {
            return "debian:" + suite + "/" + components.replace(' ', ',') + ":" + packageName + "=" + version + "!" + file;
        }

        @Override
        public String describe() {
            return "debian package " + packageName + "=" + version + " (" + suite + " " + components + "), file " + file;
        }
    }

    /**
     * A file inside a wheel that pip downloads.
     *
     * @param requirement a pinned requirement, {@code name==version}
     * @param findLinks   a local folder of wheels to take it from ({@code pip --no-index --find-links}, and nowhere
     *                    else), or {@code null} for pip's configured indexes; part of the key, since two folders may
     *                    hold different wheels of one name and version
     * @param entry       the file's path inside the wheel
     */
    record PipWheel(String requirement, Path findLinks, String entry) implements LibrarySource {
        public PipWheel {
            Objects.requireNonNull(requirement, "requirement");
            Objects.requireNonNull(entry, "entry");
            requirement = requirement.replace(" ", "");
            findLinks = findLinks == null ? null : findLinks.toAbsolutePath().normalize();
        }

        @Override
        public String key() {
            return "pip:" + requirement + (findLinks != null ? "@" + findLinks : "") + "!" + entry;
        }

        @Override
        public String describe() {
            return "pip requirement " + requirement + (findLinks != null ? " from " + findLinks : "") + ", entry " + entry;
        }
    }

    /**
     * A file inside a wheel file on this machine.
     *
     * @param wheel the {@code .whl} file, by its absolute path (its folder is part of the key: two folders may hold
     *              different wheels of one name)
     * @param entry the file's path inside the wheel
     */
    record WheelFile(Path wheel, String entry) implements LibrarySource {
        public WheelFile {
            Objects.requireNonNull(wheel, "wheel");
            Objects.requireNonNull(entry, "entry");
            wheel = wheel.toAbsolutePath().normalize();
        }

        @Override
        public String key() {
            return "wheel:" + wheel + "!" + entry;
        }

        @Override
        public String describe() {
            return "wheel " + wheel + ", entry " + entry;
        }
    }
}
