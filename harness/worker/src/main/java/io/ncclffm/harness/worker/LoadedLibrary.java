package io.ncclffm.harness.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import io.ncclffm.LoadedFile;
import io.ncclffm.Nccl;
import io.ncclffm.harness.protocol.LibraryFile;

/**
 * Measures the file a rank really runs NCCL from: the file the dynamic loader mapped ({@link Nccl#loadedFile()}),
 * hashed right after loading, and NCCL's build line found in it. A file replaced on disk before or while it is hashed
 * (the memory map then says it was deleted, or maps another inode) cannot be vouched for, and is an error.
 */
final class LoadedLibrary {

    private static final byte[][] BUILD_LINE_STARTS = {
            "NCCL version ".getBytes(StandardCharsets.US_ASCII), "RCCL version ".getBytes(StandardCharsets.US_ASCII)};
    /** The longest build line taken, e.g. {@code NCCL version 2.28.3+cuda12.9} with a suffix. */
    private static final int MAX_BUILD_LINE = 96;
    private static final int CHUNK = 1 << 20;

    private LoadedLibrary() {
    }

    /**
     * @throws IllegalStateException when the process has no map naming the file, or the file changed under it
     * @throws IOException           when the file cannot be read
     */
    static LibraryFile measure(Nccl nccl) throws IOException {
        LoadedFile before = mapped(nccl);
        Path path = before.path();
        MessageDigest sha = sha256();
        BuildLineScanner scanner = new BuildLineScanner();
        long size = 0;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            while (ch.read(buf.clear()) >= 0) {
                buf.flip();
                size += buf.remaining();
                sha.update(buf.duplicate());
                scanner.scan(buf);
            }
        }
        LoadedFile after = mapped(nccl);
        if (!after.equals(before)) {
            throw new IllegalStateException("the file NCCL runs from changed on disk while it was hashed: mapped as " + before
                    + ", now " + after);
        }
        return new LibraryFile(nccl.libraryPath(), path.toString(), size, HexFormat.of().formatHex(sha.digest()),
                scanner.line(), nccl.newerThanKnownNote().orElse(null));
    }

    private static LoadedFile mapped(Nccl nccl) {
        LoadedFile f = nccl.loadedFile().orElseThrow(() -> new IllegalStateException(
                "no memory map of this process names the file that holds ncclGetVersion"));
        if (f.deleted()) {
            throw new IllegalStateException(f.path() + " was deleted or replaced on disk after it was loaded: the file that"
                    + " runs can no longer be read");
        }
        return f;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * Finds the first {@code NCCL version <digit>...} (or RCCL's) string in a file read in chunks: the literal NCCL
     * compiles in and prints at init with {@code NCCL_DEBUG=VERSION}. A match may straddle two chunks, so the last
     * bytes of each chunk are carried into the next.
     */
    static final class BuildLineScanner {
        private byte[] carry = new byte[0];
        private String line;

        void scan(ByteBuffer chunk) {
            if (line != null) return;
            byte[] b = new byte[carry.length + chunk.remaining()];
            System.arraycopy(carry, 0, b, 0, carry.length);
            chunk.duplicate().get(b, carry.length, chunk.remaining());
            int keep = BUILD_LINE_STARTS[0].length + MAX_BUILD_LINE;
            for (int i = 0; i < b.length && line == null; i++) {
                if (b[i] != 'N' && b[i] != 'R') continue;
                for (byte[] start : BUILD_LINE_STARTS) {
                    if (!startsAt(b, i, start)) continue;
                    int end = i + start.length;
                    while (end < b.length && end - i < start.length + MAX_BUILD_LINE && printable(b[end])) end++;
                    // A string running to the chunk's end may go on in the next: it lies in the carry, scanned again.
                    if (end == b.length) break;
                    if (end > i + start.length && Character.isDigit(b[i + start.length])) {
                        line = new String(b, i, end - i, StandardCharsets.US_ASCII);
                    }
                    break;
                }
            }
            int from = Math.max(0, b.length - keep);
            carry = Arrays.copyOfRange(b, from, b.length);
        }

        /** The build line found, or {@code null}. */
        String line() {
            return line;
        }

        private static boolean startsAt(byte[] b, int i, byte[] s) {
            if (i + s.length > b.length) return false;
            for (int k = 0; k < s.length; k++) if (b[i + k] != s[k]) return false;
            return true;
        }

        private static boolean printable(byte c) {
            return c > ' ' && c < 127;
        }
    }
}
