package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.protocol.WorkerConfig.Mode;

/**
 * One column of the compatibility grid: a library build, how to get it, and how to run it.
 *
 * @param name     unique, stable (it keys Allure's history)
 * @param flavor   NCCL or RCCL
 * @param version  the version the library must report (RCCL: the NCCL API level)
 * @param source   where the library comes from
 * @param soPath   the library's path where the worker runs (inside the container, or on this host); {@code null}
 *                 for a {@link Coordinates} cell until its library is resolved
 * @param worlds   the world sizes to run, each a separate communicator
 * @param gpu      GPU assignment
 * @param timeout  for the whole cell at one world size; a rank still running then is killed and reported
 * @param env      extra environment for every rank (e.g. NCCL_DEBUG)
 * @param network  containers only: a network of the cell's own, or the host's
 * @param counts   allReduce element counts; empty = the worker's default
 * @param checks   check groups to run; empty = all
 * @param mode     run the checks, or measure (perf mode, which runs alone)
 * @param line     line of the cell in the matrix file, for messages
 * @param release  the product release the library ships in, where its version alone does not say it (RCCL reports
 *                 an NCCL API level: {@code ROCm 5.4.3}); {@code null} when the version says it all
 * @param mix      a mixed-release cell's member cells: rank {@code r} runs {@code mix[r % n]}'s library and expects
 *                 its version (the rolling-upgrade question); empty for an ordinary cell
 * @param pairedBaseline perf cells only: the perf baseline's library, timed beside this cell's in each rank's process
 * @param pinnedSha256 the hex SHA-256 (64 lower-case digits) the library file must have, from the matrix's
 *                 {@code sha256:}; {@code null} when the matrix pins none. It is the file the ranks load: the file a
 *                 {@code library:} source resolves to, the file at {@code host.path} or {@code image.fromHost}, or the
 *                 file at {@code soPath} inside an image. A mixed cell has none of its own: each member keeps its own
 *                 ({@link #forRank}), and the mixed cell mirrors its first member, as it does for source and soPath
 * @param slurm    how the ranks run under Slurm ({@code launcher: slurm}); {@code null} for processes and containers
 */
