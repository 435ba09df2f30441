package io.ncclffm.harness.protocol;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.ncclffm.DataType;

/**
 * What one rank worker does. The launcher makes it ({@link #forRank}) and passes it as environment variables
 * ({@link #toEnvironment()}); the worker reads it back from its environment ({@link #fromEnvironment}), the same
 * way for a local process and a container. The two directions are one codec, a single table of variables
 * ({@link #VARIABLES}): each names its variable, who may set it, how it is read and how it is written, so
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
     * One environment variable of the codec: its name, who may set it, how its value is read into a configuration
     * being built (called with {@code null} when the variable is unset), and how it is written from a configuration
     * ({@code null}: left out).
     */
    private record Variable(String name, SetBy setBy, Reader read, Function<WorkerConfig, String> write) {
    }

    @FunctionalInterface
    private interface Reader {
        void read(Builder b, String value);

        /** This reader, called only when the variable is set: its default stays in the builder otherwise. */
        static Reader whenSet(Reader r) {
            return (b, v) -> {
                if (v != null) r.read(b, v);
            };
        }
    }

    /**
     * Every variable, in the order they are read: the world before the rank (whose range it sets), the rendezvous
     * before the token (required once the world has more than one rank).
     */
    private static final List<Variable> VARIABLES = List.of(
            new Variable(LIBRARY, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.path = blankToNull(v)), c -> c.library.path()),
            new Variable(WORLD, SetBy.LAUNCHER, (b, v) -> b.world = intVar(WORLD, v, null, 1, 4096), c -> str(c.world())),
            new Variable(RANK, SetBy.LAUNCHER, (b, v) -> b.rank = intVar(RANK, v, null, 0, b.world - 1), c -> str(c.rank())),
            new Variable(RENDEZVOUS, SetBy.LAUNCHER, WorkerConfig::readRendezvous,
                    c -> c.rendezvous.host() + ":" + c.rendezvous.port()),
            new Variable(RENDEZVOUS_BIND, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.bind = v), c -> c.rendezvous.bind()),
            new Variable(TOKEN, SetBy.LAUNCHER, WorkerConfig::readToken, c -> c.rendezvous.token().toHex()),
            new Variable(EXPECT_VERSION, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.expectedVersion = v),
                    c -> c.library.expectedVersion()),
            new Variable(EXPECT_FLAVOR, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.expectedFlavor = v),
                    c -> c.library.expectedFlavor()),
            new Variable(GPU, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.gpu = enumVar(GPU, v, Gpu.class)),
                    c -> lower(c.identity.gpu())),
            new Variable(MODE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.mode = enumVar(MODE, v, Mode.class)), c -> lower(c.mode())),
            new Variable(CHECKS, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.groups = groups(v)),
                    c -> String.join(",", c.checks.groups())),
            new Variable(COUNTS, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.counts = counts(v)), c -> join(c.checks.counts(), String::valueOf)),
            new Variable(DEVICE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.device = intVar(DEVICE, v, null, 0, 1024)),
                    c -> str(c.identity.device())),
            new Variable(COLLECTIVE_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.collective = seconds(COLLECTIVE_TIMEOUT, v)),
                    c -> str(c.timeouts.collective().toSeconds())),
            new Variable(INIT_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.init = seconds(INIT_TIMEOUT, v)),
                    c -> str(c.timeouts.init().toSeconds())),
            new Variable(RENDEZVOUS_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.rendezvousTimeout = seconds(RENDEZVOUS_TIMEOUT, v)),
                    c -> str(c.timeouts.rendezvous().toSeconds())),
            new Variable(WORKER_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.workerTimeout = seconds(WORKER_TIMEOUT, v)),
                    c -> str(c.timeouts.worker().toSeconds())),
            new Variable(GRAPH_REPLAYS, SetBy.CELL, Reader.whenSet((b, v) -> b.graphReplays = intVar(GRAPH_REPLAYS, v, null, 1, 1000)),
                    c -> str(c.checks.graphReplays())),
            new Variable(PERF_MAX_BYTES, SetBy.CELL, Reader.whenSet((b, v) -> b.maxBytes = longVar(PERF_MAX_BYTES, v)),
                    perf(p -> str(p.maxBytes()))),
            new Variable(PERF_MAX_ITERS, SetBy.CELL, Reader.whenSet((b, v) -> b.maxIters = intVar(PERF_MAX_ITERS, v, null, 10, 1000)),
                    perf(p -> str(p.maxIters()))),
            new Variable(PERF_TRIALS, SetBy.CELL, Reader.whenSet((b, v) -> b.trials = intVar(PERF_TRIALS, v, null, 1, 99)),
                    perf(p -> str(p.trials()))),
            new Variable(PERF_C_LOOP, SetBy.CELL, Reader.whenSet((b, v) -> b.cLoop = blankToNull(v)), perf(Perf::cLoop)),
            new Variable(MAX_RECREATES, SetBy.CELL, Reader.whenSet((b, v) -> b.maxRecreates = intVar(MAX_RECREATES, v, null, 0, 100)),
                    c -> str(c.checks.maxRecreates())),
            new Variable(PERF_COLLECTIVES, SetBy.CELL, Reader.whenSet((b, v) -> b.collectives = perfCollectives(v)),
                    perf(p -> join(p.collectives(), Collective::label))),
            new Variable(PERF_DTYPES, SetBy.CELL, Reader.whenSet((b, v) -> b.dtypes = perfDtypes(v)),
                    perf(p -> join(p.dtypes(), DataType::shortName))),
            new Variable(NCCL_TESTS, SetBy.CELL, Reader.whenSet((b, v) -> b.ncclTests = blankToNull(v)), perf(Perf::ncclTests)),
            new Variable(PERF_BASELINE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.baseline = blankToNull(v)), perf(Perf::baseline)),
            new Variable(NCCL_TESTS_DEVICES, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.ncclTestsDevices = v),
                    perf(Perf::ncclTestsDevices)),
            new Variable(LIFELINE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.lifeline = enumVar(LIFELINE, v, Lifeline.class)),
                    c -> c.lifeline == Lifeline.NONE ? null : lower(c.lifeline)));

    /**
     * The variables a launcher sets from the rank's place in its cell and the cell's own fields (library, checks,
     * counts, mode, GPU); a cell's {@code env} cannot set them.
     */
    public static final Set<String> LAUNCHER_VARIABLES = names(SetBy.LAUNCHER);

    /**
     * The variables a cell's {@code env} may set to tune its workers: timeouts, graph replays, perf mode, the
     * nccl-tests folder and communicator re-creations. The rendezvous and worker timeouts a launcher derives from the
     * cell's timeout are overridden by the cell's own.
     */
    public static final Set<String> SETTINGS = names(SetBy.CELL);

    /** Who may set {@code variable}, or empty for a variable that is no part of a worker's configuration. */
    public static Optional<SetBy> setBy(String variable) {
        return VARIABLES.stream().filter(v -> v.name().equals(variable)).map(Variable::setBy).findFirst();
    }

    /** A worker's configuration, read from its whole environment. */
    public static WorkerConfig fromEnvironment(Map<String, String> env) {
        Builder b = new Builder();
        for (Variable v : VARIABLES) v.read().read(b, env.get(v.name()));
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
        Map<String, String> env = new LinkedHashMap<>();
        for (Variable v : VARIABLES) {
            String value = v.write().apply(this);
            if (value != null) env.put(v.name(), value);
        }
        return env;
    }

    /**
     * A configuration being made: by the launcher through its setters, or by {@link #fromEnvironment} through the
     * table's readers. Each field holds the worker's default until something sets it.
     */
    public static final class Builder {
        private Integer rank;
        private Integer world;
        private Gpu gpu = Gpu.NONE;
        private int device;
        private String path;
        private String expectedVersion;
        private String expectedFlavor;
        private String host = "127.0.0.1";
        private int port;
        private String bind = "127.0.0.1";
        private RendezvousToken token;
        private Mode mode = Mode.CHECK;
        private Set<String> groups = Set.of(CheckSelection.ALL);
        private List<Integer> counts = DEFAULT_COUNTS;
        private Duration collective = Duration.ofSeconds(60);
        private Duration init = Duration.ofSeconds(120);
        private Duration rendezvousTimeout = DEFAULT_RENDEZVOUS_TIMEOUT;
        private Duration workerTimeout = DEFAULT_WORKER_TIMEOUT;
        private int graphReplays = 3;
        private int maxRecreates = DEFAULT_MAX_RECREATES;
        private long maxBytes = 1L << 30;
        private int maxIters = 1000;
        private int trials = 5;
        private String cLoop;
        private List<Collective> collectives = List.of(Collective.ALL_REDUCE);
        private List<DataType> dtypes = List.of(DataType.FLOAT32);
        private String ncclTests;
        private String baseline;
        private String ncclTestsDevices;
        private Lifeline lifeline = Lifeline.NONE;

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
            baseline = blankToNull(library);
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
            for (Variable v : VARIABLES) if (v.setBy() == SetBy.CELL) v.read().read(this, settings.get(v.name()));
            return finish();
        }

        /** The rules that tie variables together, then the configuration. */
        private WorkerConfig finish() {
            requireFixedPort(this);
            if (token == null) throw new IllegalStateException("no rendezvous token was given");
            if (baseline != null && mode != Mode.PERF) {
                throw new IllegalArgumentException(PERF_BASELINE + " is for perf mode; this worker runs in " + mode + " mode");
            }
            String devices = devices(ncclTestsDevices, rank, world, mode);
            Optional<Perf> perf = mode == Mode.PERF
                    ? Optional.of(new Perf(maxBytes, maxIters, trials, cLoop, collectives, dtypes, ncclTests, baseline, devices))
                    : Optional.empty();
            return new WorkerConfig(new Identity(rank, world, gpu, device), new Library(path, expectedVersion, expectedFlavor),
                    new Rendezvous(host, port, bind, token),
                    new Timeouts(collective, init, rendezvousTimeout, workerTimeout),
                    new Checks(groups, counts, graphReplays, maxRecreates), perf, lifeline);
        }
    }

    private static void readRendezvous(Builder b, String v) {
        if (v != null) {
            int colon = v.lastIndexOf(':');
            if (colon <= 0) throw bad(RENDEZVOUS, v, "host:port");
            try {
                b.port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw bad(RENDEZVOUS, v, "host:port with a numeric port");
            }
            b.host = v.substring(0, colon);
        }
        requireFixedPort(b);
    }

    private static void requireFixedPort(Builder b) {
        if (b.world > 1 && b.port == 0) throw bad(RENDEZVOUS, b.host + ":" + b.port, "a fixed port when the world has more than one rank");
    }

    private static void readToken(Builder b, String hex) {
        if (b.world > 1 && (hex == null || hex.isBlank())) throw bad(TOKEN, hex, "the run's secret token in hex");
        try {
            b.token = hex == null ? RendezvousToken.random() : RendezvousToken.fromHex(hex.strip());
        } catch (IllegalArgumentException e) {
            throw bad(TOKEN, "(hidden)", RendezvousToken.HEX_CHARS + " hex digits");
        }
    }

    private static Set<String> groups(String v) {
        Set<String> groups = new LinkedHashSet<>();
        for (String c : v.split(",")) if (!c.isBlank()) groups.add(c.strip());
        return groups;
    }

    private static List<Integer> counts(String v) {
        List<Integer> counts;
        try {
            counts = Arrays.stream(v.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw bad(COUNTS, v, "comma-separated element counts");
        }
        if (counts.isEmpty() || counts.stream().anyMatch(c -> c < 1)) throw bad(COUNTS, v, "positive counts");
        return counts;
    }

    private static String devices(String v, int rank, int world, Mode mode) {
        String d = blankToNull(v);
        if (d == null) return null;
        if (mode != Mode.PERF || rank != 0 || world < 2) {
            throw bad(NCCL_TESTS_DEVICES, v, "it unset: it is only for rank 0 of a perf world above 1 (this is rank " + rank
                    + " of " + world + " in " + lower(mode) + " mode)");
        }
        List<String> each = Arrays.stream(d.split(",", -1)).map(String::strip).toList();
        if (each.size() != world || each.stream().anyMatch(x -> !x.matches("[0-9]+")) || new LinkedHashSet<>(each).size() != world) {
            throw bad(NCCL_TESTS_DEVICES, v, world + " distinct device ordinals, comma-separated, one per rank");
        }
        return String.join(",", each);
    }

    private static List<Collective> perfCollectives(String v) {
        Set<Collective> out = new LinkedHashSet<>();
        for (String c : v.split(",")) {
            try {
                out.add(Collective.of(c));
            } catch (IllegalArgumentException e) {
                throw bad(PERF_COLLECTIVES, v, "a comma-separated list of " + List.of(Collective.values())
                        + " ('" + c.strip() + "' is none of them)");
            }
        }
        return List.copyOf(out);
    }

    private static List<DataType> perfDtypes(String v) {
        List<String> choices = PERF_DTYPE_CHOICES.stream().map(DataType::shortName).toList();
        Set<DataType> out = new LinkedHashSet<>();
        for (String d : v.split(",")) {
            String t = d.strip().toLowerCase(Locale.ROOT);
            if (!choices.contains(t)) {
                throw bad(PERF_DTYPES, v, "a comma-separated list of " + choices + " ('" + d.strip() + "' is none of them)");
            }
            out.add(DataType.fromName(t));
        }
        return List.copyOf(out);
    }

    private static Set<String> names(SetBy setBy) {
        return VARIABLES.stream().filter(v -> v.setBy() == setBy).map(Variable::name).collect(Collectors.toUnmodifiableSet());
    }

    /** A perf setting's writer: nothing for a worker in check mode. */
    private static Function<WorkerConfig, String> perf(Function<Perf, String> write) {
        return c -> c.perf.map(write).orElse(null);
    }

    private static String str(long n) {
        return Long.toString(n);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <T> String join(List<T> values, Function<T, String> each) {
        return values.stream().map(each).collect(Collectors.joining(","));
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static Duration seconds(String name, String v) {
        return Duration.ofSeconds(intVar(name, v, null, 1, 86400));
    }

    /** An integer in {@code [min, max]}; {@code v} unset is an error (the variable is required, or read only when set). */
    private static int intVar(String name, String v, Integer def, int min, int max) {
        if (v == null) {
            if (def == null) throw bad(name, null, "an integer in [" + min + ", " + max + "]");
            return def;
        }
        try {
            int i = Integer.parseInt(v.strip());
            if (i < min || i > max) throw bad(name, v, "an integer in [" + min + ", " + max + "]");
            return i;
        } catch (NumberFormatException e) {
            throw bad(name, v, "an integer in [" + min + ", " + max + "]");
        }
    }

    private static long longVar(String name, String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw bad(name, v, "a number of bytes");
        }
    }

    private static <E extends Enum<E>> E enumVar(String name, String v, Class<E> type) {
        try {
            return Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(name, v, "one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    private static IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException(name + "=" + (value == null ? "(unset)" : "'" + value + "'") + ": expected " + expected);
    }
}
