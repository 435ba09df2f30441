package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankEndingTest {

    @Test
    void anExitAbove128_isTheSignal_withItsNameInWords() {
        RankEnding e = RankEnding.exited(137, false, "comm-init");
        assertEquals(RankEnding.Kind.SIGNALLED, e.kind());
        assertEquals(9, e.signal());
        assertNull(e.workerExit());
        assertEquals("died of SIGKILL (exit 137) while in comm-init", e.toString());
        assertEquals("died of signal 7 (exit 135) while in x", RankEnding.exited(135, false, "x").toString());
    }

    @Test
    void theWorkersOwnExit_isDecoded_andAnUnfinishedOneSaysWhereItWas() {
        RankEnding done = RankEnding.exited(0, true, "done");
        assertEquals(WorkerExit.ALL_PASSED, done.workerExit());
        assertNull(done.phase(), "a worker that finished keeps no phase");
        assertEquals("exited with 0", done.toString());
        RankEnding cut = RankEnding.exited(2, false, "unique-id");
        assertEquals(WorkerExit.BROKEN, cut.workerExit());
        assertEquals("exited with 2 without finishing, while in unique-id", cut.toString());
        assertEquals(WorkerExit.UNKNOWN, RankEnding.exited(42, true, null).workerExit());
    }

    @Test
    void aKill_carriesItsReason_andTheSupervisorsWords() {
        RankEnding k = RankEnding.killed(RankEnding.KillReason.CELL_TIMEOUT, "killed after the cell timeout of 40 s", "unique-id");
        assertEquals(RankEnding.KillReason.CELL_TIMEOUT, k.killReason());
        assertNull(k.exitCode());
        assertEquals("killed after the cell timeout of 40 s; it was in unique-id", k.toString());
    }

    @Test
    void runningIsAnEndingOfItsOwn_notAPhrase() {
        assertFalse(RankEnding.RUNNING.ended());
        assertEquals("still running", RankEnding.RUNNING.toString());
        assertTrue(RankEnding.vanished("x").ended());
        assertEquals("container vanished while in x", RankEnding.vanished("x").toString());
        assertEquals("killed by the kernel for running out of memory while in y", RankEnding.outOfMemory(137, "y").toString());
        assertEquals("never started: no image", RankEnding.notStarted("never started: no image").toString());
    }

    @Test
    void inconsistentEndings_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RankEnding(RankEnding.Kind.KILLED, null, null, "why", "p"));
        assertThrows(IllegalArgumentException.class,
                () -> new RankEnding(RankEnding.Kind.EXITED, 0, RankEnding.KillReason.HUNG, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RankEnding(RankEnding.Kind.SIGNALLED, 1, null, null, "p"));
    }

    @Test
    void workerExitCodes_roundTrip() {
        for (WorkerExit e : WorkerExit.values()) if (e != WorkerExit.UNKNOWN) assertEquals(e, WorkerExit.fromCode(e.code()));
        assertEquals(WorkerExit.UNKNOWN, WorkerExit.fromCode(-1));
    }
}
