package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.commons.io.FileUtils;

/**
 * A run's private scratch folder ({@value #NAME} in the run's folder, mode 0700): the worker archive copied into every
 * rank container lives there, and each rank process's temporary folder, not in a shared {@code /tmp}. It is removed when the run ends, by the shutdown hook or
 * the reaper when the run is stopped or killed, and at the start of a later run when its controller is provably gone
 * (the {@value #OWNER} file inside names the controller).
 */
public final class RunScratch {

    public static final String NAME = "scratch";
    static final String OWNER = "owner.properties";

    private final Path dir;

    private RunScratch(Path dir) {
        this.dir = dir;
    }

    /** Makes {@code parent/scratch}, readable by this user only, owned by this controller. */
    public static RunScratch create(Path parent, ControllerIdentity owner) {
        Path dir = parent.resolve(NAME);
        try {
            Files.createDirectories(parent);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Properties p = new Properties();
            p.putAll(owner.toLabels());
            try (OutputStream out = Files.newOutputStream(dir.resolve(OWNER))) {
                p.store(out, "the controller whose run this scratch folder belongs to");
            }
            return new RunScratch(dir);
        } catch (IOException e) {
            throw new HarnessException("cannot make the run's scratch folder " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Makes a new folder {@code parent/name-RANDOM}, readable and writable by this user only, with {@code parent}
     * made the same way when it is missing. The folder is new (created with its mode in one step), so nobody else can
     * have put anything in it.
     */
    static Path newPrivateFolder(Path parent, String name) {
        var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        try {
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(parent, owner);
            return Files.createTempDirectory(parent, name + "-", owner);
        } catch (IOException e) {
            throw new HarnessException("cannot make a private folder in " + parent, e);
        }
    }

    /** Removes the folder and everything in it; true when it is gone. */
    public boolean delete() {
        return delete(dir);
    }

    static boolean delete(Path dir) {
        try {
            FileUtils.deleteDirectory(dir.toFile());
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Removes the scratch folders of runs under {@code reportsDir} whose controller is provably gone: a run killed with
     * its reaper (a whole process group or cgroup killed at once) leaves its archives there.
     *
     * @return how many were removed
     */
    public static int removeDead(Path reportsDir) {
        int removed = 0;
        if (!Files.isDirectory(reportsDir)) return 0;
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(reportsDir)) {
            for (Path run : runs) {
                Path scratch = run.resolve(NAME);
                if (Files.isSymbolicLink(run) || !Files.isDirectory(scratch, LinkOption.NOFOLLOW_LINKS)) continue;
                Optional<ControllerIdentity> owner = owner(scratch);
                if (owner.isPresent() && owner.get().provablyGone() && delete(scratch)) removed++;
            }
        } catch (IOException e) {
            // nothing to clean that can be listed
        }
        return removed;
    }

    private static Optional<ControllerIdentity> owner(Path scratch) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(scratch.resolve(OWNER))) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        Map<String, String> labels = new HashMap<>();
        p.stringPropertyNames().forEach(k -> labels.put(k, p.getProperty(k)));
        return ControllerIdentity.fromLabels(labels);
    }
}
