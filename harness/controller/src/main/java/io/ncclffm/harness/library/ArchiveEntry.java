package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** One file taken out of a zip archive (a jar or a wheel). */
final class ArchiveEntry {

    private static final int LISTED = 30;

    private ArchiveEntry() {
    }

    /**
     * Copies {@code entry} of {@code archive} to {@code target}. When the archive has no such entry, the error lists
     * the entries that look like it (same file-name stem, or same folder), or the archive's first entries.
     *
     * @param what names the archive in messages, e.g. "artifact g:a:v"
     */
    static void extract(Path archive, String entry, Path target, String what) {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry e = zip.getEntry(entry);
            if (e == null || e.isDirectory()) {
                throw new LibraryException(what + " has no file '" + entry + "' (" + archive + "); " + nearMatches(zip, entry));
            }
            try (InputStream in = zip.getInputStream(e)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new LibraryException("cannot read " + what + " (" + archive + ") as a zip archive: " + e.getMessage(), e);
        }
    }

    static String nearMatches(ZipFile zip, String entry) {
        String name = entry.substring(entry.lastIndexOf('/') + 1);
        String stem = (name.contains(".") ? name.substring(0, name.indexOf('.')) : name).toLowerCase(Locale.ROOT);
        String folder = entry.contains("/") ? entry.substring(0, entry.lastIndexOf('/') + 1) : null;
        List<String> files = new ArrayList<>();
        List<String> near = new ArrayList<>();
        zip.stream().filter(z -> !z.isDirectory()).forEach(z -> {
            String n = z.getName();
            files.add(n);
            String base = n.substring(n.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            if ((!stem.isEmpty() && base.startsWith(stem)) || (folder != null && n.startsWith(folder))) near.add(n);
        });
        if (!near.isEmpty()) return "near matches: " + listed(near);
        return "it has " + files.size() + " files: " + listed(files);
    }

    private static String listed(List<String> names) {
        if (names.size() <= LISTED) return String.join(", ", names);
        return String.join(", ", names.subList(0, LISTED)) + ", ... and " + (names.size() - LISTED) + " more";
    }
}
