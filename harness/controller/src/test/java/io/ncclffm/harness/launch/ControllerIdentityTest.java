package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A controller is judged gone only when that can be proven from here. */
class ControllerIdentityTest {

    @Test
    void thisProcess_isNotGone() {
        ControllerIdentity me = ControllerIdentity.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertTrue(me.startTicks() > 0, me.toString());
        assertFalse(me.provablyGone());
    }

    @Test
    void aProcessThatExited_isProvablyGone() throws Exception {
        Process p = new ProcessBuilder("true").start();
        Long start = ControllerIdentity.startTicksOf(p.pid());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        ControllerIdentity me = ControllerIdentity.current();
        // Its start time, or any: once it is reaped, its id names no process, or another one.
        ControllerIdentity exited = new ControllerIdentity(me.host(), p.pid(), start == null ? 1 : start, me.bootId(), me.pidNamespace());
        assertTrue(exited.provablyGone(), exited.toString());
    }

    @Test
    void aLiveProcessIdWithAnotherStartTime_isAReusedId_soItsControllerIsGone() {
        ControllerIdentity me = ControllerIdentity.current();
        assertTrue(new ControllerIdentity(me.host(), me.pid(), me.startTicks() - 1, me.bootId(), me.pidNamespace()).provablyGone());
    }

    @Test
    void aControllerOfAnotherHostBootOrNamespace_isNeverJudgedGoneFromHere() {
        ControllerIdentity me = ControllerIdentity.current();
        long nobody = Long.MAX_VALUE / 2; // no such process here
        assertFalse(new ControllerIdentity(me.host() + "-other", nobody, 5, me.bootId(), me.pidNamespace()).provablyGone());
        assertFalse(new ControllerIdentity(me.host(), nobody, 5, "another-boot", me.pidNamespace()).provablyGone());
        assertFalse(new ControllerIdentity(me.host(), nobody, 5, me.bootId(), "pid:[1]").provablyGone());
        assertTrue(new ControllerIdentity(me.host(), nobody, 5, me.bootId(), me.pidNamespace()).provablyGone());
    }

    @Test
    void labels_roundTrip_andAnIncompleteSetIsNoIdentity() {
        ControllerIdentity me = ControllerIdentity.current();
        assertEquals(Optional.of(me), ControllerIdentity.fromLabels(me.toLabels()));
        Map<String, String> partial = new HashMap<>(me.toLabels());
        partial.remove(ControllerIdentity.BOOT);
        assertEquals(Optional.empty(), ControllerIdentity.fromLabels(partial), "a resource with half a controller is never judged");
        RunIdentity run = new RunIdentity("r1", me);
        assertEquals(Optional.of(run), RunIdentity.fromLabels(run.labels("cellrun")));
        assertEquals("cellrun", run.labels("cellrun").get(RunIdentity.LABEL));
    }
}
