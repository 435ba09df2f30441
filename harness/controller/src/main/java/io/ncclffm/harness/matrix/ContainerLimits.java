package io.ncclffm.harness.matrix;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one rank container may take of its host: memory (without swap), processes and threads, and CPUs. Each has a
 * default; a cell's {@code env} sets its own with {@value #MEMORY}, {@value #PIDS} and {@value #CPUS} ({@code none}
 * for no limit), which the launcher reads and does not pass to the ranks. Process cells have no such limits.
 *
 * <p>The defaults leave a rank what it needs on a GPU host (a JVM, a CUDA context, NCCL's threads and buffers) and stop a
 * library that runs away from taking the host down with it.
 *
 * @param memoryBytes memory, swap included; empty for no limit
 * @param pids        processes and threads; empty for no limit
 * @param nanoCpus    CPUs in billionths; empty for no limit, or for the default, which is the host's CPUs up to
 *                    {@link #DEFAULT_CPUS} ({@link #cpusOn})
 * @param cpusDefault whether {@code nanoCpus} is the default, to be fitted to the host
 */
public record ContainerLimits(OptionalLong memoryBytes, OptionalLong pids, OptionalLong nanoCpus, boolean cpusDefault) {

    public static final String MEMORY = "NCCLFFM_CONTAINER_MEMORY";
    public static final String PIDS = "NCCLFFM_CONTAINER_PIDS";
    public static final String CPUS = "NCCLFFM_CONTAINER_CPUS";
    /** The variables a cell's env may set for its containers. */
    public static final Set<String> VARIABLES = Set.of(MEMORY, PIDS, CPUS);

    static final long DEFAULT_MEMORY = 16L << 30;
    static final long DEFAULT_PIDS = 4096;
    static final int DEFAULT_CPUS = 8;
    private static final long MIN_MEMORY = 256L << 20;
    private static final long MIN_PIDS = 64;
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})([kmgt]?)");
    private static final String NONE = "none";

    /** The limits of the cell whose env is {@code env}: its own where it sets them, the defaults otherwise. */
    public static ContainerLimits of(Map<String, String> env) {
        OptionalLong memory = env.containsKey(MEMORY) ? parse(MEMORY, env.get(MEMORY)) : OptionalLong.of(DEFAULT_MEMORY);
        OptionalLong pids = env.containsKey(PIDS) ? parse(PIDS, env.get(PIDS)) : OptionalLong.of(DEFAULT_PIDS);
        OptionalLong cpus = env.containsKey(CPUS) ? parse(CPUS, env.get(CPUS)) : OptionalLong.of(DEFAULT_CPUS * 1_000_000_000L);
        return new ContainerLimits(memory, pids, cpus, !env.containsKey(CPUS));
    }

    /**
     * Checks one of {@link #VARIABLES} as the launcher will read it.
     *
     * @throws IllegalArgumentException naming what the variable takes
     */
    public static void check(String name, String value) {
        parse(name, value);
    }

    /** The CPU limit on a host with {@code hostCpus}: the default never asks for more than the host has. */
    public OptionalLong cpusOn(int hostCpus) {
        if (!cpusDefault || nanoCpus.isEmpty() || hostCpus < 1) return nanoCpus;
        return OptionalLong.of(Math.min(nanoCpus.getAsLong(), hostCpus * 1_000_000_000L));
    }

    private static OptionalLong parse(String name, String raw) {
        String v = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (v.equals(NONE)) return OptionalLong.empty();
        switch (name) {
            case MEMORY -> {
                Matcher m = SIZE.matcher(v);
                long bytes = -1;
                if (m.matches()) {
                    int shift = switch (m.group(2)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        case "g" -> 30;
                        case "t" -> 40;
                        default -> 0;
                    };
                    long n = Long.parseLong(m.group(1));
                    if (n <= (Long.MAX_VALUE >> shift)) bytes = n << shift;
                }
                if (bytes < MIN_MEMORY) {
                    throw new IllegalArgumentException(name + "='" + raw + "': expected a size of at least 256m (bytes, or with k, m, g or"
                            + " t), e.g. 16g, or " + NONE);
                }
                return OptionalLong.of(bytes);
            }
            case PIDS -> {
                long n = v.matches("[0-9]{1,9}") ? Long.parseLong(v) : -1;
                if (n < MIN_PIDS) {
                    throw new IllegalArgumentException(name + "='" + raw + "': expected a number of processes and threads of at least "
                            + MIN_PIDS + ", e.g. " + DEFAULT_PIDS + ", or " + NONE);
                }
                return OptionalLong.of(n);
            }
            case CPUS -> {
                BigDecimal cpus = null;
                if (v.matches("[0-9]{1,4}(\\.[0-9]{1,3})?")) cpus = new BigDecimal(v);
                if (cpus == null || cpus.compareTo(new BigDecimal("0.1")) < 0 || cpus.compareTo(BigDecimal.valueOf(1024)) > 0) {
                    throw new IllegalArgumentException(name + "='" + raw + "': expected CPUs between 0.1 and 1024, e.g. 4 or 2.5, or "
                            + NONE);
                }
                return OptionalLong.of(cpus.movePointRight(9).longValueExact());
            }
            default -> throw new IllegalArgumentException(name + " is not a container limit; expected one of " + VARIABLES);
        }
    }
}
