package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.ncclffm.internal.CTypes;
import io.ncclffm.internal.CommConfig;
import io.ncclffm.internal.LibraryLocator;
import io.ncclffm.internal.NativeLibrary;
import io.ncclffm.internal.NcclCollectiveApi;
import io.ncclffm.internal.NcclCommStateApi;
import io.ncclffm.internal.NcclCoreApi;
import io.ncclffm.internal.NcclParamApi;
import io.ncclffm.internal.NcclRmaApi;

/**
 * A loaded NCCL or RCCL library: the entry point of the binding.
 *
 * <pre>{@code
 * Nccl nccl = Nccl.load();                       // NCCLFFM_SO_PATH, else libnccl.so.2 (librccl.so.1 on ROCm)
 * UniqueId id = nccl.newUniqueId();              // on rank 0, then sent to the other ranks
 * try (Communicator comm = nccl.initRank(world, rank, id)) {
 *     comm.allReduce(send, recv, count, DataType.FLOAT32, ReduceOp.SUM, stream);
 * }                                              // close() is collective: every rank must reach it
 * }</pre>
 *
 * <p>Every NCCL result goes through one check, which throws {@link NcclException} with NCCL's own words.
 */
public final class Nccl {

    /** Symbols only RCCL exports; NCCL has none of them. */
    private static final List<String> RCCL_ONLY_SYMBOLS =
            List.of("rcclGetVersion", "ncclCommInitRankMulti", "ncclAllToAllv", "mscclLoadAlgo");

    private final NativeLibrary library;
    private final NcclCoreApi core;
    private final NcclCollectiveApi collectives;
    private final NcclCommStateApi commState;
    private final NcclRmaApi rma;
    private final NcclParameters parameters;
    private final int versionCode;
    private final NcclVersion version;
    private final Flavor flavor;
    /**
     * Which features the library exports, read from its symbol table once at load: {@link #require(Feature)} sits
     * on the path of every broadcast, send and receive, where a symbol lookup per call costs microseconds.
     */
    private final EnumSet<Feature> exported = EnumSet.noneOf(Feature.class);
    /**
     * Which data types and reductions the release accepts, decided once at load: {@link #require(DataType)} and
     * {@link #require(ReduceOp)} sit on the path of every collective, where working it out from the version per call
     * allocates, and branches on the type in a way the JIT compiles for the first type it saw (a second one costs a
     * deoptimization and a recompile in the middle of a caller's loop).
     */
    private final EnumSet<DataType> acceptedTypes = EnumSet.noneOf(DataType.class);
    private final EnumSet<ReduceOp> acceptedOps = EnumSet.noneOf(ReduceOp.class);

