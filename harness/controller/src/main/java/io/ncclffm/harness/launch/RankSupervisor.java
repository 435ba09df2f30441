package io.ncclffm.harness.launch;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.SupervisionGraces;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.RankEnding.KillReason;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Watches the ranks of one cell run until every one has ended, for both launchers, and ends the run when waiting
 * longer would learn nothing:
 * <ul>
 *   <li>the cell timeout: every rank still running is killed;</li>
 *   <li>a rank said a call into the library did not return ({@link WorkerEvent.Hung}): it ends itself, having
 *       reported the check the call hung in, and the others get {@link #AFTER_HANG} to flush, then are killed: a
 *       call NCCL never returns from cannot be recovered, and without that rank no later collective can complete. A
 *       worker says so once the call has overrun its bound (the collective timeout, or the init timeout for init),
 *       so such a cell ends within that bound, a sampling interval and {@link #AFTER_HANG};</li>
 *   <li>a rank died before finishing: the others get the peer-death grace ({@link SupervisionGraces}) to notice through their own
 *       timeouts and report, then are killed;</li>
 *   <li>a rank hung: it stayed in one phase (a check, a call) while a peer went on past it, and the peer went on
 *       more than the hung grace ({@link SupervisionGraces}) ago. A peer goes on when its own collective timeout fires, so a rank that
 *       blocks forever inside {@code ncclAllReduce} or init ends the cell within the collective timeout plus this
 *       grace, named with the phase it hung in. The rest get {@link #AFTER_HANG} to flush, then are killed: without
 *       the hung rank no later collective can complete. A peer that has finished counts as having gone on only
 *       past phases it was in itself, so rank 0 running nccl-tests after its peers are done is not hung. This rule
 *       is what ends a rank stuck where its worker cannot see it: outside a call into the library, or in the
 *       blocking init of a release without non-blocking init, which the worker cannot tell from a slow compile.</li>
 * </ul>
 */
public final class RankSupervisor {

    /**
     * The same for communicator init, which ranks leave at different times for good reasons: on a release without
     * code for the GPU the driver compiles every kernel from PTX during init (minutes, and not equally fast in every
     * process). Init is bounded by the worker's own init timeout where the release can be aborted.
     */
    public static final Duration INIT_HUNG_GRACE = Duration.ofSeconds(180);
    /** The phase of communicator init: a worker's phase is the id of the check it runs. */
    static final String INIT_PHASE = CheckGroup.COMM_INIT;
    /** How long the other ranks get after a hung rank was killed. */
    public static final Duration AFTER_HANG = Duration.ofSeconds(5);

    /** A rank as the supervisor sees it; the launcher knows how to ask a process or a container. */
    public interface Rank {
        RankOutput output();

        /** Whether it is still running; when it is not, the implementation records how it ended in the output. */
        boolean poll();

        /** Kills it and records that as its ending, with {@code why} in words and the phase it was in. */
        void kill(KillReason reason, String why);
    }

    private final Cell cell;
    private final LongSupplier clock;
    private final long pollMillis;
    private final Duration hungGrace;
    private final Duration peerDeathGrace;
    private final Duration afterHang;

    public RankSupervisor(Cell cell) {
        this(cell, SupervisionGraces.of(cell.env()));
    }

    private RankSupervisor(Cell cell, SupervisionGraces graces) {
        this(cell, System::nanoTime, 100, graces.hung(), graces.peerDeath(), AFTER_HANG);
    }

    RankSupervisor(Cell cell, LongSupplier clock, long pollMillis, Duration hungGrace, Duration peerDeathGrace,
                   Duration afterHang) {
        this.cell = cell;
        this.clock = clock;
        this.pollMillis = pollMillis;
        this.hungGrace = hungGrace;
        this.peerDeathGrace = peerDeathGrace;
        this.afterHang = afterHang;
    }

    /** Blocks until every rank has ended; returns why the run was cut short, or {@code null} when it was not. */
    public String supervise(List<? extends Rank> ranks) {
        long deadline = clock.getAsLong() + cell.timeout().toNanos();
        long killAt = Long.MAX_VALUE;
        String killWhy = null;
        KillReason killReason = null;
        String firstDeath = null;
        Rank saidHung = null;
        while (true) {
            if (step(ranks)) return killWhy;
            long now = clock.getAsLong();
            if (saidHung == null) {
                saidHung = saidHung(ranks);
                if (saidHung != null) {
                    killAt = Math.min(killAt, now + afterHang.toNanos());
                    killWhy = "killed " + afterHang.toSeconds() + " s after a peer hung (" + hungCall(saidHung.output()) + ")";
                    killReason = KillReason.PEER_HUNG;
                }
            }
            if (killWhy == null) {
                for (Rank r : ranks) {
                    RankOutput o = r.output();
                    if (o.hasEnded() && !o.sawDone() && firstDeath == null) {
                        firstDeath = "rank " + o.rank() + " " + o.ending();
                        killAt = now + peerDeathGrace.toNanos();
                        killWhy = "killed " + peerDeathGrace.toSeconds() + " s after its peer died (" + firstDeath + ")";
                        killReason = KillReason.PEER_DIED;
                    }
                }
            }
            if (now - deadline > 0) {
                killAll(ranks, KillReason.CELL_TIMEOUT, "killed after the cell timeout of " + cell.timeout().toSeconds() + " s");
                return "the cell timeout of " + cell.timeout().toSeconds() + " s ran out";
            }
            String hung = hung(ranks, now);
            if (hung != null) {
                killAt = Math.min(killAt, now + afterHang.toNanos());
                killWhy = "killed " + afterHang.toSeconds() + " s after a peer hung (" + hung + ")";
                killReason = KillReason.PEER_HUNG;
            }
            if (now - killAt > 0) {
                if (saidHung != null && !saidHung.output().hasEnded()) {
                    // It said it would end and did not: what still holds it is the call it named.
                    saidHung.kill(KillReason.HUNG, "killed: " + hungCall(saidHung.output()) + ", and it did not end itself");
                }
                killAll(ranks, killReason, killWhy);
                return killWhy;
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll(ranks, KillReason.INTERRUPTED, "killed: the harness was interrupted");
                return "interrupted";
            }
        }
    }

    /** Polls every rank; true when none is running. */
    private static boolean step(List<? extends Rank> ranks) {
        boolean anyRunning = false;
        for (Rank r : ranks) {
            if (r.output().hasEnded()) continue;
            anyRunning |= r.poll();
        }
        return !anyRunning;
    }

    /** The first rank that said a call of it did not return ({@link RankOutput#hungCall()}), or {@code null}. */
    private static Rank saidHung(List<? extends Rank> ranks) {
        for (Rank r : ranks) if (r.output().hungCall() != null) return r;
        return null;
    }

    /** E.g. {@code rank 1 hung in ncclAllReduce during allreduce/float32/sum/1/in-place: it did not return within 60 s}. */
    private static String hungCall(RankOutput o) {
        WorkerEvent.Hung h = o.hungCall();
        return "rank " + o.rank() + " hung in " + h.call() + " during " + h.phase() + ": it did not return within "
                + h.boundMillis() / 1000 + " s";
    }

    /** Kills the first hung rank found and says which and where; {@code null} when none is. */
    private String hung(List<? extends Rank> ranks, long now) {
        for (Rank r : ranks) {
            RankOutput o = r.output();
            if (o.hasEnded() || o.sawDone()) continue;
            long since = o.lastPhaseSince();
            for (Rank peer : ranks) {
                if (peer == r || (peer.output().hasEnded() && !peer.output().sawDone())) continue;
                // A peer that finished never went past a phase it was never in: rank 0's own work after the
                // collectives (nccl-tests over every rank's GPU) is no call the peer left it in.
                if (peer.output().sawDone() && !peer.output().entered(o.lastPhase())) continue;
                long wentOn = peer.output().movedOnAfter(since, o.lastPhase());
                Duration grace = INIT_PHASE.equals(o.lastPhase()) ? max(hungGrace, INIT_HUNG_GRACE) : hungGrace;
                if (wentOn < 0 || now - wentOn < grace.toNanos()) continue;
                String phase = o.lastPhase();
                long stuck = (now - since) / 1_000_000_000L;
                String why = "rank " + o.rank() + " hung in " + phase + ": no progress for " + stuck + " s, while rank "
                        + peer.output().rank() + " went on " + (now - wentOn) / 1_000_000_000L + " s ago";
                r.kill(KillReason.HUNG, "killed: hung in " + phase + " (no progress for " + stuck + " s while rank " + peer.output().rank()
                        + " went on)");
                return why;
            }
        }
        return null;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void killAll(List<? extends Rank> ranks, KillReason reason, String why) {
        for (Rank r : ranks) if (!r.output().hasEnded()) r.kill(reason, why);
    }
}
