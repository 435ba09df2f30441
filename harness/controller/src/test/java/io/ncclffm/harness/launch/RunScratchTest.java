package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's scratch folder is private, and outlives its run only until a later run finds its controller gone. */
class RunScratchTest {

    @TempDir
    Path reports;

    @Test
    void aScratchFolder_isReadableByItsUserOnly() throws Exception {
        RunScratch s = RunScratch.create(reports.resolve("run-a"), ControllerIdentity.current());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.dir())));
        assertTrue(s.delete());
        assertFalse(Files.exists(s.dir()));
    }

    @Test
    void aLaterRun_removesTheScratchOfRunsWhoseControllerIsGone_only() throws Exception {
        Process p = new ProcessBuilder("true").start();
        Long start = ControllerIdentity.startTicksOf(p.pid());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        ControllerIdentity me = ControllerIdentity.current();
        ControllerIdentity gone = new ControllerIdentity(me.host(), p.pid(), start == null ? 1 : start, me.bootId(), me.pidNamespace());
        RunScratch dead = RunScratch.create(reports.resolve("run-dead"), gone);
        Files.writeString(dead.dir().resolve("worker1.tar"), "archive");
        RunScratch live = RunScratch.create(reports.resolve("run-live"), me);
        Path unowned = Files.createDirectories(reports.resolve("run-unowned").resolve(RunScratch.NAME));

        assertEquals(1, RunScratch.removeDead(reports));

        assertFalse(Files.exists(dead.dir()), "the dead run's archives are gone");
        assertTrue(Files.exists(live.dir()), "a live run's scratch is kept");
        assertTrue(Files.exists(unowned), "a folder that names no owner is never judged");
        assertTrue(Files.exists(reports.resolve("run-dead")), "the run's reports stay");
    }
}