    private Nccl(NativeLibrary library) {
        this.library = library;
        this.core = new NcclCoreApi(library);
        this.collectives = new NcclCollectiveApi(library);
        this.commState = new NcclCommStateApi(library);
        this.rma = new NcclRmaApi(library);
        this.parameters = new NcclParameters(this, new NcclParamApi(library));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            check("ncclGetVersion", core.ncclGetVersion(out), MemorySegment.NULL);
            this.versionCode = out.get(ValueLayout.JAVA_INT, 0);
        }
        this.version = NcclVersion.decode(versionCode);
        this.flavor = RCCL_ONLY_SYMBOLS.stream().anyMatch(library::exports) ? Flavor.RCCL : Flavor.NCCL;
        library.describeAs(flavor.displayName() + " " + version + " (" + library.path() + ")");
        for (Feature f : Feature.values()) {
            if (f.functions().stream().allMatch(this::exportsAny)) exported.add(f);
        }
        for (DataType t : DataType.values()) {
            if (t.supportedBy(flavor, version)) acceptedTypes.add(t);
        }
        for (ReduceOp op : ReduceOp.values()) {
            if (op.supportedBy(version)) acceptedOps.add(op);
        }
    }

    /**
     * Loads the library from the system property {@code ncclffm.so.path}, else the environment variable
     * {@code NCCLFFM_SO_PATH}, else {@code libnccl.so.2} ({@code librccl.so.1} on a ROCm machine).
     *
     * @throws NcclLoadException naming every source tried and why it failed
     */
    public static Nccl load() {
        return load(LibraryLocator.system(), null);
    }

    /** Loads the library at {@code path}, which takes precedence over every other source. */
    public static Nccl load(Path path) {
        Objects.requireNonNull(path, "path");
        return load(LibraryLocator.system(), path.toString());
    }

    static Nccl load(LibraryLocator locator, String explicitPath) {
        return new Nccl(locator.open(explicitPath));
    }

    /** The loaded library, with every function bound against it (the layout conformance test reads them). */
    NativeLibrary nativeLibrary() {
        return library;
    }

    /** The decoded version; RCCL reports the NCCL API level it implements. */
    public NcclVersion version() {
        return version;
    }

    /**
     * The newest release whose nccl.h this binding was written against: every layout it writes ({@code ncclConfig_t},
     * {@code ncclCommProperties_t}) and every {@link Feature} stops there.
     */
    public static final NcclVersion NEWEST_KNOWN = NcclVersion.of(2, 30, 7);

    /**
     * Whether the library reports a release newer than {@link #NEWEST_KNOWN}. Such a library is used as a program
     * compiled against 2.30.7's nccl.h uses it: with the newest layouts the binding has, which NCCL keeps accepting
     * from older callers. It is a fact to report, not an error.
     */
    public boolean newerThanKnown() {
        return version.compareTo(NEWEST_KNOWN) > 0;
    }

    /**
     * "NCCL 2.32.6, newer than this binding knows (2.30.7)" where {@link #newerThanKnown()}, else empty: the line a
     * report shows beside the version.
     */
    public Optional<String> newerThanKnownNote() {
        if (!newerThanKnown()) return Optional.empty();
        return Optional.of(flavor.displayName() + " " + version + ", newer than this binding knows (" + NEWEST_KNOWN + ")");
    }

    /** The raw code {@code ncclGetVersion} returned. */
    public int versionCode() {
        return versionCode;
    }

    public Flavor flavor() {
        return flavor;
    }

    /** The path or soname that was opened. */
    public String libraryPath() {
        return library.path();
    }

    /**
     * The file the process really runs NCCL's API from: the object that holds {@code ncclGetVersion}, as the
     * dynamic loader mapped it. Where {@link #libraryPath()} is a soname this is where the search path led; where a
     * library carries NCCL inside it, it is that library. Empty where the process has no memory map to read (not
     * Linux).
     */
    public Optional<LoadedFile> loadedFile() {
        return library.find("ncclGetVersion").flatMap(symbol -> LoadedFile.containing(symbol.address()));
    }

    /** Where {@link #libraryPath()} came from, e.g. {@code environment variable NCCLFFM_SO_PATH}. */
    public String librarySource() {
        return library.source();
    }

    /** Answers from the symbol table, without calling into the library. */
    public boolean supports(Feature feature) {
        return exported.contains(feature);
    }

    private boolean exportsAny(Feature.Symbol function) {
        return function.names().stream().anyMatch(library::exports);
    }

    public boolean supports(DataType type) {
        return acceptedTypes.contains(type);
    }

    public boolean supports(ReduceOp op) {
        return acceptedOps.contains(op);
    }

    /**
     * Throws {@link NcclUnsupportedException} before any NCCL call if the release lacks {@code feature}, naming the
     * first missing function by every name it is accepted under.
     */
    public void require(Feature feature) {
        if (exported.contains(feature)) return;
        for (Feature.Symbol function : feature.functions()) {
            if (!exportsAny(function)) {
                throw new NcclUnsupportedException(function.describe(), library.describe(), feature.since());
            }
        }
    }

    void require(DataType type) {
        if (type == null || type == DataType.UNKNOWN) {
            throw new IllegalArgumentException("data type must be a known ncclDataType_t, got " + type);
        }
        if (!supports(type)) throw new NcclUnsupportedException(type.cName(), library.describe(), type.since(flavor));
    }

    void require(ReduceOp op) {
        if (op == null || op == ReduceOp.UNKNOWN) {
            throw new IllegalArgumentException("reduction must be a known ncclRedOp_t, got " + op);
        }
        if (!supports(op)) throw new NcclUnsupportedException(op.cName(), library.describe(), op.since());
    }

    /** {@code ncclGetUniqueId}: creates the ID that rank 0 hands to every other rank. */
    public UniqueId newUniqueId() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(CTypes.NCCL_UNIQUE_ID);
            check("ncclGetUniqueId", core.ncclGetUniqueId(id), MemorySegment.NULL);
            return UniqueId.fromSegment(id);
        }
    }

    /** {@code ncclGetErrorString(code)}, for any code, known or not. */
    public String errorString(int resultCode) {
        MemorySegment s = core.ncclGetErrorString(resultCode);
        return s.equals(MemorySegment.NULL) ? null : s.getString(0);
    }

    /** {@code ncclGetLastError(comm)} where the release has it, else {@code null}. */
    String lastError(MemorySegment comm) {
        if (!core.hasLastError()) return null;
        MemorySegment s = core.ncclGetLastError(comm);
        if (s.equals(MemorySegment.NULL)) return null;
        String text = s.getString(0);
        return text.isBlank() ? null : text;
    }

    /** Creates this rank's communicator with {@code ncclCommInitRank} (blocking). See {@link Communicator}. */
    public Communicator initRank(int world, int rank, UniqueId id) {
        return Communicator.init(this, world, rank, id, InitOptions.blockingInit());
    }

    /**
     * Creates this rank's communicator. A non-blocking init uses {@code ncclCommInitRankConfig} (NCCL 2.14+) and is
     * aborted if it has not completed within the options' timeout.
     */
    public Communicator initRank(int world, int rank, UniqueId id, InitOptions options) {
        return Communicator.init(this, world, rank, id, options);
    }

    /**
     * The {@code ncclConfig_t} for {@code options} in the loaded release's layout.
     *
     * @throws NcclUnsupportedException naming a field the release lacks
     */
    MemorySegment config(Arena arena, InitOptions options) {
        java.util.Map<ConfigField, Object> values = new java.util.EnumMap<>(ConfigField.class);
        values.putAll(options.config());
        values.put(ConfigField.BLOCKING, options.blocking() ? 1 : 0);
        return CommConfig.allocate(arena, version, library.describe(), values);
    }

    /**
     * {@code ncclMemAlloc} (NCCL 2.19+): device memory on the current device, as NCCL's buffer registration and
     * symmetric windows want it. Close the result to free it.
     */
    public NcclMemory memAlloc(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        require(Feature.MEM_ALLOC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check("ncclMemAlloc", core.ncclMemAlloc(out, bytes), MemorySegment.NULL);
            return new NcclMemory(this, out.get(ValueLayout.ADDRESS, 0).address(), bytes);
        }
    }

    /**
     * {@code ncclCommInitRankScalable} (NCCL 2.23+): like {@link #initRank(int, int, UniqueId, InitOptions)}, with
     * the bootstrap spread over several unique IDs (each made by a different rank and given to all).
     */
    public Communicator initRankScalable(int world, int rank, List<UniqueId> ids, InitOptions options) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(options, "options");
        if (ids.isEmpty()) throw new IllegalArgumentException("ids must hold at least one unique ID");
        Communicator.checkWorldAndRank(world, rank);
        require(Feature.INIT_RANK_SCALABLE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(CTypes.NCCL_UNIQUE_ID, ids.size());
            for (int i = 0; i < ids.size(); i++) {
                UniqueId id = Objects.requireNonNull(ids.get(i), "ids[" + i + "]");
                array.asSlice(i * (long) UniqueId.BYTES, UniqueId.BYTES).copyFrom(id.toSegment(arena));
            }
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = core.ncclCommInitRankScalable(out, world, rank, ids.size(), array, config(arena, options));
            return Communicator.created(this, "ncclCommInitRankScalable", rc, out, world, rank, options);
        }
    }

    /**
     * {@code ncclCommGrow} (NCCL 2.29.2+) on a rank that joins: {@code id} comes from the existing communicator's
     * rank 0 ({@link Communicator#newGrowId()}), {@code rank} is the one assigned to this process.
     */
    public Communicator joinByGrow(int world, UniqueId id, int rank, InitOptions options) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(options, "options");
        Communicator.checkWorldAndRank(world, rank);
        require(Feature.GROW);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = core.ncclCommGrow(MemorySegment.NULL, world, id.toSegment(arena), rank, out, config(arena, options));
            return Communicator.created(this, "ncclCommGrow", rc, out, world, rank, options);
        }
    }

    /** {@code NCCL_SIM_INFO_INITIALIZER}'s magic. */
    private static final int SIM_INFO_MAGIC = 0x74685283;
    /** {@code ncclSimInfo_v22200}: {@code size_t size; unsigned magic; unsigned version; float estimatedTime;}. */
    private static final long SIM_INFO_BYTES = 24;
    private static final int SIM_INFO_VERSION = NcclVersion.of(2, 22, 0).code();

    /**
     * {@code ncclGroupSimulateEnd} (NCCL 2.22+): ends the group opened by {@link #groupStart()} without running it,
     * and returns NCCL's estimate of how long it would take, in microseconds ({@code ncclSimInfo_t.estimatedTime}).
     */
    public float groupSimulateEnd() {
        require(Feature.GROUP_SIMULATE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIM_INFO_BYTES, 8);
            info.set(ValueLayout.JAVA_LONG, 0, SIM_INFO_BYTES);
            info.set(ValueLayout.JAVA_INT, 8, SIM_INFO_MAGIC);
            info.set(ValueLayout.JAVA_INT, 12, SIM_INFO_VERSION);
            info.set(ValueLayout.JAVA_FLOAT, 16, -1.0f);
            check("ncclGroupSimulateEnd", collectives.ncclGroupSimulateEnd(info), MemorySegment.NULL);
            return info.get(ValueLayout.JAVA_FLOAT, 16);
        }
    }

    /** {@code ncclGroupStart}. */
    public void groupStart() {
        check("ncclGroupStart", collectives.ncclGroupStart(), MemorySegment.NULL);
    }

    /**
     * {@code ncclGroupEnd}. With non-blocking communicators it may return while work is still being enqueued; then
     * it returns {@code true} and each communicator's {@link Communicator#awaitReady()} must be called.
     */
    public boolean groupEnd() {
        int rc = collectives.ncclGroupEnd();
        if (rc == NcclResult.IN_PROGRESS.code()) return true;
        check("ncclGroupEnd", rc, MemorySegment.NULL);
        return false;
    }

    /**
     * Runs {@code calls} between {@code ncclGroupStart} and {@code ncclGroupEnd}, and ends the group also when a call
     * throws: a group left open would swallow every later NCCL call of this thread, communicator inits included.
     *
     * @return {@code true} when non-blocking communicators are still enqueuing (see {@link #groupEnd()})
     */
    public boolean group(Runnable calls) {
        groupStart();
        boolean inProgress;
        try {
            calls.run();
        } catch (RuntimeException | Error e) {
            try {
                groupEnd();
            } catch (RuntimeException end) {
                e.addSuppressed(end);
            }
            throw e;
        }
        inProgress = groupEnd();
        return inProgress;
    }

    /**
     * The one place a result code is checked: anything but {@code ncclSuccess} becomes an {@link NcclException} with
     * {@code ncclGetErrorString} and, where available, {@code ncclGetLastError}.
     */
    void check(String operation, int rc, MemorySegment comm) {
        if (rc == NcclResult.SUCCESS.code()) return;
        throw new NcclException(operation, rc, errorString(rc), lastError(comm));
    }

    NcclCoreApi core() {
        return core;
    }

    NcclCollectiveApi collectives() {
        return collectives;
    }

    NcclCommStateApi commState() {
        return commState;
    }

    NcclRmaApi rma() {
        return rma;
    }

    /**
     * NCCL's parameter API (NCCL 2.30.4+): the settings in effect, by key. Each call on a release without it throws
     * {@link NcclUnsupportedException}.
     */
    public NcclParameters parameters() {
        return parameters;
    }

    String describe() {
        return library.describe();
    }

    @Override
    public String toString() {
        return "Nccl[" + library.describe() + ", from " + library.source() + "]";
    }
}
