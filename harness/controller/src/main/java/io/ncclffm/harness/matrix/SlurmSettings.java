package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.List;

/**
 * How a cell's ranks run under Slurm ({@code launcher: slurm}): one {@code srun} job step, one task per rank, spread
 * block-wise over {@code nodes} nodes.
 *
 * @param nodes        how many nodes the step spans (each world must have at least this many ranks)
 * @param tasksPerNode ranks per node, or 0 to leave it to Slurm; when given, each world is nodes × tasksPerNode
 * @param partition    {@code --partition}, or {@code null} for the cluster's default
 * @param account      {@code --account}, or {@code null}
 * @param time         {@code --time}: the job's limit, after which Slurm ends it whatever became of the controller
 * @param srunOptions  further {@code srun} options, each one argument (e.g. {@code --exclusive}, {@code --mpi=none})
 */
public record SlurmSettings(int nodes, int tasksPerNode, String partition, String account, Duration time,
                            List<String> srunOptions) {

    public SlurmSettings {
        if (nodes < 1) throw new IllegalArgumentException("a Slurm cell spans at least one node, got " + nodes);
        srunOptions = List.copyOf(srunOptions);
    }

    /** {@code srun}'s options that the launcher sets itself, which a cell may not: they decide how events come back. */
    public static final List<String> LAUNCHER_OPTIONS = List.of("--nodes", "-N", "--ntasks", "-n", "--ntasks-per-node",
            "--label", "-l", "--input", "-i", "--output", "-o", "--error", "-e", "--distribution", "-m", "--job-name", "-J",
            "--export", "--multi-prog", "--kill-on-bad-exit", "-K", "--unbuffered", "-u", "--time", "-t", "--partition", "-p",
            "--account", "-A", "--jobid", "--pty");

    /** How many nodes a world of {@code world} ranks spans: the cell's nodes. */
    public int nodesFor(int world) {
        return nodes;
    }

    /** {@code --time} in whole minutes, rounded up, at least one. */
    public long timeMinutes() {
        return Math.max(1, (time.toSeconds() + 59) / 60);
    }
}
