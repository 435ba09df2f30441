package io.ncclffm.harness.worker;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Keeps the rank's temporary folder private before anything loads native code from it. JCuda unpacks its native
 * libraries into {@code java.io.tmpdir} and loads a file of the expected name that it finds there as it is, so a
 * temporary folder that others can write (the shared {@code /tmp}) would let any local user run code in the rank.
 *
 * <p>The launchers give each rank a private folder; a worker started otherwise (by hand, the {@code worker} command)
 * with a temporary folder that is not private makes a new folder of its own inside it (mode 0700, made in one step,
 * so nothing can be in it) and removes it when the rank ends.
 */
final class PrivateTmpdir {

    static final String PROPERTY = "java.io.tmpdir";
    private static Path made;

    private PrivateTmpdir() {
    }

    /**
     * Makes {@code java.io.tmpdir} private to this process's user, before JCuda or anything else reads it.
     *
     * @return the folder now in use
     * @throws IOException when no private folder can be made
     */
    static synchronized Path ensure() throws IOException {
        Path current = Path.of(System.getProperty(PROPERTY, "/tmp")).toAbsolutePath();
        if (isPrivate(current)) return current;
        Path own = Files.createTempDirectory(current, "ncclffm-rank-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        System.setProperty(PROPERTY, own.toString());
        made = own;
        return own;
    }

    /**
     * Whether only this process's user can put files into {@code dir}: a real folder (not a link), owned by the user,
     * that neither its group nor others may write.
     */
    static boolean isPrivate(Path dir) {
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || a.isSymbolicLink()) return false;
            if (a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            // /proc/self belongs to the process's effective user.
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return owner.equals(self);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Removes the folder {@link #ensure()} made, if it made one; the rank is ending. */
    static synchronized void removeMade() {
        if (made == null) return;
        try {
            Files.walkFileTree(made, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the rank ends either way; what is left is private to its user
        }
        made = null;
    }
}
