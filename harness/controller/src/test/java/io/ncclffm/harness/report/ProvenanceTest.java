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
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.NcclParameterSetting;
import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.verdict.Gate;

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

    private static final List<NcclParameterSetting> SETTINGS = List.of(
            new NcclParameterSetting("NCCL_DEBUG", "", "default"),
            new NcclParameterSetting("NCCL_DEBUG_TIMESTAMP_FORMAT", "[%F %T]", "environment"));

    private static RankOutput reportedParameters(int rank, List<NcclParameterSetting> settings) {
        RankOutput out = new RankOutput(rank);
        out.acceptStdout(EventCodec.encode(new WorkerEvent.Hello(rank, 2, 1, "h", "25", Map.of())));
        out.acceptStdout(EventCodec.encode(new WorkerEvent.Loaded(rank, WorkerStreams.LIBRARY)));
        out.acceptStdout(EventCodec.encode(new WorkerEvent.Check(rank, new CheckResult(rank, "parameters/from-env", "features",
                Map.of(), CheckStatus.PASSED, "read back", 1, List.of(), NcclParameterSetting.toData(settings)))));
        out.ended(RankEnding.exited(0, false, "done"));
        return out;
    }

    @Test
    void parametersTheRanksReported_areGroupedByRank_summarisedForTheGrid_andListedWhole() {
        Provenance p = Provenance.of(new CellRun(CELL, 2, "process",
                List.of(reportedParameters(0, SETTINGS), reportedParameters(1, SETTINGS)), Duration.ZERO, null));
        assertEquals(List.of(new Provenance.RankParameters(List.of(0, 1), SETTINGS)), p.parameters());
        assertEquals("2 parameters; 1 set: NCCL_DEBUG_TIMESTAMP_FORMAT=[%F %T] (environment)", p.parameterSummary());
        assertEquals(List.of("ranks 0, 1: NCCL_DEBUG= (default)", "ranks 0, 1: NCCL_DEBUG_TIMESTAMP_FORMAT=[%F %T] (environment)"),
                p.parameterLines());
        String md = new CompatibilityGrid(List.of(CellSummary.of(CELL, 2, 0, "process", Duration.ofSeconds(1), List.of(), 5, p)),
                Gate.judge(List.of(), List.of(), false), null).toMarkdown();
        assertTrue(md.contains("## NCCL parameters"), md);
        assertTrue(md.contains("## NCCL parameters"), md);
        assertTrue(md.contains("| c w2 | 0, 1 | 2 | NCCL\\_DEBUG\\_TIMESTAMP\\_FORMAT=\\[%F %T\\] (environment) |"), md);
    }

    @Test
    void ranksWithDifferentParameters_eachHaveTheirSet_andNoneReportedMeansNone() {
        List<NcclParameterSetting> other = List.of(new NcclParameterSetting("NCCL_DEBUG", "WARN", "environment"));
        Provenance p = Provenance.of(new CellRun(CELL, 2, "process",
                List.of(reportedParameters(0, SETTINGS), reportedParameters(1, other)), Duration.ZERO, null));
        assertEquals(2, p.parameters().size());
        assertTrue(p.parameterSummary().startsWith("rank 0: 2 parameters; ") && p.parameterSummary().contains(" · rank 1: 1 parameters; 1 set: NCCL_DEBUG=WARN (environment)"),
                p.parameterSummary());
        Provenance none = Provenance.of(new CellRun(CELL, 1, "process", List.of(WorkerStreams.finished(0)), Duration.ZERO, null));
        assertEquals(List.of(), none.parameters());
        assertEquals(null, none.parameterSummary());
        assertTrue(none.parameterLines().getFirst().startsWith("no rank reported NCCL's parameters"));
    }

    @Test
    void parameters_comeBackWhole_fromTheRunsJournal() throws Exception {
        Provenance p = Provenance.of(new CellRun(CELL, 2, "process",
                List.of(reportedParameters(0, SETTINGS), reportedParameters(1, SETTINGS)), Duration.ZERO, null));
        CellSummary summary = CellSummary.of(CELL, 2, 0, "process", Duration.ofSeconds(2), List.of(), 5, p);
        RunJournal.Record back = RunJournal.JSON.readValue(RunJournal.JSON.writeValueAsString(RunJournal.CellRunEnded.of(summary)),
                RunJournal.Record.class);
        assertEquals(p, ((RunJournal.CellRunEnded) back).summary().provenance());
    }
}
