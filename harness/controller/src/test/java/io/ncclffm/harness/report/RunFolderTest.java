package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's folder: its own, marked INCOMPLETE from the first moment, and the one {@code latest} points at. */
class RunFolderTest {

    @TempDir
    Path reports;

    private RunFolder create(String runId) {
        return RunFolder.create(reports, runId, Path.of("m.yaml"), "controller pid 1 on h");
    }

    @Test
    void runIds_areTheUtcSecondThenARandomPart_soTheySortAsRunsBegan_andDiffer() throws Exception {
        String a = RunFolder.newRunId();
        Thread.sleep(1100);
        String b = RunFolder.newRunId();
        assertTrue(a.matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}"), a);
        assertTrue(a.compareTo(b) < 0, a + " sorts before " + b);
        assertNotEquals(RunFolder.newRunId(), RunFolder.newRunId(), "two runs in one second get different ids");
    }

    @Test
    void aNewRun_hasItsJournal_andAGateThatSaysIncomplete_andLatestPointsAtIt() throws IOException {
        RunFolder f = create(null);
        assertEquals(reports.resolve(f.runId()), f.dir());
        assertTrue(Files.isRegularFile(f.dir().resolve(RunJournal.FILE)));
        String gate = Files.readString(f.dir().resolve(RunFolder.GATE));
        assertTrue(gate.startsWith("INCOMPLETE (the run has not finished)\nrun " + f.runId() + " · matrix m.yaml · started "), gate);
        assertTrue(Files.isSymbolicLink(reports.resolve(RunFolder.LATEST)));
        assertEquals(f.dir().toRealPath(), reports.resolve(RunFolder.LATEST).toRealPath());
        assertEquals(Path.of(f.runId()), Files.readSymbolicLink(reports.resolve(RunFolder.LATEST)), "relative: the folder can move");
    }

    @Test
    void theNextRun_takesLatest_andLeavesNoTemporaryFilesBehind() throws IOException {
        RunFolder first = create("20260101T000000Z-aaaaaa");
        RunFolder second = create("20260101T000001Z-bbbbbb");
        assertEquals(second.dir().toRealPath(), reports.resolve(RunFolder.LATEST).toRealPath());
        try (Stream<Path> all = Files.list(reports)) {
            assertEquals(List.of("20260101T000000Z-aaaaaa", "20260101T000001Z-bbbbbb", "latest"),
                    all.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> files = Files.list(first.dir())) {
            assertEquals(List.of("gate.txt", "verdicts.jsonl"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aRunIdOfAnotherRun_isRefused_soNoTwoRunsShareAFolder() {
        create("20260101T000000Z-cccccc");
        String message = assertThrows(IllegalStateException.class, () -> create("20260101T000000Z-cccccc")).getMessage();
        assertTrue(message.endsWith("20260101T000000Z-cccccc is another run's folder (it has verdicts.jsonl); a run id names one run only"),
                message);
    }

    @Test
    void anOldLayoutsGateAtTheTop_isReplaced_soItsPassNoLongerReads() throws IOException {
        Files.writeString(reports.resolve("gate.txt"), "PASS (CPU scope: load)\n");
        create(null);
        String old = Files.readString(reports.resolve("gate.txt"));
        assertTrue(old.startsWith("NOT A GATE: "), old);
        assertTrue(!old.contains("PASS"), old);
    }

    @Test
    void writingAtomically_replacesTheWholeFile() throws IOException {
        Path f = reports.resolve("gate.txt");
        RunFolder.writeAtomically(f, "INCOMPLETE\n");
        RunFolder.writeAtomically(f, "PASS\n");
        assertEquals("PASS\n", Files.readString(f));
        try (Stream<Path> all = Files.list(reports)) {
            assertEquals(List.of("gate.txt"), all.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
    }
}
