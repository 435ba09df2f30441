package io.ncclffm.harness.protocol;

import static io.ncclffm.harness.protocol.WorkerConfig.*;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.WorkerConfig.Builder;
import io.ncclffm.harness.protocol.WorkerConfig.Gpu;
import io.ncclffm.harness.protocol.WorkerConfig.Lifeline;
import io.ncclffm.harness.protocol.WorkerConfig.Mode;
import io.ncclffm.harness.protocol.WorkerConfig.Perf;
import io.ncclffm.harness.protocol.WorkerConfig.SetBy;

/**
 * The codec of {@link WorkerConfig}: one table of its environment variables, each with its name, who may set it, how
 * its value is read into a configuration being built and how it is written from one. Reading and writing both walk
 * the table, so a variable cannot be read one way and written another.
 */
final class WorkerVariables {

    private WorkerVariables() {
    }

    /**
     * One environment variable of the codec: its name, who may set it, how its value is read into a configuration
     * being built (called with {@code null} when the variable is unset), and how it is written from a configuration
     * ({@code null}: left out).
     */
    record Variable(String name, SetBy setBy, Reader read, Function<WorkerConfig, String> write) {
    }

    @FunctionalInterface
    interface Reader {
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
    static final List<Variable> VARIABLES = List.of(
            new Variable(LIBRARY, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.path = blankToNull(v)), c -> c.library().path()),
            new Variable(WORLD, SetBy.LAUNCHER, (b, v) -> b.world = intVar(WORLD, v, null, 1, 4096), c -> str(c.world())),
            new Variable(RANK, SetBy.LAUNCHER, (b, v) -> b.rank = intVar(RANK, v, null, 0, b.world - 1), c -> str(c.rank())),
            new Variable(RENDEZVOUS, SetBy.LAUNCHER, WorkerVariables::readRendezvous,
                    c -> c.rendezvous().host() + ":" + c.rendezvous().port()),
            new Variable(RENDEZVOUS_BIND, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.bind = v), c -> c.rendezvous().bind()),
            new Variable(TOKEN, SetBy.LAUNCHER, WorkerVariables::readToken, c -> c.rendezvous().token().toHex()),
            new Variable(EXPECT_VERSION, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.expectedVersion = v),
                    c -> c.library().expectedVersion()),
            new Variable(EXPECT_FLAVOR, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.expectedFlavor = v),
                    c -> c.library().expectedFlavor()),
            new Variable(GPU, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.gpu = enumVar(GPU, v, Gpu.class)),
                    c -> lower(c.identity().gpu())),
            new Variable(MODE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.mode = enumVar(MODE, v, Mode.class)), c -> lower(c.mode())),
            new Variable(CHECKS, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.groups = groups(v)),
                    c -> String.join(",", c.checks().groups())),
            new Variable(COUNTS, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.counts = counts(v)), c -> join(c.checks().counts(), String::valueOf)),
            new Variable(DEVICE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.device = intVar(DEVICE, v, null, 0, 1024)),
                    c -> str(c.identity().device())),
            new Variable(COLLECTIVE_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.collective = seconds(COLLECTIVE_TIMEOUT, v)),
                    c -> str(c.timeouts().collective().toSeconds())),
            new Variable(INIT_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.init = seconds(INIT_TIMEOUT, v)),
                    c -> str(c.timeouts().init().toSeconds())),
            new Variable(RENDEZVOUS_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.rendezvousTimeout = seconds(RENDEZVOUS_TIMEOUT, v)),
                    c -> str(c.timeouts().rendezvous().toSeconds())),
            new Variable(WORKER_TIMEOUT, SetBy.CELL, Reader.whenSet((b, v) -> b.workerTimeout = seconds(WORKER_TIMEOUT, v)),
                    c -> str(c.timeouts().worker().toSeconds())),
            new Variable(GRAPH_REPLAYS, SetBy.CELL, Reader.whenSet((b, v) -> b.graphReplays = intVar(GRAPH_REPLAYS, v, null, 1, 1000)),
                    c -> str(c.checks().graphReplays())),
            new Variable(PERF_MAX_BYTES, SetBy.CELL, Reader.whenSet((b, v) -> b.maxBytes = longVar(PERF_MAX_BYTES, v)),
                    perf(p -> str(p.maxBytes()))),
            new Variable(PERF_MAX_ITERS, SetBy.CELL, Reader.whenSet((b, v) -> b.maxIters = intVar(PERF_MAX_ITERS, v, null, 10, 1000)),
                    perf(p -> str(p.maxIters()))),
            new Variable(PERF_TRIALS, SetBy.CELL, Reader.whenSet((b, v) -> b.trials = intVar(PERF_TRIALS, v, null, 1, 99)),
                    perf(p -> str(p.trials()))),
            new Variable(PERF_C_LOOP, SetBy.CELL, Reader.whenSet((b, v) -> b.cLoop = blankToNull(v)), perf(Perf::cLoop)),
            new Variable(MAX_RECREATES, SetBy.CELL, Reader.whenSet((b, v) -> b.maxRecreates = intVar(MAX_RECREATES, v, null, 0, 100)),
                    c -> str(c.checks().maxRecreates())),
            new Variable(PERF_COLLECTIVES, SetBy.CELL, Reader.whenSet((b, v) -> b.collectives = perfCollectives(v)),
                    perf(p -> join(p.collectives(), Collective::label))),
            new Variable(PERF_DTYPES, SetBy.CELL, Reader.whenSet((b, v) -> b.dtypes = perfDtypes(v)),
                    perf(p -> join(p.dtypes(), DataType::shortName))),
            new Variable(NCCL_TESTS, SetBy.CELL, Reader.whenSet((b, v) -> b.ncclTests = blankToNull(v)), perf(Perf::ncclTests)),
            new Variable(PERF_BASELINE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.baseline = blankToNull(v)), perf(Perf::baseline)),
            new Variable(NCCL_TESTS_DEVICES, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.ncclTestsDevices = v),
                    perf(Perf::ncclTestsDevices)),
            new Variable(LIFELINE, SetBy.LAUNCHER, Reader.whenSet((b, v) -> b.lifeline = enumVar(LIFELINE, v, Lifeline.class)),
                    c -> c.lifeline() == Lifeline.NONE ? null : lower(c.lifeline())));

    /** Reads every variable of {@code env} (or, with {@code only}, those that {@code only} may set) into {@code b}. */
    static void read(Builder b, Map<String, String> env, SetBy only) {
        for (Variable v : VARIABLES) if (only == null || v.setBy() == only) v.read().read(b, env.get(v.name()));
    }

    /** Every variable a configuration sets, in the table's order; a value left unset is left out. */
    static Map<String, String> write(WorkerConfig c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Variable v : VARIABLES) {
            String value = v.write().apply(c);
            if (value != null) env.put(v.name(), value);
        }
        return env;
    }

    static Optional<SetBy> setBy(String variable) {
        return VARIABLES.stream().filter(v -> v.name().equals(variable)).map(Variable::setBy).findFirst();
    }

    static void readRendezvous(Builder b, String v) {
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

    static void requireFixedPort(Builder b) {
        if (b.world > 1 && b.port == 0) throw bad(RENDEZVOUS, b.host + ":" + b.port, "a fixed port when the world has more than one rank");
    }

    static void readToken(Builder b, String hex) {
        if (b.world > 1 && (hex == null || hex.isBlank())) throw bad(TOKEN, hex, "the run's secret token in hex");
        try {
            b.token = hex == null ? RendezvousToken.random() : RendezvousToken.fromHex(hex.strip());
        } catch (IllegalArgumentException e) {
            throw bad(TOKEN, "(hidden)", RendezvousToken.HEX_CHARS + " hex digits");
        }
    }

    static Set<String> groups(String v) {
        Set<String> groups = new LinkedHashSet<>();
        for (String c : v.split(",")) if (!c.isBlank()) groups.add(c.strip());
        return groups;
    }

    static List<Integer> counts(String v) {
        List<Integer> counts;
        try {
            counts = Arrays.stream(v.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw bad(COUNTS, v, "comma-separated element counts");
        }
        if (counts.isEmpty() || counts.stream().anyMatch(c -> c < 1)) throw bad(COUNTS, v, "positive counts");
        return counts;
    }

    static String devices(String v, int rank, int world, Mode mode) {
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

    static List<Collective> perfCollectives(String v) {
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

    static List<DataType> perfDtypes(String v) {
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

    static Set<String> names(SetBy setBy) {
        return VARIABLES.stream().filter(v -> v.setBy() == setBy).map(Variable::name).collect(Collectors.toUnmodifiableSet());
    }

    /** A perf setting's writer: nothing for a worker in check mode. */
    static Function<WorkerConfig, String> perf(Function<Perf, String> write) {
        return c -> c.perf().map(write).orElse(null);
    }

    static String str(long n) {
        return Long.toString(n);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <T> String join(List<T> values, Function<T, String> each) {
        return values.stream().map(each).collect(Collectors.joining(","));
    }

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    static Duration seconds(String name, String v) {
        return Duration.ofSeconds(intVar(name, v, null, 1, 86400));
    }

    /** An integer in {@code [min, max]}; {@code v} unset is an error (the variable is required, or read only when set). */
    static int intVar(String name, String v, Integer def, int min, int max) {
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

    static long longVar(String name, String v) {
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

    static IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException(name + "=" + (value == null ? "(unset)" : "'" + value + "'") + ": expected " + expected);
    }
}
