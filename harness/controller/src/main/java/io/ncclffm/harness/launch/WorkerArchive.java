package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The worker bundle as one tar ({@code jre/...} and {@code worker.jar}), made once per harness run in the run's
 * scratch folder ({@link RunScratch}, removed with the run) and uploaded into every rank container's install volume. Uploading below the volume's mount point is what lets the
 * container's root stay read-only (Docker refuses archives aimed at a read-only root).
 */
final class WorkerArchive {

    private final Path tar;

    private WorkerArchive(Path tar) {
        this.tar = tar;
    }

    static WorkerArchive of(WorkerBundle bundle, Path scratch) {
        try {
            Path tar = Files.createTempFile(scratch, "worker", ".tar");
            try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
                t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                try (Stream<Path> files = Files.walk(bundle.jre())) {
                    for (Path p : files.sorted().toList()) {
                        String name = "jre/" + bundle.jre().relativize(p);
                        add(t, p, name);
                    }
                }
                add(t, bundle.jar(), "worker.jar");
                // The worker's scratch directory (WorkerLaunch: where it unpacks the native code its jar carries): in the
                // install volume, writable by the unprivileged user whatever the image's /tmp looks like.
                TarArchiveEntry tmp = new TarArchiveEntry("tmp/");
                tmp.setMode(041777);
                t.putArchiveEntry(tmp);
                t.closeArchiveEntry();
            }
            return new WorkerArchive(tar);
        } catch (IOException e) {
            throw new HarnessException("cannot pack the worker runtime " + bundle.jre() + " and " + bundle.jar(), e);
        }
    }

    private static void add(TarArchiveOutputStream t, Path p, String name) throws IOException {
        TarArchiveEntry e;
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040755);
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
            return;
        }
        e = new TarArchiveEntry(name);
        e.setSize(Files.size(p));
        e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
        t.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(p)) {
            in.transferTo(t);
        }
        t.closeArchiveEntry();
    }

    /**
     * @throws HarnessException naming the file when it is gone: it lives in the run's scratch folder, which nothing
     *                          but the run should remove
     */
    void checkPresent() {
        if (!Files.isRegularFile(tar, LinkOption.NOFOLLOW_LINKS)) {
            throw new HarnessException("the worker archive " + tar + " is gone: it was made in the run's scratch folder at the"
                    + " run's start, and something removed it or its folder since");
        }
    }

    InputStream open() throws IOException {
        checkPresent();
        return Files.newInputStream(tar);
    }
}
