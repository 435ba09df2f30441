package io.ncclffm.harness.protocol;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.ncclffm.DataType;

/**
 * What one rank worker does. The launcher makes it ({@link #forRank}) and passes it as environment variables
 * ({@link #toEnvironment()}); the worker reads it back from its environment ({@link #fromEnvironment}), the same
 * way for a local process and a container. The two directions are one codec: {@code fromEnvironment(c.toEnvironment())}
 * equals {@code c}.
 *
 * <p>Bad values are rejected with the variable's name and what was expected; the worker then reports a broken
 * start instead of guessing.
 *
 * @param library the library to load ({@value #LIBRARY}, the binding's own variable, which {@code Nccl.load()} reads
 *                and names in the load check), or {@code null} for the binding's default
 * @param perfBaseline perf mode: the perf baseline's library ({@value #PERF_BASELINE}), which this worker loads beside
 *                its own and times in the same process, trial by trial with its own ({@code perf.pairing: in-process});
 *                {@code null} when the cell is not compared that way
 * @param ncclTestsDevices perf mode, rank 0 of a world above 1: every rank's GPU, as CUDA_VISIBLE_DEVICES lists them
 *                ({@value #NCCL_TESTS_DEVICES}), for nccl-tests run in this process over all of them ({@code -g world});
 *                {@code null} when the launcher cannot make them visible to rank 0
 * @param lifeline what ties the worker's life to its launcher's ({@value #LIFELINE}); {@link Lifeline#NONE} unless the
 *                launcher holds a pipe to the worker's standard input
 */
