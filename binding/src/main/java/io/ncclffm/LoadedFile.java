package io.ncclffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file the dynamic loader actually mapped for a loaded library: what {@code libnccl.so.2} resolved to through the
 * search path, or the object that exports NCCL's API when another library carries NCCL inside it. It is read from
 * the process's memory map ({@code /proc/self/maps}), so it names the file the process runs, not the one a path
 * would name now.
 *
 * @param path    the file as the kernel names it (inside a container, the container's path)
 * @param device  the file system's device, {@code major:minor} in hex as the map writes it (e.g. {@code fd:01})
 * @param inode   the file's inode on that device
 * @param deleted whether the file was deleted or replaced on disk after it was mapped (the map says "(deleted)");
 *                then {@link #path()} no longer leads to what runs
 */
public record LoadedFile(Path path, String device, long inode, boolean deleted) {

    private static final String DELETED = " (deleted)";

    /**
     * The mapping of {@code address} in {@code /proc/self/maps}, or empty where the process has no such map (not
     * Linux) or the address lies in no file's mapping.
     */
    static Optional<LoadedFile> containing(long address) {
        List<String> maps;
        try {
            maps = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        for (String line : maps) {
            Optional<LoadedFile> f = parse(line, address);
            if (f.isPresent()) return f;
        }
        return Optional.empty();
    }

    /** One line of the map: {@code start-end perms offset dev inode   path}, if it maps a file holding {@code address}. */
    static Optional<LoadedFile> parse(String line, long address) {
        String[] f = line.strip().split("\\s+", 6);
        if (f.length < 6 || !f[5].startsWith("/")) return Optional.empty();
        int dash = f[0].indexOf('-');
        if (dash < 0) return Optional.empty();
        long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
        long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
        if (Long.compareUnsigned(address, start) < 0 || Long.compareUnsigned(address, end) >= 0) return Optional.empty();
        String path = f[5];
        boolean deleted = path.endsWith(DELETED);
        if (deleted) path = path.substring(0, path.length() - DELETED.length());
        return Optional.of(new LoadedFile(Path.of(path), f[3], Long.parseLong(f[4]), deleted));
    }
}
