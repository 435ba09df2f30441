package io.ncclffm.harness.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Everything one rank produced: its events in order, its log (standard error: NCCL's own log, and whatever else the
 * process printed), how it ended, and what was wrong with its event stream.
 *
 * <p>Standard output is the worker's event pipe ({@code EventChannel} in the worker): after the worker's first
 * event ({@code hello}) it carries nothing but events, one per line. So every other line there, a line longer than
 * {@link #MAX_EVENT_LINE}, an event before {@code hello} or after {@code done}, a second {@code hello}, an event
 * naming another rank, and more events than {@link #MAX_EVENTS} are {@linkplain #streamProblems() problems} that
 * make the rank's results untrustworthy. Lines before {@code hello} are the JVM's and are kept in the log.
 */
public final class RankOutput {

    /** The longest event line read whole; a plan of thousands of checks is a few MiB. */
    static final int MAX_EVENT_LINE = 16 << 20;
    /** The longest log line kept whole. */
    static final int MAX_LOG_LINE = 64 << 10;
    /** Events kept per rank; a full check run sends some thousands, a perf run some tens of thousands. */
    static final int MAX_EVENTS = 500_000;
    /** Characters of event lines kept per rank. */
    static final long MAX_EVENT_CHARS = 64L << 20;
    private static final int LOG_HEAD_CHARS = 2 << 20;
    private static final int LOG_TAIL_CHARS = 2 << 20;
    /** Problems listed per rank; past this many only their count grows. */
    private static final int MAX_PROBLEMS = 20;
    private static final int QUOTE_CHARS = 160;

    private final int rank;
    private final List<WorkerEvent> events = new ArrayList<>();
    private final RankLog log = new RankLog(LOG_HEAD_CHARS, LOG_TAIL_CHARS);
    private final List<String> problems = new ArrayList<>();
    private int problemCount;
    private long eventChars;
    private boolean helloSeen;
    private boolean doneSeen;
    private boolean eventsCapped;
    private CheckCatalog.Expected expected;
    private RankEnding ending = RankEnding.RUNNING;
    private String lastPhase = "starting";
    /** The clock of every time kept here: {@link System#nanoTime()}, or a test's. */
    private final LongSupplier clock;
    private long lastPhaseSince;
    /** When each phase was entered, in order: the supervisor tells a hung rank from a slow one by it. */
    private final List<PhaseStart> phaseStarts = new ArrayList<>();
    /** The call the worker said did not return, or {@code null}. */
    private WorkerEvent.Hung hung;

    private record PhaseStart(long nanos, String phase) {
    }

    public RankOutput(int rank) {
        this(rank, System::nanoTime);
    }

    /** A rank whose times come from {@code clock} (nanoseconds), the supervisor's clock. */
    RankOutput(int rank, LongSupplier clock) {
        this.rank = rank;
        this.clock = clock;
        this.lastPhaseSince = clock.getAsLong();
    }

    /**
     * Records what the rank must report, from the environment its launcher gives it: the worker's configuration
     * decides its checks ({@link CheckCatalog}), so its plan can be held to them.
     */
    public synchronized void expectFrom(Map<String, String> workerEnvironment) {
        try {
            expected = CheckCatalog.expected(WorkerConfig.fromEnvironment(workerEnvironment));
        } catch (IllegalArgumentException e) {
            // A configuration the worker refuses: it reports that itself, and no plan is due.
            expected = null;
        }
    }

    /** What the rank must report, known from its configuration; {@code null} when its launcher did not say. */
    public synchronized CheckCatalog.Expected expected() {
        return expected;
    }

    /** A splitter of the rank's event pipe into lines for {@link #acceptEventLine}; {@code then} sees each event. */
    LineSplitter eventLines(java.util.function.Consumer<WorkerEvent> then) {
        return new LineSplitter(MAX_EVENT_LINE, line -> {
            WorkerEvent e = acceptEventLine(line);
            if (e != null) then.accept(e);
        });
    }

    /** A splitter of the rank's standard error into log lines. */
    LineSplitter logLines() {
        return new LineSplitter(MAX_LOG_LINE, this::acceptLogLine);
    }

    /** Takes one whole line of the event pipe; returns the event it carried, or {@code null}. */
    public WorkerEvent acceptStdout(String line) {
        return acceptEventLine(new LineSplitter.Line(line, 0, false));
    }

    /** Takes one line of the event pipe; returns the event it carried, or {@code null}. */
    synchronized WorkerEvent acceptEventLine(LineSplitter.Line line) {
        if (line.cut()) {
            problem("a line of " + (line.text().length() + line.droppedBytes()) + " bytes on the event pipe, longer than the "
                    + MAX_EVENT_LINE + " an event may take, was cut: " + quote(line.text()));
            return null;
        }
        if (line.unterminated() && doneSeen) {
            problem("the event pipe ended inside a line after done: " + quote(line.text()));
            return null;
        }
        WorkerEvent e = line.unterminated() ? null : EventCodec.decode(line.text());
        if (e == null) {
            if (!helloSeen || line.unterminated()) {
                // The JVM's words before the worker took its pipe, or the last write of a rank killed mid-line.
                log.append("[stdout] " + line.text());
            } else {
                problem("a line on the event pipe that is not an event: " + quote(line.text()));
            }
            return null;
        }
        eventChars += line.text().length();
        if (eventsCapped || events.size() >= MAX_EVENTS || eventChars > MAX_EVENT_CHARS) {
            if (!eventsCapped) {
                eventsCapped = true;
                problem("more events than a rank may send (" + MAX_EVENTS + " events or " + MAX_EVENT_CHARS
                        + " characters); the rest were not read");
            }
            return null;
        }
        if (e.rank() != rank) problem("an event of rank " + e.rank() + " on rank " + rank + "'s pipe: " + quote(line.text()));
        if (e instanceof WorkerEvent.Hello) {
            if (helloSeen) problem("a second hello: " + quote(line.text()));
            helloSeen = true;
        } else if (!helloSeen && !(e instanceof WorkerEvent.Fatal)) {
            // A worker that cannot start (bad configuration) says so before its hello; nothing else may come first.
            problem("an event before the worker's hello: " + quote(line.text()));
        }
        if (doneSeen) problem("an event after done: " + quote(line.text()));
        events.add(e);
        long now = clock.getAsLong();
        if (e instanceof WorkerEvent.Hung h && hung == null) hung = h;
        if (e instanceof WorkerEvent.Progress p) {
            lastPhase = p.phase();
            lastPhaseSince = now;
            phaseStarts.add(new PhaseStart(now, p.phase()));
        } else if (e instanceof WorkerEvent.Done) {
            doneSeen = true;
            lastPhase = "done";
            lastPhaseSince = now;
            phaseStarts.add(new PhaseStart(now, "done"));
        }
        return e;
    }

    public void acceptStderr(String line) {
        acceptLogLine(new LineSplitter.Line(line, 0, false));
    }

    synchronized void acceptLogLine(LineSplitter.Line line) {
        log.append(line.cut() ? line.text() + " [ncclffm: line cut, " + line.droppedBytes() + " more bytes left out]" : line.text());
    }

    private void problem(String what) {
        problemCount++;
        if (problems.size() < MAX_PROBLEMS) problems.add(what);
    }

    private static String quote(String text) {
        String t = text.length() > QUOTE_CHARS ? text.substring(0, QUOTE_CHARS) + "..." : text;
        return "'" + t + "'";
    }

    /**
     * What was wrong with the rank's event pipe, in words, the first {@value #MAX_PROBLEMS} of them (see the class
     * comment); empty when nothing was. Any of them makes the rank's results untrustworthy.
     */
    public synchronized List<String> streamProblems() {
        if (problemCount <= problems.size()) return List.copyOf(problems);
        List<String> all = new ArrayList<>(problems);
        all.add((problemCount - problems.size()) + " more");
        return List.copyOf(all);
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

    public String log() {
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

    /** The first call the worker said did not return within its bound ({@link WorkerEvent.Hung}), or {@code null}. */
    public synchronized WorkerEvent.Hung hungCall() {
        return hung;
    }

    /** When the rank entered its current phase, on the clock of {@link #RankOutput(int, LongSupplier)}. */
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
        return doneSeen;
    }
}