public record Cell(
        String name,
        Flavor flavor,
        NcclVersion version,
        Source source,
        String soPath,
        List<Integer> worlds,
        GpuAssignment gpu,
        Duration timeout,
        Map<String, String> env,
        Network network,
        List<Integer> counts,
        List<String> checks,
        Mode mode,
        int line,
        String release,
        List<Cell> mix,
        String pairedBaseline,
        String pinnedSha256,
        SlurmSettings slurm) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public Cell {
        worlds = List.copyOf(worlds);
        env = Map.copyOf(env);
        counts = List.copyOf(counts);
        checks = List.copyOf(checks);
        mix = mix == null ? List.of() : List.copyOf(mix);
        if (pairedBaseline != null && mode != Mode.PERF) {
            throw new IllegalArgumentException("cell " + name + ": a paired baseline library is for perf cells only");
        }
        if (pinnedSha256 != null && !SHA256.matcher(pinnedSha256).matches()) {
            throw new IllegalArgumentException("cell " + name + ": a pinned sha256 is 64 lower-case hex digits, got '" + pinnedSha256 + "'");
        }
    }

    /** A cell's run settings where the matrix file sets none ({@code defaults} and the cell both leave them out). */
    public static final List<Integer> DEFAULT_WORLDS = List.of(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** The largest world a cell may run. */
    public static final int MAX_WORLD = 64;

    /** A cell with these name, flavor and version, and every other field at its default until set. */
    public static Builder builder(String name, Flavor flavor, NcclVersion version) {
        return new Builder(name, flavor, version);
    }

    /** A builder that starts from every field of this cell. */
    public Builder toBuilder() {
        return new Builder(name, flavor, version).source(source, soPath).worlds(worlds).gpu(gpu).timeout(timeout).env(env)
                .network(network).counts(counts).checks(checks).mode(mode).line(line).release(release).mix(mix)
                .pairedBaseline(pairedBaseline).pinnedSha256(pinnedSha256).slurm(slurm);
    }

    /**
     * Makes a {@link Cell}. Defaults: one world of one rank, no GPU, a {@link #DEFAULT_TIMEOUT}, no env, the cell's own
     * network, the worker's counts and every check, check mode, line 0, and no release, mix, paired baseline or pin.
     */
    public static final class Builder {
        private final String name;
        private final Flavor flavor;
        private final NcclVersion version;
        private Source source;
        private String soPath;
        private List<Integer> worlds = DEFAULT_WORLDS;
        private GpuAssignment gpu = GpuAssignment.NONE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Map<String, String> env = Map.of();
        private Network network = Network.CELL;
        private List<Integer> counts = List.of();
        private List<String> checks = List.of();
        private Mode mode = Mode.CHECK;
        private int line;
        private String release;
        private List<Cell> mix = List.of();
        private String pairedBaseline;
        private String pinnedSha256;
        private SlurmSettings slurm;

        private Builder(String name, Flavor flavor, NcclVersion version) {
            this.name = name;
            this.flavor = flavor;
            this.version = version;
        }

        /** Where the library comes from, and its path where the ranks run ({@code null} until a coordinate is resolved). */
        public Builder source(Source source, String soPath) {
            this.source = source;
            this.soPath = soPath;
            return this;
        }

        public Builder worlds(List<Integer> worlds) {
            this.worlds = worlds;
            return this;
        }

        public Builder gpu(GpuAssignment gpu) {
            this.gpu = gpu;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public Builder network(Network network) {
            this.network = network;
            return this;
        }

        public Builder counts(List<Integer> counts) {
            this.counts = counts;
            return this;
        }

        public Builder checks(List<String> checks) {
            this.checks = checks;
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        public Builder line(int line) {
            this.line = line;
            return this;
        }

        public Builder release(String release) {
            this.release = release;
            return this;
        }

        public Builder mix(List<Cell> mix) {
            this.mix = mix;
            return this;
        }

        public Builder pairedBaseline(String pairedBaseline) {
            this.pairedBaseline = pairedBaseline;
            return this;
        }

        public Builder pinnedSha256(String pinnedSha256) {
            this.pinnedSha256 = pinnedSha256;
            return this;
        }

        /** Runs the ranks under Slurm; {@code null} (the default) for processes and containers. */
        public Builder slurm(SlurmSettings slurm) {
            this.slurm = slurm;
            return this;
        }

        public Cell build() {
            return new Cell(name, flavor, version, source, soPath, worlds, gpu, timeout, env, network, counts, checks, mode,
                    line, release, mix, pairedBaseline, pinnedSha256, slurm);
        }
    }

    /** This cell with another source and library path (a library resolved from coordinates). */
    public Cell withLibrary(Source newSource, String newSoPath) {
        return toBuilder().source(newSource, newSoPath).build();
    }

    /** This cell with its library pinned to {@code sha256} (hex), or unpinned when it is {@code null}. */
    public Cell withPinnedSha256(String sha256) {
        return toBuilder().pinnedSha256(sha256).build();
    }

    /**
     * This perf cell with the perf baseline's library to time beside its own in each rank's process
     * ({@code perf.pairing: in-process}).
     */
    public Cell withPairedBaseline(String baselineLibrary) {
        return toBuilder().pairedBaseline(baselineLibrary).build();
    }

    /** This mixed cell with other members (their libraries resolved). */
    public Cell withMix(List<Cell> members) {
        Cell first = members.getFirst();
        return new Builder(name, first.flavor, first.version).source(first.source, first.soPath).worlds(worlds).gpu(gpu)
                .timeout(timeout).env(env).network(network).counts(counts).checks(checks).mode(mode).line(line).release(release)
                .mix(members).pinnedSha256(first.pinnedSha256).slurm(slurm).build();
    }

    /** Whether ranks run different libraries. */
    public boolean mixed() {
        return !mix.isEmpty();
    }

    /**
     * The cell as rank {@code rank} runs it: for a mixed cell, its member's library, version, source and pin under
     * this cell's name, GPU, timeout, environment and checks; else this cell.
     */
    public Cell forRank(int rank) {
        if (mix.isEmpty()) return this;
        Cell m = mix.get(rank % mix.size());
        return new Builder(name, m.flavor, m.version).source(m.source, m.soPath).worlds(worlds).gpu(gpu).timeout(timeout).env(env)
                .network(network).counts(counts).checks(checks).mode(mode).line(line).release(m.release)
                .pinnedSha256(m.pinnedSha256).slurm(slurm).build();
    }

    /** Whether the ranks run as tasks of a Slurm job step. */
    public boolean slurmLaunched() {
        return slurm != null;
    }

    /** Where a container cell's ranks meet: on a Docker network of the cell's own, or on the host's network. */
    public enum Network {
        CELL, HOST;

        @Override
        public String toString() {
            return Words.of(this);
        }
    }

    /** Whether a perf cell, which runs alone and measures instead of checking. */
    public boolean perf() {
        return mode == Mode.PERF;
    }

    /** Where the library comes from. */
    public sealed interface Source {
        /** Whether ranks run in containers (all but {@link HostLibrary} and a process-launched {@link Coordinates}). */
        default boolean containerized() {
            return !(this instanceof HostLibrary);
        }
    }

    /** An image built from {@code images/<dir>} with build args; tagged by a hash of both. */
    public record BuildImage(String dir, Map<String, String> args) implements Source {
    }

    /** An existing image, tested as it is. */
    public record ImageRef(String ref) implements Source {
    }

    /** A minimal image made from this host's own files: the loader, libc, libstdc++ and this library. */
    public record HostFilesImage(String libraryPath) implements Source {
        /**
         * Where the library sits inside the image: its host path, unless that is under {@code /tmp}, which rank
         * containers mount as a fresh tmpfs (the file would be hidden there); then under {@code /usr/local/lib/ncclffm}.
         */
        public String pathInImage() {
            return libraryPath.startsWith("/tmp/") ? "/usr/local/lib/ncclffm" + libraryPath : libraryPath;
        }
    }

    /** Process mode: the library on this host, run by local processes. */
    public record HostLibrary(String path) implements Source {
    }

    /**
     * A library named by coordinates (a Maven artifact, a Debian package, a wheel), resolved to a file on this host
     * before the cell runs (by the {@code library} package).
     *
     * @param library where the file comes from
     * @param launch  how ranks run on the resolved file
     */
    public record Coordinates(LibrarySource library, Launch launch) implements Source {
        @Override
        public boolean containerized() {
            return launch == Launch.CONTAINER;
        }
    }

    /** How a {@link Coordinates} cell runs once its file is resolved. */
    public enum Launch {
        /** Ranks are local processes that load the resolved file (as {@link HostLibrary}). */
        PROCESS,
        /** Ranks run in a minimal image made from this host's files and the resolved file (as {@link HostFilesImage}). */
        CONTAINER
    }

    /** e.g. {@code NCCL 2.22.3}, {@code RCCL 2.13.4 (ROCm 5.4.3)}, or {@code NCCL 2.22.3 + NCCL 2.23.4} for a mix */
    public String displayVersion() {
        if (!mix.isEmpty()) {
            return String.join(" + ", mix.stream().map(Cell::displayVersion).toList());
        }
        return flavor.displayName() + " " + version + (release != null ? " (" + release + ")" : "");
    }
}
