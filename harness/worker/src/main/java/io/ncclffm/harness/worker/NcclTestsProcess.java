package io.ncclffm.harness.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Runs the user's nccl-tests binaries ({@code NCCLFFM_NCCL_TESTS}) from a perf cell's rank 0 for the collectives and
 * types the cell measured, against the cell's own library, and reports their rows as perf points.
 *
 * <p>A world of one runs {@code -g 1} on the rank's device. A world of N runs nccl-tests' own multi-GPU form,
 * one process driving every rank's GPU ({@code -g N}), from rank 0, once its communicator is destroyed (where the
 * other ranks destroy theirs and exit): nccl-tests without MPI cannot span processes, so the launcher hands rank 0 every rank's device
 * ({@link WorkerConfig#NCCL_TESTS_DEVICES}), which only a cell of processes with one GPU per rank can do; without
 * them the check is skipped with that reason. The binaries find NCCL through {@code LD_LIBRARY_PATH}, set to the
 * folder of the cell's library, so they load the same build the binding does as long as it is named by its soname
 * ({@code libnccl.so.2}).
 */
final class NcclTestsProcess {

    /** Per binary: a sweep to 256 MiB takes seconds; one that hangs should not take the cell's whole timeout. */
    static final long TIMEOUT_SECONDS = 180;

    /**
     * Each binary's small sizes are measured by this many separate processes: the full sweep and further runs to
     * {@link #SMALL_MAX_BYTES}. At a few µs per call separate processes differ by more than the 5% goal from run to
     * run, and the spread of these runs is how the comparison tells (NcclTestsComparison).
     */
    static final int SMALL_RUNS = 3;
    /** Where the further runs stop: the smallest sizes, which the comparison judges on time. */
    static final long SMALL_MAX_BYTES = 64;

    private final WorkerConfig config;
    private final WorkerConfig.Perf perf;
    private final Reporter reporter;
    private final String library;
    private final Path libraryDir;

    NcclTestsProcess(WorkerConfig config, Reporter reporter, String library, String libraryPath) {
        this.config = config;
        this.perf = config.perf().orElseThrow(() -> new IllegalArgumentException("a worker in check mode has no perf settings"));
        this.reporter = reporter;
        this.library = library;
        Path parent = Path.of(libraryPath).toAbsolutePath().getParent();
        this.libraryDir = parent == null ? Path.of("/") : parent;
    }

    /** Iterations per size: nccl-tests takes one count for every size, so the one perf mode gives its smallest. */
    int iterations() {
        return PerfRunner.iterations(8, perf.maxIters());
    }

    int warmup() {
        return PerfRunner.warmup(8, perf.maxIters());
    }

    void runAll(List<PerfRunner.Sweep> sweeps) {
        if (config.world() != 1 && perf.ncclTestsDevices() == null) {
            reporter.run(CheckSpec.of("perf/nccl-tests", CheckGroup.PERF, Map.of("world", Integer.toString(config.world())),
                    () -> Outcome.skipped(Cause.NOT_CONFIGURED, "nccl-tests at world " + config.world() + " runs in rank 0's "
                            + "process over every rank's GPU (-g " + config.world() + "), which only a cell of processes with "
                            + "one GPU per rank (gpu.assign: per-rank) makes visible to rank 0; this cell's launcher did not")));
            return;
        }
        for (PerfRunner.Sweep sweep : sweeps) {
            Path exe = Path.of(perf.ncclTests()).resolve(sweep.collective().ncclTestsBinary());
            List<PerfPoint> points = new ArrayList<>();
            reporter.run(CheckSpec.of("perf/nccl-tests/" + sweep.collective() + "/" + sweep.type().shortName(), CheckGroup.PERF,
                    Map.of("binary", exe.toString(), "dtype", sweep.type().shortName()), () -> measure(exe, sweep, points)));
            for (PerfPoint p : points) reporter.emit(new WorkerEvent.Perf(config.rank(), p, Map.of("rank", Integer.toString(config.rank()))));
        }
    }

    /**
     * One binary's full sweep, and further runs of its small sizes ({@link #SMALL_RUNS}), folded into {@code points};
     * skipped where the binary is missing, broken where a run fails.
     */
    private Outcome measure(Path exe, PerfRunner.Sweep sweep, List<PerfPoint> points) throws IOException, InterruptedException {
        String binary = sweep.collective().ncclTestsBinary();
        if (!Files.isExecutable(exe)) {
            return Outcome.skipped(Cause.NOT_CONFIGURED, exe + " does not exist or is not executable ("
                    + WorkerConfig.NCCL_TESTS + " names a folder of nccl-tests binaries; perf/nccl-tests/build.sh)");
        }
        long max = perf.maxBytes();
        Run run = run(exe, sweep.type(), max);
        if (run.exitCode() != 0) {
            return Outcome.broken(binary + " exited with " + run.exitCode() + "; last output: " + tail(run.output()));
        }
        List<PerfPoint> full = NcclTestsOutput.points(run.output(), library, config.world(), sweep.collective(), iterations());
        List<List<PerfPoint>> again = new ArrayList<>();
        long small = Math.min(max, SMALL_MAX_BYTES);
        for (int i = 1; i < SMALL_RUNS; i++) {
            Run more = run(exe, sweep.type(), small);
            if (more.exitCode() != 0) {
                return Outcome.broken(binary + " (run " + (i + 1) + " of " + SMALL_RUNS + ", to " + small + " B) exited with "
                        + more.exitCode() + "; last output: " + tail(more.output()));
            }
            again.add(NcclTestsOutput.points(more.output(), library, config.world(), sweep.collective(), iterations()));
        }
        points.addAll(NcclTestsOutput.withRepeats(full, again));
        return Outcome.passed(points.size() + " points from " + String.join(" ", command(exe, sweep.type(), max))
                + " with LD_LIBRARY_PATH=" + libraryDir + devicesNote() + ", sizes to " + small + " B measured by "
                + SMALL_RUNS + " separate runs (the median kept, every run's time as its trials)");
    }

    List<String> command(Path exe, DataType dtype, long maxBytes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(NcclTestsOutput.arguments(maxBytes, config.world(), iterations(), warmup(), dtype));
        return cmd;
    }

    /**
     * What the binary's process is given beyond the worker's own environment: the cell's library folder first on
     * {@code LD_LIBRARY_PATH}, and the GPUs. At world 1 that is the worker's device ({@code NCCL_TESTS_DEVICE},
     * which nccl-tests v2.14+ reads; older ones take device 0 of what the worker sees). At world N it is every rank's
     * device made visible, from the first ({@code NCCL_TESTS_DEVICE=0}), so that {@code -g N} drives one per rank.
     */
    Map<String, String> environment(String inheritedLibraryPath) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_LIBRARY_PATH", libraryDir + (inheritedLibraryPath == null || inheritedLibraryPath.isBlank() ? "" : ":" + inheritedLibraryPath));
        if (config.world() == 1) {
            env.put("NCCL_TESTS_DEVICE", Integer.toString(config.identity().device()));
        } else {
            env.put(config.identity().gpu() == WorkerConfig.Gpu.HIP ? "HIP_VISIBLE_DEVICES" : "CUDA_VISIBLE_DEVICES", perf.ncclTestsDevices());
            env.put("NCCL_TESTS_DEVICE", "0");
        }
        return env;
    }

    private String devicesNote() {
        return config.world() == 1 ? "" : " over devices " + perf.ncclTestsDevices() + " (every rank's, from rank 0's process)";
    }

    record Run(int exitCode, String output) {
    }

    private Run run(Path exe, DataType dtype, long maxBytes) throws IOException, InterruptedException {
        reporter.progress("nccl-tests " + exe.getFileName() + " " + dtype.shortName() + " to " + maxBytes + " B");
        ProcessBuilder pb = new ProcessBuilder(command(exe, dtype, maxBytes)).redirectErrorStream(true);
        pb.environment().putAll(environment(pb.environment().get("LD_LIBRARY_PATH")));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = readWithin(p, in);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static byte[] readWithin(Process p, java.io.InputStream in) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        // read while it runs: its pipe would fill and stall it otherwise
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                in.transferTo(buffer);
            } catch (IOException ignored) {
                // the process was killed for its timeout; what was read so far is kept
            }
        });
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            reader.join(5000);
            throw new IOException("timed out after " + TIMEOUT_SECONDS + " s; last output: " + tail(buffer.toString(StandardCharsets.UTF_8)));
        }
        reader.join();
        return buffer.toByteArray();
    }

    static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }
}
