package io.ncclffm.harness.protocol;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The event pipe of a Slurm task. {@code srun} forwards a task's output in pieces of at most 1024 bytes, and with
 * {@code --label} it starts every piece on a line of its own, so a longer event line would arrive as several lines.
 * The worker therefore writes every event line as pieces of at most {@link #MAX_PIECE} bytes, cut between UTF-8
 * characters; each piece but the last starts with {@link #CONTINUED}. An event line starts with '{', never with it.
 * The controller joins them again ({@link Joiner}), bounded as any rank's event line is.
 */
public final class TaskLines {

    /** The most bytes of one piece, its marker included, below the 1024 srun forwards at once. */
    public static final int MAX_PIECE = 1000;
    public static final char CONTINUED = '+';

    private TaskLines() {
    }

    /** The stream a worker under Slurm writes its events to: lines go to {@code out} in pieces. */
    public static OutputStream framing(OutputStream out) {
        return new Framing(out);
    }

    private static final class Framing extends FilterOutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Framing(OutputStream out) {
            super(out);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (b != '\n') {
                line.write(b);
                return;
            }
            byte[] bytes = line.toByteArray();
            line.reset();
            int start = 0;
            while (bytes.length - start > MAX_PIECE) {
                int end = start + MAX_PIECE - 1;
                // never between the bytes of one character: back off over UTF-8 continuation bytes
                while (end > start + 1 && (bytes[end] & 0xC0) == 0x80) end--;
                piece(true, bytes, start, end);
                start = end;
            }
            piece(false, bytes, start, bytes.length);
        }

        /** One piece as one write, so that a pipe's reader sees it whole where the system keeps writes whole. */
        private void piece(boolean more, byte[] bytes, int start, int end) throws IOException {
            int mark = more ? 1 : 0;
            byte[] piece = new byte[end - start + mark + 1];
            if (more) piece[0] = (byte) CONTINUED;
            System.arraycopy(bytes, start, piece, mark, end - start);
            piece[piece.length - 1] = '\n';
            out.write(piece);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) write(b[i]);
        }
    }

    /**
     * Joins one task's pieces into its lines again, holding at most {@code maxLine} characters of one line: the rest
     * is counted and dropped, as for any rank's event pipe.
     */
    public static final class Joiner {
        /** A whole line, or its first {@code maxLine} characters and how many more there were. */
        public record Joined(String text, long dropped) {
        }

        private final int maxLine;
        private final StringBuilder partial = new StringBuilder();
        private long dropped;

        public Joiner(int maxLine) {
            this.maxLine = maxLine;
        }

        /** Takes one piece; returns the line it completes, or {@code null} when the line goes on. */
        public Joined accept(String piece) {
            boolean more = !piece.isEmpty() && piece.charAt(0) == CONTINUED;
            String text = more ? piece.substring(1) : piece;
            int room = Math.max(0, maxLine - partial.length());
            partial.append(text, 0, Math.min(room, text.length()));
            dropped += Math.max(0, text.length() - room);
            if (more) return null;
            Joined j = new Joined(partial.toString(), dropped);
            partial.setLength(0);
            dropped = 0;
            return j;
        }

        /** What is held of a line whose last piece never came (the task ended mid-line), or {@code null}. */
        public Joined rest() {
            if (partial.isEmpty() && dropped == 0) return null;
            Joined j = new Joined(partial.toString(), dropped);
            partial.setLength(0);
            dropped = 0;
            return j;
        }
    }
}
