package io.ncclffm.harness.protocol;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.ncclffm.DataType;

/**
 * What one rank worker does. The launcher makes it ({@link #forRank}) and passes it as environment variables
 * ({@link #toEnvironment()}); the worker reads it back from its environment ({@link #fromEnvironment}), the same
 * way for a local process and a container. The two directions are one codec, a single table of variables
 * ({@link WorkerVariables}): each names its variable, who may set it, how it is read and how it is written, so
 * {@code fromEnvironment(c.toEnvironment())} equals {@code c}.
 *
 * <p>Bad values are rejected with the variable's name and what was expected; the worker then reports a broken
 * start instead of guessing.
 *
 * @param identity   the rank's place in its world and its device
 * @param library    the library under test and what it must report
 * @param rendezvous where rank 0 serves the unique ID, and the run's token
 * @param timeouts   the worker's bounds on every wait
 * @param checks     what to check and how hard to try
 * @param perf       perf mode's settings; empty in check mode (the worker then checks instead of measuring)
 * @param lifeline   what ties the worker's life to its launcher's ({@value #LIFELINE}); {@link Lifeline#NONE} unless
 *                   the launcher holds a pipe to the worker's standard input
 */
public record WorkerConfig(Identity identity, Library library, Rendezvous rendezvous, Timeouts timeouts, Checks checks,
                           Optional<Perf> perf, Lifeline lifeline) {

    public enum Gpu { NONE, CUDA, HIP }

    public enum Mode { CHECK, PERF }

    /**
     * What ends a worker whose launcher is gone. A rank process outlives a controller that was killed, and may hold a
     * GPU until its own deadline; the process launcher keeps a pipe open on the rank's standard input, which the
     * kernel closes when the controller dies however it dies, SIGKILL included.
     */
    public enum Lifeline {
        /** Nothing: a worker started by hand, or in a container whose standard input is no live pipe. */
        NONE,
        /** The worker exits at once, with its child processes, when its standard input reaches end-of-file. */
        STDIN
    }

    /** Who may set a variable: only the launcher, from the rank's place and the cell's fields, or also a cell's env. */
    public enum SetBy { LAUNCHER, CELL }

    /**
     * Who the rank is and which device it uses.
     *
     * @param device the device ordinal the rank opens ({@value #DEVICE})
     */
    public record Identity(int rank, int world, Gpu gpu, int device) {
        public Identity {
            if (world < 1 || rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " of a world of " + world);
            Objects.requireNonNull(gpu, "gpu");
        }
    }

    /**
     * The library under test.
     *
     * @param path            the library to load ({@value #LIBRARY}, the binding's own variable, which
     *                        {@code Nccl.load()} reads and names in the load check), or {@code null} for the binding's
     *                        default
     * @param expectedVersion the version it must report, or {@code null} when the cell gives none
     * @param expectedFlavor  the flavor it must be, or {@code null}
     */
    public record Library(String path, String expectedVersion, String expectedFlavor) {
    }

    /**
     * Where ranks meet to share the unique ID.
     *
     * @param host  where ranks above 0 reach rank 0
     * @param port  rank 0's port; 0 only in a world of one
     * @param bind  where rank 0 listens
     * @param token the run's secret, which each side proves it knows
     */
    public record Rendezvous(String host, int port, String bind, RendezvousToken token) {
        public Rendezvous {
            Objects.requireNonNull(token, "token");
        }
    }

    /** The worker's bounds: a collective, communicator init, the rendezvous, and the whole worker. */
    public record Timeouts(Duration collective, Duration init, Duration rendezvous, Duration worker) {
        /**
         * How long a rank may take to form a communicator: the init timeout, or the collective timeout where that is
         * longer. A non-blocking init is aborted when it runs out; a rank whose init call has not returned by then ends.
         */
        public Duration initBound() {
            return init.compareTo(collective) >= 0 ? init : collective;
        }
    }

    /**
     * What to check.
     *
     * @param groups       the check groups ({@link CheckSelection}); {@code all} asks for every one
     * @param counts       allReduce element counts
     * @param graphReplays replays of each captured graph
     * @param maxRecreates how many times the worker re-creates its communicator after a check timed out
     */
    public record Checks(Set<String> groups, List<Integer> counts, int graphReplays, int maxRecreates) {
        public Checks {
            groups = Collections.unmodifiableSet(new LinkedHashSet<>(groups));
            counts = List.copyOf(counts);
        }

        /** Whether the checks of {@code selection} ({@link CheckSelection}) were asked for. */
        public boolean wants(String selection) {
            return groups.contains(CheckSelection.ALL) || groups.contains(selection);
        }
    }

    /**
     * Perf mode's settings.
     *
     * @param maxBytes         the largest message ({@value #PERF_MAX_BYTES})
     * @param maxIters         timed iterations of the smallest sizes ({@value #PERF_MAX_ITERS})
     * @param trials           timed repetitions of every size ({@value #PERF_TRIALS})
     * @param cLoop            the in-process C loop's library ({@value #PERF_C_LOOP}), or {@code null}
     * @param collectives      what is measured ({@value #PERF_COLLECTIVES})
     * @param dtypes           in which element types ({@value #PERF_DTYPES})
     * @param ncclTests        a folder of nccl-tests binaries ({@value #NCCL_TESTS}), or {@code null}
     * @param baseline         the perf baseline's library, which this worker loads beside its own and times in the same
     *                         process, trial by trial with its own ({@value #PERF_BASELINE}, {@code perf.pairing:
     *                         in-process}); {@code null} when the cell is not compared that way
     * @param ncclTestsDevices rank 0 of a world above 1: every rank's GPU, as CUDA_VISIBLE_DEVICES lists them
     *                         ({@value #NCCL_TESTS_DEVICES}), for nccl-tests run in this process over all of them
     *                         ({@code -g world}); {@code null} when the launcher cannot make them visible to rank 0
     */
    public record Perf(long maxBytes, int maxIters, int trials, String cLoop, List<Collective> collectives,
                       List<DataType> dtypes, String ncclTests, String baseline, String ncclTestsDevices) {
        public Perf {
            collectives = List.copyOf(collectives);
            dtypes = List.copyOf(dtypes);
        }
    }

    /** The binding's own variable for the library's path ({@code Nccl.load()} reads it). */
    public static final String LIBRARY = "NCCLFFM_SO_PATH";
    public static final String RANK = "NCCLFFM_RANK";
    public static final String WORLD = "NCCLFFM_WORLD";
    public static final String RENDEZVOUS = "NCCLFFM_RENDEZVOUS";
    public static final String RENDEZVOUS_BIND = "NCCLFFM_RENDEZVOUS_BIND";
    public static final String TOKEN = "NCCLFFM_RENDEZVOUS_TOKEN";
    public static final String EXPECT_VERSION = "NCCLFFM_EXPECT_VERSION";
    public static final String EXPECT_FLAVOR = "NCCLFFM_EXPECT_FLAVOR";
    public static final String GPU = "NCCLFFM_GPU";
    public static final String DEVICE = "NCCLFFM_DEVICE";
    public static final String MODE = "NCCLFFM_MODE";
    public static final String CHECKS = "NCCLFFM_CHECKS";
    public static final String COUNTS = "NCCLFFM_COUNTS";
    public static final String COLLECTIVE_TIMEOUT = "NCCLFFM_COLLECTIVE_TIMEOUT_S";
    public static final String INIT_TIMEOUT = "NCCLFFM_INIT_TIMEOUT_S";
    public static final String RENDEZVOUS_TIMEOUT = "NCCLFFM_RENDEZVOUS_TIMEOUT_S";
    public static final String WORKER_TIMEOUT = "NCCLFFM_WORKER_TIMEOUT_S";
    public static final String GRAPH_REPLAYS = "NCCLFFM_GRAPH_REPLAYS";
    public static final String PERF_MAX_BYTES = "NCCLFFM_PERF_MAX_BYTES";
    public static final String PERF_MAX_ITERS = "NCCLFFM_PERF_MAX_ITERS";
    /** Timed repetitions of every size; the median is reported (the C baseline's --trials). */
    public static final String PERF_TRIALS = "NCCLFFM_PERF_TRIALS";
    /**
     * Path of {@code libncclffm_c_loop.so} (perf/c-baseline/build.sh): when set, launch timings alternate trial by
     * trial with the same calls made from C in this process, reported as source {@code c-inproc}.
     */
    public static final String PERF_C_LOOP = "NCCLFFM_PERF_C_LOOP";
    /**
     * The collectives perf mode measures, comma-separated ({@code allreduce}, {@code allgather},
     * {@code reducescatter}, {@code broadcast}, {@code reduce}, {@code alltoall}, {@code sendrecv}; case and
     * underscores ignored); default {@code allreduce}.
     */
    public static final String PERF_COLLECTIVES = "NCCLFFM_PERF_COLLECTIVES";
    /** The element types perf mode measures, comma-separated ({@link #PERF_DTYPE_CHOICES}); default {@code float32}. */
    public static final String PERF_DTYPES = "NCCLFFM_PERF_DTYPES";
    /** Floating types: what collectives are timed in, and what nccl-tests' {@code -d} takes under another name. */
    public static final List<DataType> PERF_DTYPE_CHOICES = List.of(DataType.FLOAT32, DataType.BFLOAT16, DataType.FLOAT16,
            DataType.FLOAT64);
    /**
     * A folder of nccl-tests binaries ({@code all_reduce_perf}, ...; perf/nccl-tests/build.sh): when set, rank 0 of
     * a perf cell runs them for the same collectives, sizes and types against the cell's library (at world N over
     * every rank's GPU, {@link #NCCL_TESTS_DEVICES}), and reports their table as points of source {@code nccl-tests}.
     */
    public static final String NCCL_TESTS = "NCCLFFM_NCCL_TESTS";
    /**
     * Perf mode: the path of the perf baseline's library, which the worker loads beside its own, with a communicator
     * of its own on the same device and stream, and times in alternating trials with the cell's library; its points
     * are marked {@link PerfPoint#pairedBaseline()}. The launcher sets it from the matrix's perf policy
     * ({@code perf.pairing: in-process}); a cell's env cannot.
     */
    public static final String PERF_BASELINE = "NCCLFFM_PERF_BASELINE";
    /**
     * Perf mode, rank 0 of a world above 1: the devices of every rank of the cell, comma-separated as
     * CUDA_VISIBLE_DEVICES takes them, one per rank in rank order. Rank 0 runs nccl-tests over all of them from its
     * own process ({@code -g world}), once its own communicator is destroyed. The process launcher sets it
     * for a cell with one GPU per rank ({@code gpu.assign: per-rank}); a cell's env cannot.
     */
    public static final String NCCL_TESTS_DEVICES = "NCCLFFM_NCCL_TESTS_DEVICES";
    /**
     * {@code stdin} or {@code none} (the default): whether the worker exits when its standard input reaches
     * end-of-file ({@link Lifeline}). The process launcher sets {@code stdin}, holding the pipe's other end; a cell's
     * env cannot, since a worker whose standard input is not such a pipe would end at once.
     */
    public static final String LIFELINE = "NCCLFFM_LIFELINE";
    /**
     * How many times the worker re-creates its communicator after a check timed out or left it broken, so that
     * the checks after it still run (default 3, at most 100; 0 never re-creates). Past the limit the rest are
     * reported as blocked.
     */
    public static final String MAX_RECREATES = "NCCLFFM_MAX_RECREATES";
    public static final int DEFAULT_MAX_RECREATES = 3;

    /** Element counts per allReduce check: one element, an odd size, and about 4 MiB of float32. */
    public static final List<Integer> DEFAULT_COUNTS = List.of(1, 1021, 1 << 20);

    public static final Duration DEFAULT_RENDEZVOUS_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofSeconds(1800);

    /**
     * The variables a launcher sets from the rank's place in its cell and the cell's own fields (library, checks,
     * counts, mode, GPU); a cell's {@code env} cannot set them.
     */
    public static final Set<String> LAUNCHER_VARIABLES = WorkerVariables.names(SetBy.LAUNCHER);

    /**
     * The variables a cell's {@code env} may set to tune its workers: timeouts, graph replays, perf mode, the
     * nccl-tests folder and communicator re-creations. The rendezvous and worker timeouts a launcher derives from the
     * cell's timeout are overridden by the cell's own.
     */
    public static final Set<String> SETTINGS = WorkerVariables.names(SetBy.CELL);

    /** Who may set {@code variable}, or empty for a variable that is no part of a worker's configuration. */
    public static Optional<SetBy> setBy(String variable) {
        return WorkerVariables.setBy(variable);
    }

    /** A worker's configuration, read from its whole environment. */
    public static WorkerConfig fromEnvironment(Map<String, String> env) {
        Builder b = new Builder();
        WorkerVariables.read(b, env, null);
        return b.finish();
    }

    /**
     * The configuration a launcher gives one rank, begun from who and where it is; the rest is given to the builder
     * and finished with the cell's settings ({@link Builder#build}).
     */
    public static Builder forRank(Identity identity) {
        Builder b = new Builder();
        b.rank = identity.rank();
        b.world = identity.world();
        b.gpu = identity.gpu();
        b.device = identity.device();
        return b;
    }

    /**
     * Checks a cell's worker settings as the worker will read them, before any rank starts.
     *
     * @throws IllegalArgumentException naming the first variable that is a launcher's or has a bad value
     */
    public static void checkSettings(Map<String, String> settings) {
        forRank(new Identity(0, 1, Gpu.NONE, 0))
                .rendezvous(new Rendezvous("127.0.0.1", 0, "127.0.0.1", RendezvousToken.random()))
                .build(settings);
    }

    /** The rank, of {@link #identity()}: what nearly every part of a worker needs. */
    public int rank() {
        return identity.rank();
    }

    /** The world size, of {@link #identity()}. */
    public int world() {
        return identity.world();
    }

    /** Perf mode when the configuration has perf settings, else check mode. */
    public Mode mode() {
        return perf.isPresent() ? Mode.PERF : Mode.CHECK;
    }

    /**
     * The environment variables that carry this configuration to a worker; {@link #fromEnvironment} reads them back
     * to an equal configuration. A value left unset ({@code null}) is left out, and so is every perf setting of a
     * worker in check mode.
     */
    public Map<String, String> toEnvironment() {
        return WorkerVariables.write(this);
    }

    /**
     * A configuration being made: by the launcher through its setters, or by {@link #fromEnvironment} through the
     * table's readers. Each field holds the worker's default until something sets it.
     */
    public static final class Builder {
        Integer rank;
        Integer world;
        Gpu gpu = Gpu.NONE;
        int device;
        String path;
        String expectedVersion;
        String expectedFlavor;
        String host = "127.0.0.1";
        int port;
        String bind = "127.0.0.1";
        RendezvousToken token;
        Mode mode = Mode.CHECK;
        Set<String> groups = Set.of(CheckSelection.ALL);
        List<Integer> counts = DEFAULT_COUNTS;
        Duration collective = Duration.ofSeconds(60);
        Duration init = Duration.ofSeconds(120);
        Duration rendezvousTimeout = DEFAULT_RENDEZVOUS_TIMEOUT;
        Duration workerTimeout = DEFAULT_WORKER_TIMEOUT;
        int graphReplays = 3;
        int maxRecreates = DEFAULT_MAX_RECREATES;
        long maxBytes = 1L << 30;
        int maxIters = 1000;
        int trials = 5;
        String cLoop;
        List<Collective> collectives = List.of(Collective.ALL_REDUCE);
        List<DataType> dtypes = List.of(DataType.FLOAT32);
        String ncclTests;
        String baseline;
        String ncclTestsDevices;
        Lifeline lifeline = Lifeline.NONE;

        private Builder() {
        }

        public Builder library(Library library) {
            path = library.path();
            expectedVersion = library.expectedVersion();
            expectedFlavor = library.expectedFlavor();
            return this;
        }

        public Builder rendezvous(Rendezvous rendezvous) {
            host = rendezvous.host();
            port = rendezvous.port();
            bind = rendezvous.bind();
            token = rendezvous.token();
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        /**
         * @param groups the check groups to run; empty: all
         * @param counts allReduce element counts; empty: {@link #DEFAULT_COUNTS}
         */
        public Builder checks(Set<String> groups, List<Integer> counts) {
            if (counts.stream().anyMatch(c -> c < 1)) throw new IllegalArgumentException("element counts must be positive, got " + counts);
            this.groups = groups.isEmpty() ? Set.of(CheckSelection.ALL) : groups;
            this.counts = counts.isEmpty() ? DEFAULT_COUNTS : counts;
            return this;
        }

        /** The rendezvous and worker timeouts the launcher derives from the cell; the cell's settings override them. */
        public Builder timeouts(Duration rendezvous, Duration worker) {
            rendezvousTimeout = rendezvous;
            workerTimeout = worker;
            return this;
        }

        /**
         * The perf baseline's library to time in the same process ({@value #PERF_BASELINE}), as the launcher sets it
         * for a candidate perf cell of a matrix whose perf policy pairs in process; {@code null} for none.
         */
        public Builder perfBaseline(String library) {
            baseline = WorkerVariables.blankToNull(library);
            return this;
        }

        /**
         * Every rank's device for nccl-tests run from this rank ({@value #NCCL_TESTS_DEVICES}), as the process
         * launcher sets it for rank 0 of a perf cell with one GPU per rank.
         *
         * @param devices one device per rank, comma-separated (e.g. {@code 0,1,2,3}), or {@code null} for none
         */
        public Builder ncclTestsDevices(String devices) {
            ncclTestsDevices = devices;
            return this;
        }

        /** What ties the worker to the launcher: {@link Lifeline#STDIN} where the launcher holds its standard input. */
        public Builder lifeline(Lifeline lifeline) {
            this.lifeline = Objects.requireNonNull(lifeline);
            return this;
        }

        /**
         * The configuration, with the cell's {@code settings} (its env's {@link #SETTINGS}) read and checked as the
         * worker reads them.
         *
         * @param settings the cell's env entries among {@link #SETTINGS}; any of {@link #LAUNCHER_VARIABLES} is refused
         * @throws IllegalArgumentException naming the variable and what it expects, for a bad setting or a value out of
         *                                  range
         */
        public WorkerConfig build(Map<String, String> settings) {
            for (String k : settings.keySet()) {
                if (LAUNCHER_VARIABLES.contains(k)) {
                    throw new IllegalArgumentException(k + " is set by the launcher from the cell's place and fields, not by its env");
                }
            }
            WorkerVariables.read(this, settings, SetBy.CELL);
            return finish();
        }

        /** The rules that tie variables together, then the configuration. */
        private WorkerConfig finish() {
            WorkerVariables.requireFixedPort(this);
            if (token == null) throw new IllegalStateException("no rendezvous token was given");
            if (baseline != null && mode != Mode.PERF) {
                throw new IllegalArgumentException(PERF_BASELINE + " is for perf mode; this worker runs in " + mode + " mode");
            }
            String devices = WorkerVariables.devices(ncclTestsDevices, rank, world, mode);
            Optional<Perf> perf = mode == Mode.PERF
                    ? Optional.of(new Perf(maxBytes, maxIters, trials, cLoop, collectives, dtypes, ncclTests, baseline, devices))
                    : Optional.empty();
            return new WorkerConfig(new Identity(rank, world, gpu, device), new Library(path, expectedVersion, expectedFlavor),
                    new Rendezvous(host, port, bind, token),
                    new Timeouts(collective, init, rendezvousTimeout, workerTimeout),
                    new Checks(groups, counts, graphReplays, maxRecreates), perf, lifeline);
        }
    }
}
