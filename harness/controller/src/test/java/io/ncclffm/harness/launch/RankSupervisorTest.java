package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RankEnding.KillReason;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/** The one supervision policy both launchers use, on ranks whose events are fed in real time. */
class RankSupervisorTest {

    /** A rank whose life the test scripts: it "runs" until the test ends it or the supervisor kills it. */
    private static final class ScriptedRank implements RankSupervisor.Rank {
        final RankOutput out;
        volatile boolean running = true;
        volatile String killedWhy;
        volatile KillReason killedFor;

        ScriptedRank(int rank) {
            out = new RankOutput(rank);
        }

        void enter(String phase) {
            out.acceptStdout(EventCodec.encode(new WorkerEvent.Progress(out.rank(), phase)));
        }

        void finish() {
            out.acceptStdout(EventCodec.encode(new WorkerEvent.Done(out.rank(), 1, 0, 0, 0, 1)));
            running = false;
        }

        @Override
        public RankOutput output() {
            return out;
        }

        @Override
        public boolean poll() {
            if (running) return true;
            if (!out.hasEnded()) out.ended(RankEnding.exited(0, out.sawDone(), out.lastPhase()));
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
        return new Cell("c", io.ncclffm.Flavor.NCCL, io.ncclffm.NcclVersion.of(2, 28, 3), new Cell.HostLibrary("/x.so"), "/x.so",
                List.of(2), io.ncclffm.harness.matrix.GpuAssignment.NONE, timeout, Map.of(), Cell.Network.CELL, List.of(), List.of(), WorkerConfig.Mode.CHECK, 1);
    }

    private static RankSupervisor supervisor(Duration timeout) {
        return new RankSupervisor(cell(timeout), System::nanoTime, 5, Duration.ofMillis(300), Duration.ofMillis(400),
                Duration.ofMillis(100));
    }

    @Test
    void aRankThatStaysInACallAfterItsPeerWentOn_isKilledAsHung_namingTheRankAndTheCall() throws Exception {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("allreduce/float32/sum/1/in-place");
        r1.enter("allreduce/float32/sum/1/in-place");
        Thread peer = Thread.ofVirtual().start(() -> {
            sleep(50);
            r0.enter("allreduce/float32/sum/1021/in-place"); // rank 0 timed out and went on; rank 1 never returns
        });
        long t0 = System.nanoTime();
        String why = supervisor(Duration.ofMinutes(1)).supervise(List.of(r0, r1));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        peer.join();
        assertTrue(r1.killedWhy.startsWith("killed: hung in allreduce/float32/sum/1/in-place"), r1.killedWhy);
        assertEquals(KillReason.HUNG, r1.killedFor);
        assertEquals("allreduce/float32/sum/1/in-place", r1.out.ending().phase());
        assertTrue(why.contains("rank 1 hung in allreduce/float32/sum/1/in-place"), why);
        assertTrue(r0.out.ending().toString().startsWith("killed 0 s after a peer hung (rank 1 hung in"), r0.out.ending().toString());
        assertEquals(KillReason.PEER_HUNG, r0.out.ending().killReason());
        assertTrue(ms < 2000, "ended soon after the grace, not at the cell timeout: " + ms + " ms");
    }

    @Test
    void ranksThatFinishNormally_areLeftAlone() throws Exception {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("comm-init");
        r1.enter("comm-init");
        Thread.ofVirtual().start(() -> {
            sleep(100);
            r0.enter("allreduce/a");
            sleep(100); // within the hung grace: rank 1 is slow, not hung (a driver compiling kernels)
            r1.enter("allreduce/a");
            sleep(50);
            r0.finish();
            r1.finish();
        });
        assertNull(supervisor(Duration.ofMinutes(1)).supervise(List.of(r0, r1)));
        assertNull(r0.killedWhy);
        assertNull(r1.killedWhy);
        assertEquals("exited with 0", r1.out.ending().toString());
        assertEquals(RankEnding.Kind.EXITED, r1.out.ending().kind());
        assertEquals(WorkerExit.ALL_PASSED, r1.out.ending().workerExit());
    }

    @Test
    void rankZerosOwnWorkAfterItsPeersFinished_isNotAHang_butAPhaseThePeerLeftBeforeFinishingIs() throws Exception {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("comm-destroy");
        r1.enter("comm-destroy");
        r0.enter("nccl-tests all_reduce_perf float32 to 268435456 B");
        Thread.ofVirtual().start(() -> {
            sleep(20);
            r1.finish();        // done after rank 0 began nccl-tests, which rank 1 never runs
            sleep(900);         // three times the (test's) hung grace
            r0.finish();
        });
        assertNull(supervisor(Duration.ofMinutes(1)).supervise(List.of(r0, r1)), "rank 0's nccl-tests after its peer is done");
        assertNull(r0.killedWhy);

        ScriptedRank s0 = new ScriptedRank(0);
        ScriptedRank s1 = new ScriptedRank(1);
        s0.enter("allreduce/a");
        s1.enter("allreduce/a");
        Thread.ofVirtual().start(() -> {
            sleep(20);
            s1.finish();        // rank 1 left allreduce/a and finished; rank 0 never returns from it
        });
        String why = supervisor(Duration.ofMinutes(1)).supervise(List.of(s0, s1));
        assertTrue(why != null && why.contains("rank 0 hung in allreduce/a"), why);
        assertEquals(KillReason.HUNG, s0.killedFor);
    }

    @Test
    void aPeerThatDied_endsTheOthersAfterTheDeathGrace() {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("allreduce/a");
        r1.enter("allreduce/a");
        r1.running = false;
        r1.out.ended(RankEnding.exited(137, false, "allreduce/a"));
        assertEquals("died of SIGKILL (exit 137) while in allreduce/a", r1.out.ending().toString());
        String why = supervisor(Duration.ofMinutes(1)).supervise(List.of(r0, r1));
        assertTrue(why.startsWith("killed 0 s after its peer died (rank 1 died of SIGKILL"), why);
        assertTrue(r0.killedWhy.startsWith("killed 0 s after its peer died"), r0.killedWhy);
        assertEquals(KillReason.PEER_DIED, r0.killedFor);
    }

    @Test
    void theCellTimeout_killsEveryRankStillRunning() {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("comm-init");
        r1.enter("comm-init");
        String why = supervisor(Duration.ofMillis(200)).supervise(List.of(r0, r1));
        assertEquals("the cell timeout of 0 s ran out", why);
        assertTrue(r0.killedWhy.startsWith("killed after the cell timeout"), r0.killedWhy);
        assertEquals(KillReason.CELL_TIMEOUT, r0.killedFor);
        assertTrue(r1.out.ending().toString().endsWith("it was in comm-init"), r1.out.ending().toString());
    }

    @Test
    void aRankStillInCommInit_isGivenTheInitGrace_notTheCollectiveOne() throws Exception {
        ScriptedRank r0 = new ScriptedRank(0);
        ScriptedRank r1 = new ScriptedRank(1);
        r0.enter("comm-init");
        r1.enter("comm-init");
        Thread.ofVirtual().start(() -> {
            sleep(30);
            r0.enter("self-test");   // rank 0's driver finished compiling first
            sleep(900);              // three times the (test's) collective grace: rank 1 still compiles
            r1.enter("self-test");
            sleep(20);
            r0.finish();
            r1.finish();
        });
        assertNull(supervisor(Duration.ofMinutes(1)).supervise(List.of(r0, r1)), "a slow init is not a hang");
        assertNull(r1.killedWhy);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