public record WorkerConfig(
        int rank,
        int world,
        String library,
        String rendezvousHost,
        int rendezvousPort,
        String rendezvousBind,
        RendezvousToken token,
        String expectedVersion,
        String expectedFlavor,
        Gpu gpu,
        int deviceOrdinal,
        Mode mode,
        Set<String> checkGroups,
        List<Integer> counts,
        Duration collectiveTimeout,
        Duration initTimeout,
        Duration rendezvousTimeout,
        Duration workerTimeout,
        int graphReplays,
        long perfMaxBytes,
        int perfMaxIters,
        int perfTrials,
        String perfCLoop,
        int maxRecreates,
        List<Collective> perfCollectives,
        List<DataType> perfDtypes,
        String ncclTests,
        String perfBaseline,
        String ncclTestsDevices,
        Lifeline lifeline) {

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
    public static final Set<String> LAUNCHER_VARIABLES = Set.of(LIBRARY, RANK, WORLD, RENDEZVOUS, RENDEZVOUS_BIND, TOKEN,
            EXPECT_VERSION, EXPECT_FLAVOR, GPU, DEVICE, MODE, CHECKS, COUNTS, PERF_BASELINE, NCCL_TESTS_DEVICES, LIFELINE);

    /**
     * The variables a cell's {@code env} may set to tune its workers: timeouts, graph replays, perf mode, the
     * nccl-tests folder and communicator re-creations. The rendezvous and worker timeouts a launcher derives from the
     * cell's timeout are overridden by the cell's own.
     */
    public static final Set<String> SETTINGS = Set.of(COLLECTIVE_TIMEOUT, INIT_TIMEOUT, RENDEZVOUS_TIMEOUT, WORKER_TIMEOUT,
            GRAPH_REPLAYS, PERF_MAX_BYTES, PERF_MAX_ITERS, PERF_TRIALS, PERF_C_LOOP, PERF_COLLECTIVES, PERF_DTYPES, NCCL_TESTS,
            MAX_RECREATES);

    public static WorkerConfig fromEnvironment(Map<String, String> env) {
        int world = intVar(env, WORLD, null, 1, 4096);
        int rank = intVar(env, RANK, null, 0, world - 1);
        String rendezvous = env.getOrDefault(RENDEZVOUS, "127.0.0.1:0");
        int colon = rendezvous.lastIndexOf(':');
        if (colon <= 0) throw bad(RENDEZVOUS, rendezvous, "host:port");
        String host = rendezvous.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(rendezvous.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(RENDEZVOUS, rendezvous, "host:port with a numeric port");
        }
        if (world > 1 && port == 0) throw bad(RENDEZVOUS, rendezvous, "a fixed port when the world has more than one rank");
        String tokenHex = env.get(TOKEN);
        if (world > 1 && (tokenHex == null || tokenHex.isBlank())) throw bad(TOKEN, tokenHex, "the run's secret token in hex");
        RendezvousToken token;
        try {
            token = tokenHex == null ? RendezvousToken.random() : RendezvousToken.fromHex(tokenHex.strip());
        } catch (IllegalArgumentException e) {
            throw bad(TOKEN, "(hidden)", RendezvousToken.HEX_CHARS + " hex digits");
        }
        Gpu gpu = enumVar(env, GPU, Gpu.class, Gpu.NONE);
        Mode mode = enumVar(env, MODE, Mode.class, Mode.CHECK);
        Set<String> groups = new LinkedHashSet<>();
        String checks = env.getOrDefault(CHECKS, CheckSelection.ALL);
        for (String c : checks.split(",")) if (!c.isBlank()) groups.add(c.strip());
        List<Integer> counts = DEFAULT_COUNTS;
        if (env.containsKey(COUNTS)) {
            try {
                counts = java.util.Arrays.stream(env.get(COUNTS).split(",")).map(String::strip).map(Integer::valueOf).toList();
            } catch (NumberFormatException e) {
                throw bad(COUNTS, env.get(COUNTS), "comma-separated element counts");
            }
            if (counts.isEmpty() || counts.stream().anyMatch(c -> c < 1)) throw bad(COUNTS, env.get(COUNTS), "positive counts");
        }
        return withSettings(rank, world, blankToNull(env.get(LIBRARY)), host, port, env.getOrDefault(RENDEZVOUS_BIND, "127.0.0.1"),
                token, env.get(EXPECT_VERSION), env.get(EXPECT_FLAVOR), gpu, intVar(env, DEVICE, 0, 0, 1024), mode, groups,
                counts, DEFAULT_RENDEZVOUS_TIMEOUT, DEFAULT_WORKER_TIMEOUT, env);
    }

    /**
     * The configuration a launcher gives one rank: who and where it is, and what to check, from the launcher and the
     * cell; the rest from the worker's defaults, overridden by the cell's {@code settings} (its env's
     * {@link #SETTINGS}), each read and checked as the worker reads it.
     *
     * @param checkGroups the check groups to run; empty: all
     * @param counts      allReduce element counts; empty: {@link #DEFAULT_COUNTS}
     * @param settings    the cell's env entries among {@link #SETTINGS}; any of {@link #LAUNCHER_VARIABLES} is refused
     * @throws IllegalArgumentException naming the variable and what it expects, for a bad setting or a value out of range
     */
    public static WorkerConfig forRank(int rank, int world, String library, String rendezvousHost, int rendezvousPort,
                                       String rendezvousBind, RendezvousToken token, String expectedVersion,
                                       String expectedFlavor, Gpu gpu, int deviceOrdinal, Mode mode,
                                       Set<String> checkGroups, List<Integer> counts, Duration rendezvousTimeout,
                                       Duration workerTimeout, Map<String, String> settings) {
        for (String k : settings.keySet()) {
            if (LAUNCHER_VARIABLES.contains(k)) {
                throw new IllegalArgumentException(k + " is set by the launcher from the cell's place and fields, not by its env");
            }
        }
        if (world < 1 || rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " of a world of " + world);
        if (counts.stream().anyMatch(c -> c < 1)) throw new IllegalArgumentException("element counts must be positive, got " + counts);
        return withSettings(rank, world, library, rendezvousHost, rendezvousPort, rendezvousBind, token, expectedVersion,
                expectedFlavor, gpu, deviceOrdinal, mode, checkGroups.isEmpty() ? Set.of(CheckSelection.ALL) : checkGroups,
                counts.isEmpty() ? DEFAULT_COUNTS : counts, rendezvousTimeout, workerTimeout, settings);
    }

    /**
     * Checks a cell's worker settings as the worker will read them, before any rank starts.
     *
     * @throws IllegalArgumentException naming the first variable that is a launcher's or has a bad value
     */
    public static void checkSettings(Map<String, String> settings) {
        forRank(0, 1, null, "127.0.0.1", 0, "127.0.0.1", RendezvousToken.random(), null, null, Gpu.NONE, 0, Mode.CHECK,
                Set.of(), List.of(), DEFAULT_RENDEZVOUS_TIMEOUT, DEFAULT_WORKER_TIMEOUT, settings);
    }

    /** The identity given, and every setting read from {@code env} (a worker's whole environment, or a cell's settings). */
    private static WorkerConfig withSettings(int rank, int world, String library, String host, int port, String bind,
                                             RendezvousToken token, String expectedVersion, String expectedFlavor, Gpu gpu,
                                             int deviceOrdinal, Mode mode, Set<String> groups, List<Integer> counts,
                                             Duration rendezvousTimeout, Duration workerTimeout, Map<String, String> env) {
        return new WorkerConfig(rank, world, library, host, port, bind, token, expectedVersion, expectedFlavor, gpu,
                deviceOrdinal, mode, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(groups)), List.copyOf(counts),
                Duration.ofSeconds(intVar(env, COLLECTIVE_TIMEOUT, 60, 1, 86400)),
                Duration.ofSeconds(intVar(env, INIT_TIMEOUT, 120, 1, 86400)),
                Duration.ofSeconds(intVar(env, RENDEZVOUS_TIMEOUT, (int) rendezvousTimeout.toSeconds(), 1, 86400)),
                Duration.ofSeconds(intVar(env, WORKER_TIMEOUT, (int) workerTimeout.toSeconds(), 1, 86400)),
                intVar(env, GRAPH_REPLAYS, 3, 1, 1000),
                longVar(env, PERF_MAX_BYTES, 1L << 30),
                intVar(env, PERF_MAX_ITERS, 1000, 10, 1000),
                intVar(env, PERF_TRIALS, 5, 1, 99),
                blankToNull(env.get(PERF_C_LOOP)),
                intVar(env, MAX_RECREATES, DEFAULT_MAX_RECREATES, 0, 100),
                perfCollectives(env.get(PERF_COLLECTIVES)),
                perfDtypes(env.get(PERF_DTYPES)),
                blankToNull(env.get(NCCL_TESTS)),
                // launcher variables: forRank refuses them among a cell's settings, so only a worker's environment has them
                blankToNull(env.get(PERF_BASELINE)),
                devices(env.get(NCCL_TESTS_DEVICES), rank, world, mode),
                enumVar(env, LIFELINE, Lifeline.class, Lifeline.NONE));
    }

    /**
     * This configuration with the perf baseline's library to time in the same process ({@value #PERF_BASELINE}), as
     * the launcher sets it for a candidate perf cell of a matrix whose perf policy pairs in process.
     */
    public WorkerConfig withPerfBaseline(String baselineLibrary) {
        if (baselineLibrary != null && mode != Mode.PERF) {
            throw new IllegalArgumentException(PERF_BASELINE + " is for perf mode; this worker runs in " + mode + " mode");
        }
        return new WorkerConfig(rank, world, library, rendezvousHost, rendezvousPort, rendezvousBind, token, expectedVersion,
                expectedFlavor, gpu, deviceOrdinal, mode, checkGroups, counts, collectiveTimeout, initTimeout,
                rendezvousTimeout, workerTimeout, graphReplays, perfMaxBytes, perfMaxIters, perfTrials, perfCLoop, maxRecreates,
                perfCollectives, perfDtypes, ncclTests, blankToNull(baselineLibrary), ncclTestsDevices, lifeline);
    }

    /**
     * This configuration with every rank's device for nccl-tests run from this rank ({@value #NCCL_TESTS_DEVICES}),
     * as the process launcher sets it for rank 0 of a perf cell with one GPU per rank.
     *
     * @param devices one device per rank, comma-separated (e.g. {@code 0,1,2,3}), or {@code null} for none
     * @throws IllegalArgumentException naming the variable, unless this is rank 0 of a perf world above 1 and the
     *                                  list has one distinct device per rank
     */
    public WorkerConfig withNcclTestsDevices(String devices) {
        return new WorkerConfig(rank, world, library, rendezvousHost, rendezvousPort, rendezvousBind, token, expectedVersion,
                expectedFlavor, gpu, deviceOrdinal, mode, checkGroups, counts, collectiveTimeout, initTimeout,
                rendezvousTimeout, workerTimeout, graphReplays, perfMaxBytes, perfMaxIters, perfTrials, perfCLoop, maxRecreates,
                perfCollectives, perfDtypes, ncclTests, perfBaseline, devices(devices, rank, world, mode), lifeline);
    }

    /** This configuration with another {@link Lifeline}, as the launcher that holds the worker's standard input sets it. */
    public WorkerConfig withLifeline(Lifeline tie) {
        return new WorkerConfig(rank, world, library, rendezvousHost, rendezvousPort, rendezvousBind, token, expectedVersion,
                expectedFlavor, gpu, deviceOrdinal, mode, checkGroups, counts, collectiveTimeout, initTimeout,
                rendezvousTimeout, workerTimeout, graphReplays, perfMaxBytes, perfMaxIters, perfTrials, perfCLoop, maxRecreates,
                perfCollectives, perfDtypes, ncclTests, perfBaseline, ncclTestsDevices, java.util.Objects.requireNonNull(tie));
    }

    private static String devices(String v, int rank, int world, Mode mode) {
        String d = blankToNull(v);
        if (d == null) return null;
        if (mode != Mode.PERF || rank != 0 || world < 2) {
            throw bad(NCCL_TESTS_DEVICES, v, "it unset: it is only for rank 0 of a perf world above 1 (this is rank " + rank
                    + " of " + world + " in " + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode)");
        }
        List<String> each = java.util.Arrays.stream(d.split(",", -1)).map(String::strip).toList();
        if (each.size() != world || each.stream().anyMatch(x -> !x.matches("[0-9]+")) || new LinkedHashSet<>(each).size() != world) {
            throw bad(NCCL_TESTS_DEVICES, v, world + " distinct device ordinals, comma-separated, one per rank");
        }
        return String.join(",", each);
    }

    /**
     * The environment variables that carry this configuration to a worker; {@link #fromEnvironment} reads them back
     * to an equal configuration. A value left unset ({@code null}) is left out.
     */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (library != null) env.put(LIBRARY, library);
        env.put(RANK, Integer.toString(rank));
        env.put(WORLD, Integer.toString(world));
        env.put(RENDEZVOUS, rendezvousHost + ":" + rendezvousPort);
        env.put(RENDEZVOUS_BIND, rendezvousBind);
        env.put(TOKEN, token.toHex());
        if (expectedVersion != null) env.put(EXPECT_VERSION, expectedVersion);
        if (expectedFlavor != null) env.put(EXPECT_FLAVOR, expectedFlavor);
        env.put(GPU, gpu.name().toLowerCase(java.util.Locale.ROOT));
        env.put(DEVICE, Integer.toString(deviceOrdinal));
        env.put(MODE, mode.name().toLowerCase(java.util.Locale.ROOT));
        env.put(CHECKS, String.join(",", checkGroups));
        env.put(COUNTS, counts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put(COLLECTIVE_TIMEOUT, Long.toString(collectiveTimeout.toSeconds()));
        env.put(INIT_TIMEOUT, Long.toString(initTimeout.toSeconds()));
        env.put(RENDEZVOUS_TIMEOUT, Long.toString(rendezvousTimeout.toSeconds()));
        env.put(WORKER_TIMEOUT, Long.toString(workerTimeout.toSeconds()));
        env.put(GRAPH_REPLAYS, Integer.toString(graphReplays));
        env.put(PERF_MAX_BYTES, Long.toString(perfMaxBytes));
        env.put(PERF_MAX_ITERS, Integer.toString(perfMaxIters));
        env.put(PERF_TRIALS, Integer.toString(perfTrials));
        if (perfCLoop != null) env.put(PERF_C_LOOP, perfCLoop);
        env.put(MAX_RECREATES, Integer.toString(maxRecreates));
        env.put(PERF_COLLECTIVES, perfCollectives.stream().map(Collective::label).collect(Collectors.joining(",")));
        env.put(PERF_DTYPES, perfDtypes.stream().map(DataType::shortName).collect(Collectors.joining(",")));
        if (ncclTests != null) env.put(NCCL_TESTS, ncclTests);
        if (perfBaseline != null) env.put(PERF_BASELINE, perfBaseline);
        if (ncclTestsDevices != null) env.put(NCCL_TESTS_DEVICES, ncclTestsDevices);
        if (lifeline != Lifeline.NONE) env.put(LIFELINE, lifeline.name().toLowerCase(java.util.Locale.ROOT));
        return env;
    }

    private static List<Collective> perfCollectives(String v) {
        if (v == null) return List.of(Collective.ALL_REDUCE);
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
        if (v == null) return List.of(DataType.FLOAT32);
        List<String> choices = PERF_DTYPE_CHOICES.stream().map(DataType::shortName).toList();
        Set<DataType> out = new LinkedHashSet<>();
        for (String d : v.split(",")) {
            String t = d.strip().toLowerCase(java.util.Locale.ROOT);
            if (!choices.contains(t)) {
                throw bad(PERF_DTYPES, v, "a comma-separated list of " + choices + " ('" + d.strip() + "' is none of them)");
            }
            out.add(DataType.fromName(t));
        }
        return List.copyOf(out);
    }

    /**
     * How long a rank may take to form a communicator: the init timeout, or the collective timeout where that is
     * longer. A non-blocking init is aborted when it runs out; a rank whose init call has not returned by then ends.
     */
    public Duration initBound() {
        return initTimeout.compareTo(collectiveTimeout) >= 0 ? initTimeout : collectiveTimeout;
    }

    /** Whether the checks of {@code selection} ({@link CheckSelection}) were asked for ({@code all} asks for every one). */
    public boolean wants(String selection) {
        return checkGroups.contains(CheckSelection.ALL) || checkGroups.contains(selection);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static int intVar(Map<String, String> env, String name, Integer def, int min, int max) {
        String v = env.get(name);
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

    private static long longVar(Map<String, String> env, String name, long def) {
        String v = env.get(name);
        if (v == null) return def;
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw bad(name, v, "a number of bytes");
        }
    }

    private static <E extends Enum<E>> E enumVar(Map<String, String> env, String name, Class<E> type, E def) {
        String v = env.get(name);
        if (v == null) return def;
        try {
            return Enum.valueOf(type, v.strip().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw bad(name, v, "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase());
        }
    }

    private static IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException(name + "=" + (value == null ? "(unset)" : "'" + value + "'") + ": expected " + expected);
    }
}
