package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RankEnding.KillReason;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * The one supervision policy both launchers use, on scripted ranks in simulated time: each time the supervisor
 * reads its clock, time moves on by one {@link Timeline#TICK} and the ranks do what the script says they do by then.
 * No real time passes between a rank's events, so no result depends on how loaded the machine is.
 */
@Timeout(60)
class RankSupervisorTest {

    /** The test's graces: a rank hung in a collective, a dead peer, the others after a hang. */
    static final Duration HUNG_GRACE = Duration.ofMillis(300);
    static final Duration PEER_DEATH_GRACE = Duration.ofMillis(400);
    static final Duration AFTER_HANG = Duration.ofMillis(100);

    /** Simulated time, in nanoseconds, and what the ranks do at which moment of it. */
    private static final class Timeline {
        static final long TICK = Duration.ofMillis(10).toNanos();

        private record Scheduled(long at, int order, Runnable action) {
        }

        private final List<Scheduled> script = new ArrayList<>();
        private long now;

        /** {@code action} happens at the first tick at or after {@code millis}; actions of one tick in script order. */
        Timeline at(long millis, Runnable action) {
            script.add(new Scheduled(Duration.ofMillis(millis).toNanos(), script.size(), action));
            script.sort(Comparator.comparingLong(Scheduled::at).thenComparingInt(Scheduled::order));
            return this;
        }

        long now() {
            return now;
        }

        /** The supervisor's clock: one tick on, and whatever the script says happens by then. */
        long advance() {
            now += TICK;
            while (!script.isEmpty() && script.getFirst().at() <= now) script.removeFirst().action().run();
            return now;
        }

        long nowMillis() {
            return Duration.ofNanos(now).toMillis();
        }
    }

    /** A rank whose life the script decides: it "runs" until the script ends it or the supervisor kills it. */
    private static final class ScriptedRank implements RankSupervisor.Rank {
        final RankOutput out;
        boolean running = true;
        int exitCode;
        String killedWhy;
        KillReason killedFor;

        ScriptedRank(int rank, Timeline time) {
            out = new RankOutput(rank, time::now);
        }

        void enter(String phase) {
            out.acceptStdout(EventCodec.encode(new WorkerEvent.Progress(out.rank(), phase)));
        }

        void finish() {
            out.acceptStdout(EventCodec.encode(new WorkerEvent.Done(out.rank(), 1, 0, 0, 0, 1)));
            running = false;
        }

        /** Says {@code call} did not return within 60 s during its current phase, as the worker does. */
        void sayHung(String call) {
            out.acceptStdout(EventCodec.encode(new WorkerEvent.Hung(out.rank(), call, out.lastPhase(), 60_000)));
        }

        @Override
        public RankOutput output() {
            return out;
        }

        @Override
        public boolean poll() {
            if (running) return true;
            if (!out.hasEnded()) out.ended(RankEnding.exited(exitCode, out.sawDone(), out.lastPhase()));
            return false;
        }

        @Override
        public void kill(KillReason reason, String why) {
            killedWhy = why;
            killedFor = reason;
            running = false;
            out.ended(RankEnding.killed(reason, why, out.lastPhase()));
        }
    }

    private static Cell cell(Duration timeout) {
        return Cell.builder("c", io.ncclffm.Flavor.NCCL, io.ncclffm.NcclVersion.of(2, 28, 3))
                .source(new Cell.HostLibrary("/x.so"), "/x.so").worlds(List.of(2)).timeout(timeout).line(1).build();
    }

    /** Supervises on {@code time}'s clock; the supervisor does not wait between looks, time moves by its clock alone. */
    private static String supervise(Timeline time, Duration cellTimeout, ScriptedRank... ranks) {
        return new RankSupervisor(cell(cellTimeout), time::advance, 0, HUNG_GRACE, PEER_DEATH_GRACE, AFTER_HANG)
                .supervise(List.of(ranks));
    }

    @Test
    void aRankThatStaysInACallAfterItsPeerWentOn_isKilledAsHung_namingTheRankAndTheCall() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("allreduce/float32/sum/1/in-place");
        r1.enter("allreduce/float32/sum/1/in-place");
        // rank 0 timed out and went on; rank 1 never returns
        time.at(50, () -> r0.enter("allreduce/float32/sum/1021/in-place"));
        String why = supervise(time, Duration.ofMinutes(1), r0, r1);
        assertTrue(r1.killedWhy.startsWith("killed: hung in allreduce/float32/sum/1/in-place"), r1.killedWhy);
        assertEquals(KillReason.HUNG, r1.killedFor);
        assertEquals("allreduce/float32/sum/1/in-place", r1.out.ending().phase());
        assertTrue(why.contains("rank 1 hung in allreduce/float32/sum/1/in-place"), why);
        assertTrue(r0.out.ending().toString().startsWith("killed 0 s after a peer hung (rank 1 hung in"), r0.out.ending().toString());
        assertEquals(KillReason.PEER_HUNG, r0.out.ending().killReason());
        long wentOnPlusGrace = 50 + HUNG_GRACE.toMillis();
        assertTrue(time.nowMillis() >= wentOnPlusGrace, "not before the grace: " + time.nowMillis() + " ms");
        assertTrue(time.nowMillis() <= wentOnPlusGrace + AFTER_HANG.toMillis() + 20,
                "ended soon after the grace, not at the cell timeout: " + time.nowMillis() + " ms");
    }

    @Test
    void ranksThatFinishNormally_areLeftAlone() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("comm-init");
        r1.enter("comm-init");
        time.at(100, () -> r0.enter("allreduce/a"))
                .at(200, () -> r1.enter("allreduce/a"))
                .at(250, () -> r0.enter("allreduce/b"))
                // just within the hung grace: rank 1 is slow, not hung (a driver compiling kernels)
                .at(250 + HUNG_GRACE.toMillis() - 10, () -> r1.enter("allreduce/b"))
                .at(600, r0::finish)
                .at(600, r1::finish);
        assertNull(supervise(time, Duration.ofMinutes(1), r0, r1));
        assertNull(r0.killedWhy);
        assertNull(r1.killedWhy);
        assertEquals("exited with 0", r1.out.ending().toString());
        assertEquals(RankEnding.Kind.EXITED, r1.out.ending().kind());
        assertEquals(WorkerExit.ALL_PASSED, r1.out.ending().workerExit());
    }

    @Test
    void rankZerosOwnWorkAfterItsPeersFinished_isNotAHang_butAPhaseThePeerLeftBeforeFinishingIs() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("comm-destroy");
        r1.enter("comm-destroy");
        r0.enter("nccl-tests all_reduce_perf float32 to 268435456 B");
        time.at(20, r1::finish)         // done after rank 0 began nccl-tests, which rank 1 never runs
                .at(20 + 3 * HUNG_GRACE.toMillis(), r0::finish);
        assertNull(supervise(time, Duration.ofMinutes(1), r0, r1), "rank 0's nccl-tests after its peer is done");
        assertNull(r0.killedWhy);

        Timeline later = new Timeline();
        ScriptedRank s0 = new ScriptedRank(0, later);
        ScriptedRank s1 = new ScriptedRank(1, later);
        s0.enter("allreduce/a");
        s1.enter("allreduce/a");
        later.at(20, s1::finish);       // rank 1 left allreduce/a and finished; rank 0 never returns from it
        String why = supervise(later, Duration.ofMinutes(1), s0, s1);
        assertTrue(why != null && why.contains("rank 0 hung in allreduce/a"), why);
        assertEquals(KillReason.HUNG, s0.killedFor);
    }

    @Test
    void aPeerThatDied_endsTheOthersAfterTheDeathGrace() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("allreduce/a");
        r1.enter("allreduce/a");
        r1.running = false;
        r1.out.ended(RankEnding.exited(137, false, "allreduce/a"));
        assertEquals("died of SIGKILL (exit 137) while in allreduce/a", r1.out.ending().toString());
        String why = supervise(time, Duration.ofMinutes(1), r0, r1);
        assertTrue(why.startsWith("killed 0 s after its peer died (rank 1 died of SIGKILL"), why);
        assertTrue(r0.killedWhy.startsWith("killed 0 s after its peer died"), r0.killedWhy);
        assertEquals(KillReason.PEER_DIED, r0.killedFor);
        assertTrue(time.nowMillis() >= PEER_DEATH_GRACE.toMillis(), "not before the grace: " + time.nowMillis() + " ms");
    }

    @Test
    void theCellTimeout_killsEveryRankStillRunning() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("comm-init");
        r1.enter("comm-init");
        String why = supervise(time, Duration.ofMillis(200), r0, r1);
        assertEquals("the cell timeout of 0 s ran out", why);
        assertTrue(r0.killedWhy.startsWith("killed after the cell timeout"), r0.killedWhy);
        assertEquals(KillReason.CELL_TIMEOUT, r0.killedFor);
        assertTrue(r1.out.ending().toString().endsWith("it was in comm-init"), r1.out.ending().toString());
        assertTrue(time.nowMillis() >= 200, "not before the cell timeout: " + time.nowMillis() + " ms");
    }

    @Test
    void aRankStillInCommInit_isGivenTheInitGrace_notTheCollectiveOne() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("comm-init");
        r1.enter("comm-init");
        time.at(30, () -> r0.enter("self-test"))       // rank 0's driver finished compiling first
                .at(30 + 3 * HUNG_GRACE.toMillis(), () -> r1.enter("self-test"))   // rank 1 still compiled
                .at(1000, r0::finish)
                .at(1000, r1::finish);
        assertNull(supervise(time, Duration.ofMinutes(1), r0, r1), "a slow init is not a hang");
        assertNull(r1.killedWhy);
    }

    @Test
    void aRankThatSaysACallDidNotReturn_endsItself_andThePeersAreKilledSoonAfter_namingTheCall() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("allreduce/a");
        r1.enter("allreduce/a");
        time.at(100, () -> {
            r1.sayHung("ncclAllReduce");
            r1.exitCode = WorkerExit.TIMED_OUT.code();
            r1.finish();
        });
        // rank 0 stays where it was: without rank 1 no collective completes
        String why = supervise(time, Duration.ofMinutes(1), r0, r1);
        String named = "rank 1 hung in ncclAllReduce during allreduce/a: it did not return within 60 s";
        assertEquals("killed 0 s after a peer hung (" + named + ")", why);
        assertNull(r1.killedWhy, "it ended itself");
        assertEquals(WorkerExit.TIMED_OUT, r1.out.ending().workerExit());
        assertEquals(KillReason.PEER_HUNG, r0.killedFor);
        assertEquals("killed 0 s after a peer hung (" + named + "); it was in allreduce/a", r0.out.ending().toString());
        assertTrue(time.nowMillis() >= 100 + AFTER_HANG.toMillis(), "the peer got its time to flush: " + time.nowMillis() + " ms");
        assertTrue(time.nowMillis() < 100 + HUNG_GRACE.toMillis(), "not the hung-rank grace: " + time.nowMillis() + " ms");
    }

    @Test
    void aRankThatSaysACallDidNotReturn_butDoesNotEnd_isKilledAsHung_namingTheCall() {
        Timeline time = new Timeline();
        ScriptedRank r0 = new ScriptedRank(0, time);
        ScriptedRank r1 = new ScriptedRank(1, time);
        r0.enter("comm-destroy");
        r1.enter("comm-destroy");
        time.at(100, () -> r1.sayHung("ncclCommDestroy"));
        String why = supervise(time, Duration.ofMinutes(1), r0, r1);
        assertTrue(why.contains("rank 1 hung in ncclCommDestroy during comm-destroy"), why);
        assertEquals(KillReason.HUNG, r1.killedFor);
        assertEquals("killed: rank 1 hung in ncclCommDestroy during comm-destroy: it did not return within 60 s, and it did"
                + " not end itself", r1.killedWhy);
        assertEquals(KillReason.PEER_HUNG, r0.killedFor);
        assertTrue(time.nowMillis() < 100 + HUNG_GRACE.toMillis(), "ended at once, not after a grace: " + time.nowMillis() + " ms");
    }
}
