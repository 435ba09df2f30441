package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A cell's {@code launcher} and {@code slurm} keys. {@code launcher: slurm} runs the cell's ranks as one Slurm job
 * step; its library must be at a path every node sees ({@code host.path}, or a mixed cell of such cells), and each
 * world must fill the nodes asked for. Part of the {@code cells} section.
 */
final class SlurmValidator {

    static final String SLURM = "slurm";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*(=.*)?");

    private final MatrixErrors errors;
    private final DefaultsValidator durations;

    SlurmValidator(MatrixErrors errors) {
        this.errors = errors;
        this.durations = new DefaultsValidator(errors);
    }

    /** The cell's Slurm settings, or {@code null} when it runs as processes or containers. */
    SlurmSettings slurm(Where at, RawMatrix.RawCell c, Cell.Source source, boolean mixed, List<Integer> worlds, Duration timeout) {
        if (c.launcher() == null) {
            if (c.slurm() != null) throw errors.at(at.key(SLURM), "slurm settings apply to a cell with 'launcher: slurm'; add it or leave them out");
            return null;
        }
        if (!SLURM.equals(c.launcher().strip())) {
            throw errors.at(at.key("launcher"), "expected 'slurm' (process and container ranks follow from the library source), got '"
                    + c.launcher() + "'");
        }
        if (!mixed && !(source instanceof Cell.HostLibrary)) {
            throw errors.at(at, "a Slurm cell's library is a file every node sees at one path: give it as host.path (a shared file "
                    + "system), or mix such cells");
        }
        RawMatrix.RawSlurm s = c.slurm() == null ? new RawMatrix.RawSlurm(null, null, null, null, null, null) : c.slurm();
        Where here = at.key(SLURM);
        int nodes = positive(here.key("nodes"), s.nodes(), 1);
        int perNode = s.tasksPerNode() == null ? 0 : positive(here.key("tasksPerNode"), s.tasksPerNode(), 1);
        for (int w : worlds) {
            if (w < nodes) {
                throw errors.at(here.key("nodes"), "world " + w + " cannot span " + nodes + " nodes (one task per rank); "
                        + "give worlds of at least " + nodes);
            }
            if (perNode > 0 && w != nodes * perNode) {
                throw errors.at(here.key("tasksPerNode"), "world " + w + " is not " + nodes + " nodes × " + perNode + " tasks; "
                        + "with tasksPerNode every world must be nodes × tasksPerNode");
            }
        }
        Duration time = s.time() == null ? timeout : durations.timeout(here.key("time"), s.time());
        return new SlurmSettings(nodes, perNode, name(here.key("partition"), s.partition()), name(here.key("account"), s.account()),
                time, options(here.key("srunOptions"), s.srunOptions()));
    }

    private int positive(Where at, Integer n, int min) {
        if (n == null) return min;
        if (n < min || n > Cell.MAX_WORLD) throw errors.at(at, "expected a number in " + min + ".." + Cell.MAX_WORLD + ", got " + n);
        return n;
    }

    private String name(Where at, String written) {
        if (written == null) return null;
        if (!NAME.matcher(written.strip()).matches()) {
            throw errors.at(at, "expected a Slurm name (letters, digits, '.', '_', '-'), got '" + written + "'");
        }
        return written.strip();
    }

    private List<String> options(Where at, List<String> written) {
        if (written == null) return List.of();
        for (int i = 0; i < written.size(); i++) {
            String o = written.get(i);
            if (o == null || !OPTION.matcher(o).matches()) {
                throw errors.at(at.index(i), "expected one long srun option per entry, like --exclusive or --mpi=none, got '" + o + "'");
            }
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (SlurmSettings.LAUNCHER_OPTIONS.contains(name)) {
                throw errors.at(at.index(i), name + " is set by the launcher (from nodes, tasksPerNode, partition, account and time, or "
                        + "for the event channel); leave it out");
            }
        }
        return List.copyOf(written);
    }
}
