package io.ncclffm.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.launch.WorkerStreams;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;

/** What a cell run's ranks really ran, grouped by file, beside the matrix's pin. */
class ProvenanceTest {

    private static final Cell CELL = Cell.builder("c", Flavor.NCCL, NcclVersion.of(2, 28, 9))
            .source(new Cell.HostLibrary("/x.so"), "/x.so").worlds(List.of(2)).timeout(Duration.ofMinutes(1)).line(1)
            .build();

    private static RankOutput ranAnother(int rank, LibraryFile file) {
        RankOutput out = new RankOutput(rank);
        out.acceptStdout(EventCodec.encode(new WorkerEvent.Hello(rank, 2, 1, "h", "25", Map.of())));
        out.acceptStdout(EventCodec.encode(new WorkerEvent.Loaded(rank, file)));
        out.ended(RankEnding.exited(1, false, "load"));
        return out;
    }

    @Test
    void ranksThatRanOneFile_shareAnEntry_andThePinIsCompared() {
        RankOutput r0 = WorkerStreams.finished(0);
        RankOutput r1 = WorkerStreams.finished(1);
        Cell pinned = CELL.withPinnedSha256(WorkerStreams.LIBRARY.sha256());
        Provenance p = Provenance.of(new CellRun(pinned, 2, "process", List.of(r0, r1), Duration.ZERO, null));
        assertEquals(1, p.files().size());
        assertEquals(List.of(0, 1), p.files().getFirst().ranks());
        assertEquals(Provenance.PinState.MATCHES, p.pinState(p.files().getFirst()));
        assertTrue(p.lines().getFirst().startsWith("ranks 0, 1: /x.so (4096 bytes, sha256 " + WorkerStreams.LIBRARY.sha256()
                + ", NCCL version 2.28.9+cuda12.9, asked for /x.so); matches the matrix's pin"), p.lines().getFirst());
    }

    @Test
    void aRankThatRanAnotherFile_hasItsOwnEntry_markedAgainstThePin() {
        LibraryFile other = new LibraryFile("libnccl.so.2", "/other.so", 10, "ef".repeat(32), null);
        Cell pinned = CELL.withPinnedSha256(WorkerStreams.LIBRARY.sha256());
        Provenance p = Provenance.of(new CellRun(pinned, 2, "process", List.of(WorkerStreams.finished(0), ranAnother(1, other)),
                Duration.ZERO, null));
        assertEquals(2, p.files().size());
        assertEquals(Provenance.PinState.DIFFERS, p.pinState(p.files().get(1)));
        assertTrue(p.lines().get(1).contains("rank 1: /other.so (10 bytes, sha256 " + "ef".repeat(32) + ", no build line"), p.lines().get(1));
        assertTrue(p.lines().get(1).contains("NOT the file the matrix pins"), p.lines().get(1));
        assertEquals(Provenance.PinState.UNPINNED, Provenance.of(new CellRun(CELL, 1, "process", List.of(WorkerStreams.finished(0)),
                Duration.ZERO, null)).pinState(p.files().getFirst()));
    }

    @Test
    void provenance_comesBackWhole_fromTheRunsJournal() throws Exception {
        Provenance p = Provenance.of(new CellRun(CELL.withPinnedSha256("ab".repeat(32)), 2, "process",
                List.of(WorkerStreams.finished(0), ranAnother(1, new LibraryFile("l", "/o.so", 1, "ef".repeat(32), null))), Duration.ZERO, null));
        CellSummary summary = CellSummary.of(CELL, 2, 0, "process", Duration.ofSeconds(2), List.of(), 5, p);
        RunJournal.Record line = RunJournal.CellRunEnded.of(summary);
        RunJournal.Record back = RunJournal.JSON.readValue(RunJournal.JSON.writeValueAsString(line), RunJournal.Record.class);
        assertEquals(p, ((RunJournal.CellRunEnded) back).summary().provenance());
    }
}
