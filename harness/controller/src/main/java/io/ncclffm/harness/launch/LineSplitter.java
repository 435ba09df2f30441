package io.ncclffm.harness.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a rank's output into lines from chunks that may cut a line (or a UTF-8 character) anywhere: a pipe's reads,
 * Docker's log frames. It never holds more than {@code maxLine} bytes of one line, whatever the rank writes: the
 * rest of a longer line is counted and dropped, and the line is handed on cut, saying so.
 */
final class LineSplitter {

    /**
     * One line of output.
     *
     * @param text         the line without its newline, or its first {@code maxLine} bytes when it was longer
     * @param droppedBytes how many bytes of the line were left out (0 for a whole line)
     * @param unterminated whether the stream ended before the line's newline (a rank killed mid-write)
     */
    record Line(String text, long droppedBytes, boolean unterminated) {
        boolean cut() {
            return droppedBytes > 0;
        }
    }

    private final int maxLine;
    private final Consumer<Line> sink;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long dropped;

    LineSplitter(int maxLine, Consumer<Line> sink) {
        if (maxLine < 1) throw new IllegalArgumentException("maxLine must be at least 1, got " + maxLine);
        this.maxLine = maxLine;
        this.sink = sink;
    }

    synchronized void accept(byte[] chunk) {
        accept(chunk, 0, chunk.length);
    }

    synchronized void accept(byte[] chunk, int off, int len) {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (chunk[i] != '\n') continue;
            append(chunk, start, i - start);
            emit(false);
            start = i + 1;
        }
        append(chunk, start, end - start);
    }

    /** Hands on a last line that had no newline, if any; call once the stream has ended. */
    synchronized void finish() {
        if (partial.size() > 0 || dropped > 0) emit(true);
    }

    /** Reads {@code in} to its end, line by line, then {@link #finish()}es. */
    void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) accept(buf, 0, n);
        } finally {
            finish();
        }
    }

    private void append(byte[] b, int off, int len) {
        int room = maxLine - partial.size();
        int take = Math.max(0, Math.min(room, len));
        partial.write(b, off, take);
        dropped += len - take;
    }

    private void emit(boolean unterminated) {
        byte[] bytes = partial.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r' && dropped == 0) n--;
        Line line = new Line(new String(bytes, 0, n, StandardCharsets.UTF_8), dropped, unterminated);
        partial.reset();
        dropped = 0;
        sink.accept(line);
    }
}
