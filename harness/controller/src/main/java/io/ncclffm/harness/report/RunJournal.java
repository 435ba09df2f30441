package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.ncclffm.harness.verdict.Verdict;

/**
 * A run's verdicts as they are known ({@value #FILE} in the run's folder): one JSON line per record, each written
 * whole, flushed and synced to disk before the run goes on, so that the report of a run that was killed can be rebuilt
 * ({@link RunRebuild}) and says which cell runs never finished. The records, in the order they come:
 * <ul>
 *   <li>{@link Start}: the run, its matrix, its controller, and every cell run it plans, in the matrix's order;</li>
 *   <li>{@link Facts}: the matrix file's hash, the host, and the NCCL settings each cell sets, for the run's record
 *       ({@link RunManifest});</li>
 *   <li>{@link CellRunEnded}: one per cell run, as it ends, with everything the grid and the gate need;</li>
 *   <li>{@link Extra}: verdicts of no single cell (the perf report);</li>
 *   <li>{@link Stopped}: the controller was told to stop (SIGTERM, SIGINT) and wrote what it had;</li>
 *   <li>{@link End}: the run reached its end and wrote its reports.</li>
 * </ul>
 * The file is written and read here only. A last line cut short by a kill is not a record, and is left out.
 */
public final class RunJournal implements AutoCloseable {

    public static final String FILE = "verdicts.jsonl";

    static final ObjectMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** One line of the journal. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "record")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Start.class, name = "start"),
            @JsonSubTypes.Type(value = Facts.class, name = "facts"),
            @JsonSubTypes.Type(value = CellRunEnded.class, name = "cell-run"),
            @JsonSubTypes.Type(value = Extra.class, name = "extra"),
            @JsonSubTypes.Type(value = Stopped.class, name = "stopped"),
            @JsonSubTypes.Type(value = End.class, name = "end")})
    public sealed interface Record permits Start, Facts, CellRunEnded, Extra, Stopped, End {
    }

    /** A cell run the run plans: a cell at a world size, and which run of it (0 when it runs once). */
    public record PlannedRun(String cell, int world, int run) {
        /** Its name, as the grid and the gate give it ({@link CellSummary#column(String, int, int)}). */
        public String label() {
            return CellSummary.column(cell, world, run);
        }
    }

    /**
     * The cell runs a run plans.
     *
     * @param runs           every cell run, in the matrix's order
     * @param nothingPlanned why there is none (a selection that matches none, naming the option); {@code null} when
     *                       there are some
     */
    public record Plan(List<PlannedRun> runs, String nothingPlanned) {
        public Plan {
            runs = List.copyOf(runs);
        }
    }

    /**
     * @param started        ISO-8601
     * @param controller     e.g. {@code controller pid 4242 on host1}
     * @param planned        every cell run, in the matrix's order
     * @param nothingPlanned why the run planned no cell run; {@code null} when it planned some
     */
    public record Start(String runId, String matrix, String started, String commit, boolean notStartedAllowed,
                        String controller, List<PlannedRun> planned, String nothingPlanned) implements Record {
        public static Start of(RunInfo info, String controller, Plan plan) {
            return new Start(info.runId(), String.valueOf(info.matrixFile()), info.started().toString(), info.commit(),
                    info.notStartedAllowed(), controller, plan.runs(), plan.nothingPlanned());
        }
    }

    /**
     * What a run knows of itself when it begins, beside its start: what two runs' sign-off compares.
     *
     * @param matrixSha256  the matrix file's sha256, or {@code unknown} when it could not be read
     * @param host          the host it runs on
     * @param settings      by cell, the {@code NCCL_*} and {@code RCCL_*} variables the matrix sets for it
     * @param perfThreshold the perf gate's threshold of the matrix, or {@code null} without a perf section
     */
    public record Facts(String matrixSha256, HostFacts host, Map<String, Map<String, String>> settings, Double perfThreshold)
            implements Record {
        public Facts {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }
    }

    /** One cell run that ended, as {@link CellSummary} holds it; its wall time in milliseconds. */
    public record CellRunEnded(String cell, String release, boolean mixed, boolean assignsGpu, int world, int run,
                               String launcher, long wallMillis, long initMillis, List<Verdict> verdicts,
                               Provenance provenance, Placement placement) implements Record {
        static CellRunEnded of(CellSummary c) {
            return new CellRunEnded(c.cell(), c.release(), c.mixed(), c.assignsGpu(), c.world(), c.run(), c.launcher(),
                    c.wall().toMillis(), c.initMillis(), c.verdicts(), c.provenance(), c.placement());
        }

        CellSummary summary() {
            // a journal written before placements were recorded has none: null reads as not known
            return new CellSummary(cell, release, mixed, assignsGpu, world, run, launcher, Duration.ofMillis(wallMillis),
                    verdicts, initMillis, provenance, placement);
        }
    }

    public record Extra(List<Verdict> verdicts) implements Record {
    }

    /** @param at ISO-8601 */
    public record Stopped(String at, String why) implements Record {
    }

    /** @param at ISO-8601; {@code result} the gate's */
    public record End(String at, String result) implements Record {
    }

    /** What a journal holds; {@code start} is {@code null} when even that was never written. */
    public record Contents(Start start, Facts facts, List<CellRunEnded> cellRuns, List<Verdict> extra, Stopped stopped, End end,
                           int unreadable) {
    }

    private final Path file;
    private final FileChannel channel;

    private RunJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Makes the journal of a new run; the file must not exist, so that no two runs ever write one.
     *
     * @throws IOException {@link java.nio.file.FileAlreadyExistsException} when it does
     */
    static RunJournal create(Path file) throws IOException {
        return new RunJournal(file, FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
    }

    public Path file() {
        return file;
    }

    /** Appends one record as one line, and syncs it to disk before returning. */
    public synchronized void append(Record r) {
        try {
            ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) channel.write(line);
            channel.force(false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to the run's journal " + file, e);
        }
    }

    public static String now() {
        return Instant.now().toString();
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // every record was synced as it was written
        }
    }

    /** Reads a journal; lines that are no record (a last line cut short by a kill) are counted, not read. */
    public static Contents read(Path file) throws IOException {
        Start start = null;
        Facts facts = null;
        List<CellRunEnded> runs = new ArrayList<>();
        List<Verdict> extra = new ArrayList<>();
        Stopped stopped = null;
        End end = null;
        int unreadable = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            Record r;
            try {
                r = JSON.readValue(line, Record.class);
            } catch (JsonProcessingException e) {
                unreadable++;
                continue;
            }
            switch (r) {
                case Start s -> start = s;
                case Facts f -> facts = f;
                case CellRunEnded c -> runs.add(c);
                case Extra x -> extra.addAll(x.verdicts());
                case Stopped s -> stopped = s;
                case End e -> end = e;
            }
        }
        return new Contents(start, facts, runs, extra, stopped, end, unreadable);
    }
}
