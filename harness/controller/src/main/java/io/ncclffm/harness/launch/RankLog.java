package io.ncclffm.harness.launch;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A rank's log, bounded: it keeps the head (how the rank started, what it loaded) and the tail (NCCL's last error,
 * how it ended) and counts what it left out between them, so that a noisy start cannot push the end out.
 */
final class RankLog {

    private final int headChars;
    private final int tailChars;
    private final StringBuilder head = new StringBuilder();
    private final Deque<String> tail = new ArrayDeque<>();
    private long tailSize;
    private long omittedLines;
    private long omittedChars;

    RankLog(int headChars, int tailChars) {
        this.headChars = headChars;
        this.tailChars = tailChars;
    }

    synchronized void append(String line) {
        if (tail.isEmpty() && head.length() + line.length() + 1 <= headChars) {
            head.append(line).append('\n');
            return;
        }
        tail.addLast(line);
        tailSize += line.length() + 1;
        while (tailSize > tailChars && tail.size() > 1) {
            String gone = tail.removeFirst();
            tailSize -= gone.length() + 1;
            omittedLines++;
            omittedChars += gone.length() + 1;
        }
    }

    /** The log as it reads: head, a line saying what was left out (if anything), tail. */
    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder(head);
        if (omittedLines > 0) {
            sb.append("[ncclffm] ... ").append(omittedLines).append(" line(s), ").append(omittedChars)
                    .append(" characters left out of the middle of this log ...\n");
        }
        for (String line : tail) sb.append(line).append('\n');
        return sb.toString();
    }
}
