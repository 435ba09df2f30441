package io.ncclffm.harness.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The folder of one matrix run, {@code REPORTS/RUN-ID/}: its Allure results, JUnit XML, grid, gate, journal, perf
 * outputs and scratch folder, and nothing of any other run. {@code REPORTS/latest} is a symbolic link to the newest
 * run's folder, replaced atomically when a run begins.
 *
 * <p>Made with its journal ({@link RunJournal}, created new: a folder that has one is another run's) and a
 * {@value #GATE} that says INCOMPLETE, before anything runs; the real gate replaces it atomically when the run ends.
 * So a run that is killed can never leave PASS behind, not even one of an earlier run.
 */
public final class RunFolder {

    public static final String LATEST = "latest";
    public static final String GATE = "gate.txt";
    public static final String ALLURE_RESULTS = "allure-results";
    public static final String JUNIT = "junit";

    /** A run id names a folder: letters, digits, dots, dashes and underscores, and never {@value #LATEST}. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path reports;
    private final Path dir;
    private final String runId;
    private final Instant started;
    private final RunJournal journal;

    private RunFolder(Path reports, String runId, Instant started, RunJournal journal) {
        this.reports = reports;
        this.dir = reports.resolve(runId);
        this.runId = runId;
        this.started = started;
        this.journal = journal;
    }

    /** A new run id: the UTC time to the second, so that ids sort as runs began, and six random hex digits. */
    public static String newRunId() {
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return ID_TIME.format(Instant.now()) + "-" + HexFormat.of().formatHex(random);
    }

    /** @throws IllegalArgumentException naming what a run id may be */
    public static String checkRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches() || runId.equals(LATEST)) {
            throw new IllegalArgumentException("run id '" + runId + "': expected letters, digits, '.', '-' or '_' (at most 80,"
                    + " not '" + LATEST + "'), e.g. " + newRunId());
        }
        return runId;
    }

    /**
     * Makes the folder of a new run under {@code reports}, claims it by creating its journal, writes a gate that says
     * INCOMPLETE, and points {@code reports/latest} at it.
     *
     * @param runId      the run's id, or {@code null} for a new one ({@link #newRunId()})
     * @param matrixFile the matrix the run runs, for the gate that says INCOMPLETE
     * @param controller who runs it, e.g. {@code controller pid 4242 on host1}
     * @throws IllegalStateException when the folder is another run's (it has a journal), or cannot be made
     */
    public static RunFolder create(Path reports, String runId, Path matrixFile, String controller) {
        String id = runId == null ? newRunId() : checkRunId(runId);
        Path absolute = reports.toAbsolutePath().normalize();
        Path dir = absolute.resolve(id);
        RunJournal journal;
        try {
            Files.createDirectories(dir);
            journal = RunJournal.create(dir.resolve(RunJournal.FILE));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException(dir + " is another run's folder (it has " + RunJournal.FILE + "); a run id names one"
                    + " run only", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the run's folder " + dir, e);
        }
        RunFolder folder = new RunFolder(absolute, id, Instant.now(), journal);
        writeAtomically(dir.resolve(GATE), folder.incompleteGate(matrixFile, controller));
        folder.retireOldLayout();
        folder.pointLatestHere();
        return folder;
    }

    public Path dir() {
        return dir;
    }

    public String runId() {
        return runId;
    }

    public Instant started() {
        return started;
    }

    public RunJournal journal() {
        return journal;
    }

    public Path allureResults() {
        return dir.resolve(ALLURE_RESULTS);
    }

    public Path junit() {
        return dir.resolve(JUNIT);
    }

    /** The gate a run has until it ends: never PASS. */
    private String incompleteGate(Path matrixFile, String controller) {
        return "INCOMPLETE (the run has not finished)\n"
                + "run " + runId + " · matrix " + matrixFile + " · started " + started + " · harness commit " + RunInfo.buildCommit()
                + "\n" + controller + "\n"
                + "This file is replaced by the run's gate when the run ends. A run that was stopped or killed keeps this one,\n"
                + "or the partial gate it wrote when it was stopped; 'report --rebuild " + dir + "' rebuilds the grid and gate\n"
                + "from " + RunJournal.FILE + " and names the cell runs that never finished.\n";
    }

    /**
     * Points {@code reports/latest} at this run: a new link beside it, renamed over it, so that no reader ever finds it
     * missing or half made. A {@code latest} that is a real folder is left as it is.
     */
    private void pointLatestHere() {
        Path latest = reports.resolve(LATEST);
        Path link = reports.resolve("." + LATEST + "-" + runId);
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(runId));
            Files.move(link, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(link);
            } catch (IOException ignored) {
                // a stray link beside 'latest' is harmless
            }
            System.err.println("[ncclffm] cannot point " + latest + " at " + runId + " (" + e + "); the run's reports are in " + dir);
        }
    }

    /**
     * Reports folders of the harness before runs had folders of their own hold {@value #GATE} at the top, and it may say
     * PASS of a run long gone: it is replaced by a note that points to the runs.
     */
    private void retireOldLayout() {
        Path old = reports.resolve(GATE);
        if (!Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS)) return;
        writeAtomically(old, "NOT A GATE: this is no run's verdict. Each run writes its gate to " + reports
                + "/RUN-ID/" + GATE + ", and " + reports + "/" + LATEST + " points at the newest run.\n");
    }

    /**
     * Writes {@code text} to {@code file} so that a reader finds either the old content or the new, whole: a file beside
     * it is written and synced, then renamed over it.
     */
    public static void writeAtomically(Path file, String text) {
        Path tmp = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed either way
            }
            throw new IllegalStateException("cannot write " + file, e);
        }
    }
}
