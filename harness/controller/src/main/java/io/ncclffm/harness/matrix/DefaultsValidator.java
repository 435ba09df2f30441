package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.ncclffm.harness.protocol.CheckSelection;
import io.ncclffm.harness.protocol.SlurmTask;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * The {@code defaults} section, and the same settings where a cell writes its own: worlds, gpu, timeout, env,
 * network, counts and checks. Each value is validated where it is written; a value left out comes from the level
 * above, already validated, so a bad default is reported at {@code defaults}, not at a cell.
 */
final class DefaultsValidator {

    /** The settings a cell runs with once its own and the defaults' are merged. */
    record Settings(List<Integer> worlds, GpuAssignment gpu, Duration timeout, Map<String, String> env, Cell.Network network,
                    List<Integer> counts, List<String> checks) {

        /** What a file that sets nothing gets. */
        static final Settings BUILT_IN = new Settings(Cell.DEFAULT_WORLDS, GpuAssignment.NONE, Cell.DEFAULT_TIMEOUT, Map.of(),
                Cell.Network.CELL, List.of(), List.of());

        Cell.Builder applyTo(Cell.Builder b) {
            return b.worlds(worlds).gpu(gpu).timeout(timeout).env(env).network(network).counts(counts).checks(checks);
        }
    }

    /** A cell run's whole budget is at least this: every rank must start, meet and report within it. */
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    /** And at most this: a longer one is a typo (a unit of hours for minutes), and would hold a GPU for days. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    /** Paths that name an open descriptor of the process rather than a file: /dev/fd/N and /proc/{self,PID}/fd/N. */
    private static final Pattern DESCRIPTOR_PATH = Pattern.compile("^/(dev/fd/|proc/(self|thread-self|\\d+)/(task/\\d+/)?fd/)");

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)");

    private static final Set<String> GPU_KEYS = Set.of("vendor", "assign", "access", "driverLibs");

    private final MatrixErrors errors;

    DefaultsValidator(MatrixErrors errors) {
        this.errors = errors;
    }

    /** The {@code defaults} section over the built-in settings. */
    Settings defaults(RawMatrix.RawDefaults written) {
        return settings(Where.TOP.key("defaults"), written == null ? RawMatrix.RawDefaults.NONE : written, Settings.BUILT_IN);
    }

    /** The settings written at {@code at} (the defaults, or one cell), each over {@code parent}'s where left out. */
    Settings settings(Where at, RawMatrix.RawDefaults written, Settings parent) {
        List<Integer> worlds = written.worlds();
        if (worlds != null && (worlds.isEmpty() || worlds.stream().anyMatch(w -> w == null || w < 1 || w > Cell.MAX_WORLD))) {
            throw errors.at(at.key("worlds"), "expected a non-empty list of world sizes in 1.." + Cell.MAX_WORLD + ", got " + worlds);
        }
        Map<String, String> env = env(at, written.env(), parent.env());
        List<Integer> counts = written.counts();
        if (counts != null && counts.stream().anyMatch(n -> n == null || n < 1)) {
            throw errors.at(at.key("counts"), "expected positive element counts, got " + counts);
        }
        checks(at, written.checks());
        return new Settings(
                worlds != null ? List.copyOf(worlds) : parent.worlds(),
                written.gpu() != null ? gpu(at.key("gpu"), written.gpu()) : parent.gpu(),
                written.timeout() != null ? timeout(at.key("timeout"), written.timeout()) : parent.timeout(),
                env,
                written.network() != null ? errors.word(at.key("network"), written.network(), Cell.Network.class) : parent.network(),
                counts != null ? List.copyOf(counts) : parent.counts(),
                written.checks() != null ? List.copyOf(written.checks()) : parent.checks());
    }

    /** {@code parent}'s variables with these merged over them, each checked where it is written. */
    private Map<String, String> env(Where at, Map<String, String> env, Map<String, String> parent) {
        Map<String, String> merged = new LinkedHashMap<>(parent);
        if (env == null) return Map.copyOf(merged);
        for (var e : env.entrySet()) {
            variable(at.key("env").key(e.getKey()), e.getKey(), e.getValue());
            merged.put(e.getKey(), e.getValue());
        }
        return Map.copyOf(merged);
    }

    private void variable(Where where, String name, String value) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw errors.at(where, "'" + name.replace("\0", "\\0") + "' is no environment variable name: a name is not empty and"
                    + " has no '=' and no NUL character");
        }
        if (value == null) throw errors.at(where, "missing; expected the variable's value ('' for empty)");
        if (value.indexOf('\0') >= 0) throw errors.at(where, "the value has a NUL character, which no environment can hold");
        if (WorkerConfig.LAUNCHER_VARIABLES.contains(name)) {
            throw errors.at(where, name + " is set by the launcher from the cell's own fields"
                    + " (library, checks, counts, mode, gpu) and each rank's place; leave it out of env");
        }
        if (SlurmTask.MARKER.equals(name)) {
            throw errors.at(where, name + " is set by the launcher for a cell with 'launcher: slurm'; leave it out of env");
        }
        if (name.equals("NCCL_DEBUG_FILE") && DESCRIPTOR_PATH.matcher(value).find()) {
            throw errors.at(where, "'" + value + "' names an open file descriptor, and the worker's event pipe is one; expected"
                    + " a file path (NCCL expands %h and %p), or leave NCCL_DEBUG_FILE out and NCCL's log goes to the rank log");
        }
        if (WorkerConfig.SETTINGS.contains(name)) checkedAt(where, () -> WorkerConfig.checkSettings(Map.of(name, value)));
        if (ContainerLimits.VARIABLES.contains(name)) checkedAt(where, () -> ContainerLimits.check(name, value));
        if (SupervisionGraces.VARIABLES.contains(name)) checkedAt(where, () -> SupervisionGraces.check(name, value));
    }

    /** Runs {@code check}, reporting its refusal (an {@link IllegalArgumentException}) at {@code where}. */
    private void checkedAt(Where where, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException bad) {
            throw errors.at(where, bad.getMessage());
        }
    }

    private void checks(Where at, List<String> checks) {
        if (checks == null) return;
        for (int k = 0; k < checks.size(); k++) {
            String c = checks.get(k);
            if (c == null || c.isBlank() || !CheckSelection.NAMES.contains(c)) {
                throw errors.at(at.key("checks").index(k), (c == null || c.isBlank() ? "missing" : "'" + c + "' selects nothing")
                        + "; expected one of " + CheckSelection.NAMES);
            }
        }
    }

    /** {@code none}, {@code nvidia}, {@code amd}, or {@code {vendor, assign, access, driverLibs}}. */
    private GpuAssignment gpu(Where at, JsonNode node) {
        if (node == null || node.isNull()) return GpuAssignment.NONE;
        if (node.isTextual()) {
            String v = node.asText();
            GpuAssignment.Vendor vendor = Words.parse(GpuAssignment.Vendor.class, v).orElseThrow(() -> errors.at(at, "expected "
                    + String.join(", ", Words.all(GpuAssignment.Vendor.class)) + " or a mapping {vendor, assign, access, driverLibs}, got '" + v + "'"));
            return switch (vendor) {
                case NONE -> GpuAssignment.NONE;
                case NVIDIA -> new GpuAssignment(vendor, GpuAssignment.Assign.ALL, GpuAssignment.Access.TOOLKIT, null);
                case AMD -> new GpuAssignment(vendor, GpuAssignment.Assign.ALL, GpuAssignment.Access.DEVICES, null);
            };
        }
        if (!node.isObject()) throw errors.at(at, "expected none, nvidia, amd or a mapping {vendor, assign, access, driverLibs}");
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!GPU_KEYS.contains(k)) throw errors.at(at.key(k), "unknown key '" + k + "'; expected one of " + GPU_KEYS);
        }
        GpuAssignment.Vendor vendor = errors.word(at.key("vendor"), text(node, "vendor", "nvidia"), GpuAssignment.Vendor.class);
        GpuAssignment.Assign assign = errors.word(at.key("assign"), text(node, "assign", "all"), GpuAssignment.Assign.class);
        GpuAssignment.Access access = errors.word(at.key("access"), text(node, "access", "toolkit"), GpuAssignment.Access.class);
        return new GpuAssignment(vendor, assign, access, node.hasNonNull("driverLibs") ? node.get("driverLibs").asText() : null);
    }

    private static String text(JsonNode node, String field, String def) {
        return node.hasNonNull(field) ? node.get(field).asText() : def;
    }

    /** {@code 90s}, {@code 10m} or {@code 1h}, from {@link #MIN_TIMEOUT} to {@link #MAX_TIMEOUT}. */
    Duration timeout(Where at, String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) throw errors.at(at, "expected a duration like 90s, 10m or 1h, got '" + text + "'");
        // More digits than any bounded timeout has cannot be multiplied out without overflowing.
        Duration d = m.group(1).length() > 9 ? null : switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(Long.parseLong(m.group(1)));
            case "m" -> Duration.ofMinutes(Long.parseLong(m.group(1)));
            default -> Duration.ofHours(Long.parseLong(m.group(1)));
        };
        if (d == null || d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
            throw errors.at(at, "expected a duration from 1s to 24h, like 90s, 10m or 1h, got '" + text + "'");
        }
        return d;
    }
}
