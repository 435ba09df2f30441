package io.ncclffm.harness.protocol;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ncclffm.harness.protocol.RendezvousToken;

/**
 * What one rank worker does, read from its environment (the same way for a local process and a container).
 *
 * <p>Bad values are rejected with the variable's name and what was expected; the worker then reports a broken
 * start instead of guessing.
 */
public record WorkerConfig(
        int rank,
        int world,
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
        List<String> perfCollectives,
        List<String> perfDtypes,
        String ncclTests) {

    public enum Gpu { NONE, CUDA, HIP }

    public enum Mode { CHECK, PERF }

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
    public static final List<String> PERF_DTYPE_CHOICES = List.of("float32", "bfloat16", "float16", "float64");
    /**
     * A folder of nccl-tests binaries ({@code all_reduce_perf}, ...; perf/nccl-tests/build.sh): when set, rank 0 of
     * a one-rank perf cell runs them for the same collectives, sizes and types against the cell's library, and
     * reports their table as points of source {@code nccl-tests}.
     */
    public static final String NCCL_TESTS = "NCCLFFM_NCCL_TESTS";
    /**
     * How many times the worker re-creates its communicator after a check timed out or left it broken, so that
     * the checks after it still run (default 3, at most 100; 0 never re-creates). Past the limit the rest are
     * reported as blocked.
     */
    public static final String MAX_RECREATES = "NCCLFFM_MAX_RECREATES";
    public static final int DEFAULT_MAX_RECREATES = 3;

    /** Element counts per allReduce check: one element, an odd size, and about 4 MiB of float32. */
    public static final List<Integer> DEFAULT_COUNTS = List.of(1, 1021, 1 << 20);

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
        String checks = env.getOrDefault(CHECKS, "all");
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
        return new WorkerConfig(rank, world, host, port, env.getOrDefault(RENDEZVOUS_BIND, "127.0.0.1"), token,
                env.get(EXPECT_VERSION), env.get(EXPECT_FLAVOR), gpu, intVar(env, DEVICE, 0, 0, 1024), mode, groups, counts,
                Duration.ofSeconds(intVar(env, COLLECTIVE_TIMEOUT, 60, 1, 86400)),
                Duration.ofSeconds(intVar(env, INIT_TIMEOUT, 120, 1, 86400)),
                Duration.ofSeconds(intVar(env, RENDEZVOUS_TIMEOUT, 60, 1, 86400)),
                Duration.ofSeconds(intVar(env, WORKER_TIMEOUT, 1800, 1, 86400)),
                intVar(env, GRAPH_REPLAYS, 3, 1, 1000),
                longVar(env, PERF_MAX_BYTES, 1L << 30),
                intVar(env, PERF_MAX_ITERS, 1000, 10, 1000),
                intVar(env, PERF_TRIALS, 5, 1, 99),
                blankToNull(env.get(PERF_C_LOOP)),
                intVar(env, MAX_RECREATES, DEFAULT_MAX_RECREATES, 0, 100),
                perfCollectives(env.get(PERF_COLLECTIVES)),
                perfDtypes(env.get(PERF_DTYPES)),
                blankToNull(env.get(NCCL_TESTS)));
    }

    private static List<String> perfCollectives(String v) {
        if (v == null) return List.of(io.ncclffm.harness.protocol.PerfPoint.ALL_REDUCE);
        Set<String> out = new LinkedHashSet<>();
        for (String c : v.split(",")) {
            try {
                out.add(io.ncclffm.harness.protocol.PerfPoint.collective(c));
            } catch (IllegalArgumentException e) {
                throw bad(PERF_COLLECTIVES, v, "a comma-separated list of " + io.ncclffm.harness.protocol.PerfPoint.COLLECTIVES
                        + " ('" + c.strip() + "' is none of them)");
            }
        }
        return List.copyOf(out);
    }

    private static List<String> perfDtypes(String v) {
        if (v == null) return List.of("float32");
        Set<String> out = new LinkedHashSet<>();
        for (String d : v.split(",")) {
            String t = d.strip().toLowerCase(java.util.Locale.ROOT);
            if (!PERF_DTYPE_CHOICES.contains(t)) {
                throw bad(PERF_DTYPES, v, "a comma-separated list of " + PERF_DTYPE_CHOICES + " ('" + d.strip() + "' is none of them)");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    /** Whether the check group was asked for ({@code all} asks for every group). */
    public boolean wants(String group) {
        return checkGroups.contains("all") || checkGroups.contains(group);
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
