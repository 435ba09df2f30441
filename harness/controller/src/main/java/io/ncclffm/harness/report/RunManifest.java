package io.ncclffm.harness.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.SerializationFeature;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.verdict.Gate;
import io.ncclffm.harness.verdict.Verdict;

/**
 * A run's record ({@value #FILE} in its folder): what ran where, and what came of it, in one file that two runs'
 * sign-off compares ({@code compare BASE CANDIDATE}). It is made from the same records as the journal
 * ({@link RunJournal}) and replaced whole, never written in place: when the run ends (before its gate), when it is
 * stopped, and when its report is rebuilt, so that it never says more than the journal does.
 *
 * @param schema   {@value #SCHEMA}; a reader refuses a record of a schema it does not know
 * @param run      which run, of which matrix, from which harness
 * @param outcome  whether the run finished, and its gate
 * @param host     the host it ran on; {@code null} for a run whose journal predates the facts record
 * @param cellRuns every cell run recorded, in the grid's order
 * @param perf     every perf point the run measured (rank 0's, as the perf report reads them)
 */
public record RunManifest(int schema, Run run, Outcome outcome, HostFacts host, List<CellRun> cellRuns, List<PerfPoint> perf) {

    public static final String FILE = "manifest.json";
    public static final int SCHEMA = 1;

    /** The longest message kept of a check: enough for its reason; the journal keeps the whole. */
    private static final int MESSAGE = 300;

    public RunManifest {
        cellRuns = List.copyOf(cellRuns);
        perf = perf == null ? List.of() : List.copyOf(perf);
    }

    /**
     * @param matrixSha256  the matrix file's sha256 when the run began, or {@code unknown}
     * @param commit        the harness's commit, or {@code unknown}
     * @param perfThreshold the perf gate's threshold of the matrix, or {@code null}
     */
    public record Run(String runId, String matrix, String matrixSha256, String commit, String started, String controller,
                      Double perfThreshold) {
    }

    /** @param finished whether the run reached its end and recorded every cell run it planned */
    public record Outcome(boolean finished, Gate.Result result, String headline) {
    }

    /**
     * One cell run: its library as the ranks ran it, the NCCL settings the matrix set for it, and every check.
     *
     * @param settings the {@code NCCL_*} and {@code RCCL_*} variables of the cell
     */
    public record CellRun(String cell, String release, int world, int run, Provenance provenance, Map<String, String> settings,
                          List<Check> checks) {
        public CellRun {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            checks = List.copyOf(checks);
            if (provenance == null) provenance = Provenance.NONE;
        }

        /** The cell run's name, as the grid gives it. */
        public String column() {
            return CellSummary.column(cell, world, run);
        }
    }

    /**
     * One check's outcome.
     *
     * @param family the check's family, the grid's row ({@link Verdict#group()})
     * @param waiver the waiver that turned its failure into a skip, or {@code null}
     * @param stale  a waiver that matched it although it passed (the release fixed the gap), or {@code null}
     */
    public record Check(String id, String family, CheckStatus status, Cause cause, String message, String waiver, String stale) {
        static Check of(Verdict v) {
            String m = v.message() == null ? "" : v.message();
            return new Check(v.checkId(), v.group(), v.status(), v.cause(), m.length() > MESSAGE ? m.substring(0, MESSAGE) + "…" : m,
                    v.waived() == null ? null : v.waived().toString(), v.stale() == null ? null : v.stale().toString());
        }
    }

    /**
     * The record of a run from what its journal holds, as judged by {@code gate}.
     *
     * @param finished whether the run reached its end with every planned cell run recorded
     */
    public static RunManifest of(RunJournal.Start start, RunJournal.Facts facts, List<CellSummary> cells, Gate gate, boolean finished,
                                 List<PerfPoint> perf) {
        List<CellRun> runs = new ArrayList<>();
        for (CellSummary c : cells) {
            runs.add(new CellRun(c.cell(), c.release(), c.world(), c.run(), c.provenance(),
                    facts == null ? Map.of() : facts.settings().getOrDefault(c.cell(), Map.of()),
                    c.verdicts().stream().map(Check::of).toList()));
        }
        Run run = new Run(start.runId(), start.matrix(), facts == null ? "unknown" : facts.matrixSha256(), start.commit(),
                start.started(), start.controller(), facts == null ? null : facts.perfThreshold());
        return new RunManifest(SCHEMA, run, new Outcome(finished, gate.result(), gate.headline()), facts == null ? null : facts.host(),
                runs, perf);
    }

    /** Writes the record into {@code runDir}, replacing any earlier one whole. */
    public void write(Path runDir) {
        try {
            String json = EventCodec.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
            RunFolder.writeAtomically(runDir.resolve(FILE), json + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the run's record " + runDir.resolve(FILE), e);
        }
    }

    /**
     * The record of the run in {@code runDir}: its {@value #FILE}, or, for a run without one (a run killed before its
     * end, or of a harness before records), made from its journal as {@code report --rebuild} would make it.
     *
     * @throws IllegalArgumentException when the folder is no run's, or its record is of another schema
     */
    public static RunManifest read(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) return RunRebuild.manifest(runDir);
        RunManifest m;
        try {
            m = EventCodec.mapper().readValue(file.toFile(), RunManifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is no run record: " + e.getOriginalMessage());
        }
        if (m.schema() != SCHEMA) {
            throw new IllegalArgumentException(file + " is a run record of schema " + m.schema() + "; this harness reads schema " + SCHEMA);
        }
        return m;
    }

    /** The sha256 of a file in hex, or {@code unknown} when it cannot be read. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchFileException e) {
            return "unknown";
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }
}
