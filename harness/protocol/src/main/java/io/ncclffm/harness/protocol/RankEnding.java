package io.ncclffm.harness.protocol;

/**
 * How one rank's worker ended, as its launcher saw it: the worker's own exit, a signal, a kill by the launcher and
 * why, or no start at all. Reports print it ({@link #toString()}: "exited with 0", "died of SIGKILL (exit 137) while
 * in comm-init"); code that decides anything reads its fields.
 *
 * @param kind       what happened
 * @param exitCode   the process's (or container's) exit status, or {@code null} when there is none (still running,
 *                   killed, vanished, never started)
 * @param killReason why the launcher killed it, for {@link Kind#KILLED}; else {@code null}
 * @param detail     the launcher's words, for {@link Kind#KILLED} (e.g. "killed after the cell timeout of 600 s") and
 *                   {@link Kind#NOT_STARTED}; else {@code null}
 * @param phase      the last phase the worker announced when it ended ({@link WorkerEvent.Progress}); {@code null}
 *                   for a worker that exited after finishing, or that never started
 */
public record RankEnding(Kind kind, Integer exitCode, KillReason killReason, String detail, String phase) {

    /** What happened to the rank. */
    public enum Kind {
        /** It has not ended yet. */
        RUNNING,
        /** The worker exited by itself with {@link #exitCode()} ({@link WorkerExit}), finished or not. */
        EXITED,
        /** It died of a signal it did not handle: exit status 128 + the signal's number. */
        SIGNALLED,
        /** The launcher killed it, for {@link #killReason()}. */
        KILLED,
        /** The kernel killed its container for running out of memory. */
        OUT_OF_MEMORY,
        /** Its container disappeared. */
        VANISHED,
        /** It never started, or was stopped because its cell could not start. */
        NOT_STARTED
    }

    /** Why the launcher killed a rank (the rank supervisor's rules, and a cell that could not start). */
    public enum KillReason {
        /** The cell's timeout ran out while it was still running. */
        CELL_TIMEOUT,
        /** A peer died before finishing; the others got a grace to notice, then were killed. */
        PEER_DIED,
        /** A peer hung and was killed; without it no later collective can complete. */
        PEER_HUNG,
        /** It stayed in one phase while a peer went on past it. */
        HUNG,
        /** The harness was interrupted. */
        INTERRUPTED,
        /** Another rank of its cell could not start. */
        CELL_NOT_STARTED
    }

    /** The ending of a rank that has not ended. */
    public static final RankEnding RUNNING = new RankEnding(Kind.RUNNING, null, null, null, null);

    public RankEnding {
        if (kind == null) throw new IllegalArgumentException("a rank ending needs its kind");
        if ((kind == Kind.KILLED) != (killReason != null)) {
            throw new IllegalArgumentException("a kill reason goes with KILLED only, got " + kind + " and " + killReason);
        }
        if (kind == Kind.EXITED || kind == Kind.SIGNALLED) {
            if (exitCode == null) throw new IllegalArgumentException(kind + " needs its exit status");
        }
        if (kind == Kind.SIGNALLED && exitCode <= 128) {
            throw new IllegalArgumentException("a signal's exit status is above 128, got " + exitCode);
        }
    }

    /**
     * The ending of a process that exited with {@code code}: above 128 it died of signal {@code code - 128}.
     *
     * @param finished whether the worker had reported it was done (then no phase is kept)
     * @param phase    the last phase it announced
     */
    public static RankEnding exited(int code, boolean finished, String phase) {
        if (code > 128) return new RankEnding(Kind.SIGNALLED, code, null, null, phase);
        return new RankEnding(Kind.EXITED, code, null, null, finished ? null : phase);
    }

    /** Killed by the launcher, in {@code phase}; {@code why} in the supervisor's words. */
    public static RankEnding killed(KillReason reason, String why, String phase) {
        return new RankEnding(Kind.KILLED, null, reason, why, phase);
    }

    /** Its container was killed for running out of memory ({@code code} as the container reports it, or null). */
    public static RankEnding outOfMemory(Integer code, String phase) {
        return new RankEnding(Kind.OUT_OF_MEMORY, code, null, null, phase);
    }

    public static RankEnding vanished(String phase) {
        return new RankEnding(Kind.VANISHED, null, null, null, phase);
    }

    /** Never started, or stopped before its worker ran: {@code why} says what went wrong. */
    public static RankEnding notStarted(String why) {
        return new RankEnding(Kind.NOT_STARTED, null, null, why, null);
    }

    /** Whether the rank has ended, in any way. */
    public boolean ended() {
        return kind != Kind.RUNNING;
    }

    /** The signal's number for {@link Kind#SIGNALLED}, else 0. */
    public int signal() {
        return kind == Kind.SIGNALLED ? exitCode - 128 : 0;
    }

    /** The worker's own exit for {@link Kind#EXITED}, else {@code null}. */
    public WorkerExit workerExit() {
        return kind == Kind.EXITED ? WorkerExit.fromCode(exitCode) : null;
    }

    /** The signal's name, e.g. {@code SIGKILL}, or {@code signal 7} for one without a name here. */
    static String signalName(int signal) {
        return switch (signal) {
            case 9 -> "SIGKILL";
            case 15 -> "SIGTERM";
            case 11 -> "SIGSEGV";
            case 6 -> "SIGABRT";
            default -> "signal " + signal;
        };
    }

    /** In words, as the reports show it. */
    @Override
    public String toString() {
        return switch (kind) {
            case RUNNING -> "still running";
            case EXITED -> "exited with " + exitCode + (phase == null ? "" : " without finishing, while in " + phase);
            case SIGNALLED -> "died of " + signalName(signal()) + " (exit " + exitCode + ") while in " + phase;
            case KILLED -> detail + "; it was in " + phase;
            case OUT_OF_MEMORY -> "killed by the kernel for running out of memory while in " + phase;
            case VANISHED -> "container vanished while in " + phase;
            case NOT_STARTED -> detail;
        };
    }
}
