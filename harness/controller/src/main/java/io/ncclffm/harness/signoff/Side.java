package io.ncclffm.harness.signoff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.harness.report.RunManifest;

/**
 * One side of a sign-off: a run, or one cell of a run ({@code RUNDIR@CELL}), so that two releases of one run can be
 * compared as well as two runs.
 *
 * @param dir      the run's folder, as given
 * @param manifest the run's record
 * @param cell     the cell compared, or {@code null} for every cell of the run
 */
public record Side(Path dir, RunManifest manifest, String cell) {

    /**
     * Reads {@code RUNDIR} or {@code RUNDIR@CELL}.
     *
     * @throws IllegalArgumentException naming the argument when it is no run's folder, or the run has no such cell
     */
    public static Side parse(String arg) throws IOException {
        int at = Files.isDirectory(Path.of(arg)) ? -1 : arg.lastIndexOf('@');
        String dir = at > 0 ? arg.substring(0, at) : arg;
        String cell = at > 0 ? arg.substring(at + 1) : null;
        if (cell != null && cell.isEmpty()) throw new IllegalArgumentException("'" + arg + "': expected RUNDIR or RUNDIR@CELL, the cell is empty");
        Path path = Path.of(dir);
        if (!Files.isDirectory(path)) throw new IllegalArgumentException("'" + arg + "': " + dir + " is no folder; expected a run's folder, e.g. reports/latest");
        RunManifest m = RunManifest.read(path);
        if (cell != null && m.cellRuns().stream().noneMatch(c -> c.cell().equals(cell))) {
            throw new IllegalArgumentException("'" + arg + "': run " + m.run().runId() + " has no cell '" + cell + "'; its cells: "
                    + m.cellRuns().stream().map(RunManifest.CellRun::cell).distinct().toList());
        }
        return new Side(path, m, cell);
    }

    /** The cell runs this side compares. */
    public List<RunManifest.CellRun> cellRuns() {
        return manifest.cellRuns().stream().filter(c -> cell == null || c.cell().equals(cell)).toList();
    }

    /** e.g. {@code run 20261207T005928Z-docs01} or {@code nccl-2.28.3 of run 20261207T...}. */
    public String label() {
        return (cell == null ? "" : cell + " of ") + "run " + manifest.run().runId();
    }

    /**
     * Where a cell run is matched with the other side's: its cell, world and run when whole runs are compared; its world
     * and run when one cell is compared with another.
     */
    String slot(RunManifest.CellRun c) {
        return (cell == null ? c.cell() + " " : "") + "w" + c.world() + (c.run() > 0 ? " run " + c.run() : "");
    }
}
