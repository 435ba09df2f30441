package io.ncclffm.harness.launch;

import java.util.ArrayList;
import java.util.List;

import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Everything one rank produced: its events in order, its log (standard error plus any standard-output line that
 * was not an event, which is where NCCL's own log lands), and how it ended.
 */
public final class RankOutput {

    private static final int MAX_LOG_CHARS = 4 << 20;

    private final int rank;
    private final List<WorkerEvent> events = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();
    private RankEnding ending = RankEnding.RUNNING;
    private String lastPhase = "starting";
    private long lastPhaseSince = System.nanoTime();
    /** When each phase was entered, in order: the supervisor tells a hung rank from a slow one by it. */
    private final List<PhaseStart> phaseStarts = new ArrayList<>();

    private record PhaseStart(long nanos, String phase) {
    }

    public RankOutput(int rank) {
        this.rank = rank;
    }

    /** Takes one line of standard output; returns the event it carried, or {@code null}. */
    public synchronized WorkerEvent acceptStdout(String line) {
        WorkerEvent e = EventCodec.decode(line);
        if (e == null) {
            appendLog("[stdout] " + line);
            return null;
        }
        events.add(e);
        long now = System.nanoTime();
        if (e instanceof WorkerEvent.Progress p) {
            lastPhase = p.phase();
            lastPhaseSince = now;
            phaseStarts.add(new PhaseStart(now, p.phase()));
        } else if (e instanceof WorkerEvent.Done) {
            lastPhase = "done";
            lastPhaseSince = now;
            phaseStarts.add(new PhaseStart(now, "done"));
        }
        return e;
    }

    public synchronized void acceptStderr(String line) {
        appendLog(line);
    }

    private void appendLog(String line) {
        if (log.length() < MAX_LOG_CHARS) log.append(line).append('\n');
    }

    public synchronized void ended(RankEnding ending) {
        if (!ending.ended()) throw new IllegalArgumentException("rank " + rank + " cannot end as " + ending.kind());
        this.ending = ending;
    }

    public int rank() {
        return rank;
    }

    public synchronized List<WorkerEvent> events() {
        return List.copyOf(events);
    }

    public synchronized String log() {
        return log.toString();
    }

    /** The exit code, or {@code null} when the rank was killed or never started. */
    public synchronized Integer exitCode() {
        return ending.exitCode();
    }

    /** How the rank ended; {@link RankEnding#RUNNING} until it has. */
    public synchronized RankEnding ending() {
        return ending;
    }

    /** Whether the rank has ended (exited, died, or was killed). */
    public synchronized boolean hasEnded() {
        return ending.ended();
    }

    /** {@link System#nanoTime()} when the rank entered its current phase. */
    public synchronized long lastPhaseSince() {
        return lastPhaseSince;
    }

    /**
     * The first time after {@code since} at which this rank entered a phase other than {@code phase} (it went on
     * past where another rank is), or {@code -1} if it has not.
     */
    public synchronized long movedOnAfter(long since, String phase) {
        for (PhaseStart t : phaseStarts) if (t.nanos() - since > 0 && !t.phase().equals(phase)) return t.nanos();
        return -1;
    }

    /** Whether the worker ever announced {@code phase}. */
    public synchronized boolean entered(String phase) {
        for (PhaseStart t : phaseStarts) if (t.phase().equals(phase)) return true;
        return false;
    }

    /** The last phase the worker announced, e.g. the check it was running. */
    public synchronized String lastPhase() {
        return lastPhase;
    }

    public synchronized boolean sawDone() {
        return events.stream().anyMatch(e -> e instanceof WorkerEvent.Done);
    }
}
