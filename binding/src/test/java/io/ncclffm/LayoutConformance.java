package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.ncclffm.internal.CommConfig;

/**
 * Holds what one header declares ({@link HeaderLayout}) against what the binding writes for that release
 * ({@link BindingAbi}, {@link CommConfig}). Each method returns the differences, each naming the header, the item,
 * the header's value and the binding's: {@code v2.17.1-1: ncclConfig_t.minCTAs offset: header 28, binding 32}.
 */
final class LayoutConformance {

    /** How the binding writes {@code ncclConfig_t} for a release: {@link CommConfig#allocate}, or a planted mutant. */
    @FunctionalInterface
    interface ConfigWriter {
        MemorySegment write(Arena arena, NcclVersion release, Map<ConfigField, Object> values);
    }

    static final ConfigWriter BINDING = (arena, release, values) -> CommConfig.allocate(arena, release, "nccl.h " + release, values);

    private final VendoredHeader header;
    private final HeaderLayout layout;
    private final List<String> problems = new ArrayList<>();
    private final List<String> gaps = new ArrayList<>();

    /** The differences (failures), and the known gaps (skips with their reason, see {@link BindingAbi#PENDING_CONFIG_FIELDS}). */
    record Result(List<String> problems, List<String> gaps) {
    }

    private LayoutConformance(HeaderLayout layout) {
        this.header = layout.header;
        this.layout = layout;
    }

    private void differ(String item, Object headerValue, Object bindingValue) {
        if (!Objects.equals(headerValue, bindingValue)) {
            problems.add(header.label() + ": " + item + ": header " + headerValue + ", binding " + bindingValue);
        }
    }

    /** A present/absent answer: "declared" or "absent", so that a difference reads as the others do. */
    private static String declared(boolean present) {
        return present ? "declared" : "absent";
    }

    /**
     * {@code ncclConfig_t}: that the header has one exactly where the binding writes one, its size, magic and
     * version, and every field's presence, offset, width, kind and initializer value, against what {@code writer}
     * writes: the bytes themselves, read at the header's offsets.
     *
     * @param nvidia every NVIDIA header's layout, to check that the version the binding writes is one NCCL reads
     *               as this header's layout
     */
    static Result config(HeaderLayout layout, ConfigWriter writer, List<HeaderLayout> nvidia) {
        LayoutConformance c = new LayoutConformance(layout);
        c.checkConfig(writer, nvidia);
        return new Result(c.problems, c.gaps);
    }

    private void checkConfig(ConfigWriter writer, List<HeaderLayout> nvidia) {
        NcclVersion release = header.release();
        NcclVersion step = CommConfig.layoutFor(release);
        differ("ncclConfig_t", declared(layout.config != null), declared(step != null));
        if (layout.config == null || step == null) return;
        for (ConfigField f : ConfigField.values()) {
            differ("ncclConfig_t." + f.cName(), declared(layout.configFields.containsKey(f.cName())), declared(release.atLeast(f.since())));
        }
        try (RecordingArena arena = new RecordingArena()) {
            MemorySegment defaults = writer.write(arena, release, Map.of());
            if (!pendingGap(defaults.byteSize())) {
                differ("sizeof(ncclConfig_t)", layout.config.sizeOf(), defaults.byteSize());
                differ("NCCL_CONFIG_INITIALIZER size", layout.config.size(), defaults.get(ValueLayout.JAVA_LONG, 0));
            }
            checkUnknownMembers();
            differ("NCCL_CONFIG_INITIALIZER magic", layout.config.magic(), Integer.toUnsignedLong(defaults.get(ValueLayout.JAVA_INT, 8)));
            checkVersion(defaults.get(ValueLayout.JAVA_INT, 12), nvidia);
            Map<ConfigField, Object> markers = markers(release);
            MemorySegment marked = writer.write(arena, release, markers);
            for (ConfigField f : ConfigField.values()) {
                HeaderLayout.Field h = layout.configFields.get(f.cName());
                if (h == null || !release.atLeast(f.since())) continue;
                checkField(f, h, defaults, marked, markers.get(f), arena);
            }
        }
    }

    /**
     * Whether the header's {@code ncclConfig_t} is the binding's layout plus members still pending
     * ({@link BindingAbi#PENDING_CONFIG_FIELDS}) after its end; if so it is recorded as a gap.
     */
    private boolean pendingGap(long written) {
        Map<String, HeaderLayout.Field> pending = new java.util.TreeMap<>(layout.configFields);
        pending.keySet().retainAll(BindingAbi.pendingConfigFields());
        if (pending.isEmpty()) return false;
        long known = layout.configFields.entrySet().stream().filter(e -> !pending.containsKey(e.getKey()))
                .mapToLong(e -> e.getValue().offset() + e.getValue().width()).max().orElse(16);
        long end = pending.values().stream().mapToLong(f -> f.offset() + f.width()).max().orElseThrow();
        boolean after = pending.values().stream().allMatch(f -> f.offset() >= known);
        if (!after || layout.config.sizeOf() != Math.max((end + 7) / 8 * 8, written)) return false;
        gaps.add(header.label() + ": ncclConfig_t." + String.join(", ", pending.keySet()) + " (offsets "
                + pending.values().stream().map(f -> Long.toString(f.offset())).toList() + ") not written by the binding yet (it writes "
                + written + " of the header's " + layout.config.sizeOf() + " bytes)");
        return true;
    }

    /**
     * A member the binding does not know, which sizeof misses where it sits in padding (an int after an odd number
     * of ints): NCCL_CONFIG_INITIALIZER sets it (every member so far defaults to NCCL_CONFIG_UNDEF_INT or another
     * non-zero value), so in a static initialized struct, whose padding is zero, some byte outside every known
     * member is not zero. A new member that defaults to 0 inside padding is the one case this cannot see.
     */
    private void checkUnknownMembers() {
        boolean[] covered = new boolean[layout.configBytes.length];
        java.util.Arrays.fill(covered, 0, Math.min(16, covered.length), true);   // size, magic, version
        for (HeaderLayout.Field f : layout.configFields.values()) {
            for (long i = f.offset(); i < f.offset() + f.width() && i < covered.length; i++) covered[(int) i] = true;
        }
        List<Integer> set = new ArrayList<>();
        for (int i = 0; i < covered.length; i++) if (!covered[i] && layout.configBytes[i] != 0) set.add(i);
        if (!set.isEmpty()) {
            problems.add(header.label() + ": ncclConfig_t: NCCL_CONFIG_INITIALIZER sets bytes " + set
                    + " that no member the binding knows covers: a member the binding lacks");
        }
    }

    private void checkField(ConfigField f, HeaderLayout.Field h, MemorySegment defaults, MemorySegment marked, Object marker,
                            RecordingArena arena) {
        String item = "ncclConfig_t." + f.cName();
        differ(item + " offset", h.offset(), writtenAt(marked, marker, arena));
        differ(item + " offset in CommConfig.offset", h.offset(), CommConfig.offset(f));
        differ(item + " kind", h.kind(), f.kind() == ConfigField.Kind.INT ? "int" : "string");
        differ(item + " width", h.width(), f.kind() == ConfigField.Kind.INT ? 4L : 8L);
        if (h.offset() + h.width() > marked.byteSize()) {
            problems.add(header.label() + ": " + item + ": header offset " + h.offset() + " is past the end of the "
                    + marked.byteSize() + " bytes the binding writes");
            return;
        }
        if (f.kind() == ConfigField.Kind.INT) {
            differ(item + " default", h.initial(), Integer.toString(defaults.get(ValueLayout.JAVA_INT, h.offset())));
            differ(item + " (set to " + marker + ") read at the header's offset", marker, marked.get(ValueLayout.JAVA_INT, h.offset()));
        } else {
            long pointer = defaults.get(ValueLayout.JAVA_LONG, h.offset());
            differ(item + " default", h.initial(), pointer == 0 ? "null" : "nonnull");
            differ(item + " (set to " + marker + ") read at the header's offset", marker, arena.string(marked.get(ValueLayout.JAVA_LONG, h.offset())));
        }
    }

    /** Where in {@code marked} the binding wrote {@code marker} (an int, or a pointer to that string), or "nowhere". */
    private static Object writtenAt(MemorySegment marked, Object marker, RecordingArena arena) {
        for (long at = 16; at + 4 <= marked.byteSize(); at += 4) {
            if (marker instanceof Integer i && marked.get(ValueLayout.JAVA_INT, at) == i) return at;
            if (marker instanceof String && at % 8 == 0 && marker.equals(arena.string(marked.get(ValueLayout.JAVA_LONG, at)))) return at;
        }
        return "nowhere";
    }

    /**
     * NCCL copies the config and resets every field newer than its {@code version} ({@code version <
     * NCCL_VERSION(2,27,0)} and so on), so the version written must be no newer than the header's release, and
     * every NVIDIA release between the two must have the same {@code ncclConfig_t}: NCCL then reads it as this
     * header's layout, neither resetting a field the binding set nor reading one it did not write.
     */
    private void checkVersion(int written, List<HeaderLayout> nvidia) {
        NcclVersion w = NcclVersion.decode(written);
        if (!header.release().atLeast(w)) {
            problems.add(header.label() + ": ncclConfig_t.version: header " + header.release().code() + ", binding "
                    + written + " (newer than the release)");
        }
        for (HeaderLayout other : nvidia) {
            NcclVersion r = other.header.release();
            if (r.atLeast(w) && header.release().atLeast(r) && !sameConfig(other, layout)) {
                problems.add(header.label() + ": ncclConfig_t.version: binding writes " + written + " (" + w + "), but "
                        + other.header.label() + ", between it and this release, has another ncclConfig_t ("
                        + (other.config == null ? "none" : other.configFields.keySet()) + ")");
            }
        }
    }

    /** The same members at the same places; members still pending are left out, as the binding writes none of them. */
    private static boolean sameConfig(HeaderLayout a, HeaderLayout b) {
        if (a.config == null || b.config == null) return a.config == b.config;
        Map<String, HeaderLayout.Field> fa = new java.util.HashMap<>(a.configFields);
        Map<String, HeaderLayout.Field> fb = new java.util.HashMap<>(b.configFields);
        fa.keySet().removeAll(BindingAbi.pendingConfigFields());
        fb.keySet().removeAll(BindingAbi.pendingConfigFields());
        boolean pending = fa.size() != a.configFields.size() || fb.size() != b.configFields.size();
        return fa.equals(fb) && (pending || a.config.sizeOf() == b.config.sizeOf());
    }

    /** A distinct value per field the release has: ints from 0x5000 on, strings naming the field. */
    private static Map<ConfigField, Object> markers(NcclVersion release) {
        Map<ConfigField, Object> m = new EnumMap<>(ConfigField.class);
        for (ConfigField f : ConfigField.values()) {
            if (!release.atLeast(f.since())) continue;
            m.put(f, f.kind() == ConfigField.Kind.INT ? (Object) (0x5000 + f.ordinal()) : "marker-" + f.cName());
        }
        return m;
    }

    /**
     * The enums: each value the binding maps has the header's value, is declared exactly from the release the
     * binding says accepts it, and the header's count enumerators ({@code ncclNumTypes}, ...) hold no value the
     * binding does not know; each enum is an {@code int}.
     */
    static List<String> enums(HeaderLayout layout) {
        LayoutConformance c = new LayoutConformance(layout);
        VendoredHeader h = layout.header;
        int types = 0;
        for (DataType t : DataType.values()) {
            if (t == DataType.UNKNOWN) continue;
            boolean accepted = t.supportedBy(h.flavor(), h.release());
            String name = h.flavor() == Flavor.RCCL && !layout.values.containsKey(t.cName())
                    ? BindingAbi.RCCL_SPELLINGS.getOrDefault(t.cName(), t.cName()) : t.cName();
            c.checkEnumerator("ncclDataType_t " + name, name, t.code(), accepted);
            if (accepted) types++;
        }
        c.differ("ncclNumTypes (types the release accepts)", layout.values.get("ncclNumTypes"), (long) types);
        int ops = 0;
        for (ReduceOp op : ReduceOp.values()) {
            if (op == ReduceOp.UNKNOWN) continue;
            c.checkEnumerator("ncclRedOp_t " + op.cName(), op.cName(), op.code(), op.supportedBy(h.release()));
            if (op.supportedBy(h.release())) ops++;
        }
        c.differ("ncclNumOps (operators the release accepts)", layout.values.get("ncclNumOps"), (long) ops);
        Long results = layout.values.get("ncclNumResults");
        for (NcclResult r : NcclResult.values()) {
            if (r == NcclResult.UNKNOWN) continue;
            boolean inHeader = results != null && r.code() < results;
            c.checkEnumerator("ncclResult_t " + r.cName(), r.cName(), r.code(), inHeader);
        }
        for (String e : List.of("ncclResult_t", "ncclDataType_t", "ncclRedOp_t")) {
            c.differ("sizeof(" + e + ")", layout.sizes.get(e), 4L);
        }
        return c.problems;
    }

    private void checkEnumerator(String item, String cName, long code, boolean expected) {
        Long value = layout.values.get(cName);
        differ(item, declared(value != null), declared(expected));
        if (value != null) differ(item + " value", value, code);
    }

    /**
     * The release numbers ({@link NcclVersion#decode} of {@code NCCL_VERSION_CODE} is the release), {@code ncclUniqueId},
     * and every constant the binding passes: its value where the header declares it, and declared wherever the call
     * that takes it is. {@code ncclSimInfo_t} where {@code ncclGroupSimulateEnd} is.
     */
    static List<String> constants(HeaderLayout layout, BindingAbi abi) throws ReflectiveOperationException {
        LayoutConformance c = new LayoutConformance(layout);
        VendoredHeader h = layout.header;
        Long code = layout.values.get("NCCL_VERSION_CODE");
        c.differ("NCCL_VERSION_CODE decoded", h.release(), code == null ? null : NcclVersion.decode(code.intValue()));
        c.differ("NCCL_MAJOR.NCCL_MINOR.NCCL_PATCH", h.release(), NcclVersion.of(
                layout.values.getOrDefault("NCCL_MAJOR", -1L).intValue(), layout.values.getOrDefault("NCCL_MINOR", -1L).intValue(),
                layout.values.getOrDefault("NCCL_PATCH", -1L).intValue()));
        c.differ("sizeof(ncclUniqueId)", layout.sizes.get("ncclUniqueId"), BindingAbi.uniqueIdBytes());
        for (BindingAbi.Constant k : abi.constants) {
            Long value = layout.values.get(k.cName());
            if (k.required().test(h, layout)) c.differ(k.cName(), declared(value != null), declared(true));
            // the C values are int or unsigned int: the 32 bits NCCL reads
            if (value != null) c.differ(k.cName() + " = " + k.bindingName(), (int) (long) value, (int) k.binding());
        }
        c.checkSimInfo();
        return c.problems;
    }

    private void checkSimInfo() throws ReflectiveOperationException {
        boolean expected = header.release().atLeast(Feature.GROUP_SIMULATE.since());
        differ("ncclSimInfo_t", declared(layout.simInfo != null), declared(expected));
        if (layout.simInfo == null || !expected) return;
        differ("sizeof(ncclSimInfo_t)", layout.simInfo.sizeOf(), BindingAbi.privateInt(Nccl.class, "SIM_INFO_BYTES"));
        differ("NCCL_SIM_INFO_INITIALIZER magic", layout.simInfo.magic(),
                Integer.toUnsignedLong((int) BindingAbi.privateInt(Nccl.class, "SIM_INFO_MAGIC")));
        // groupSimulateEnd() writes -1.0f and reads the estimate at this offset
        differ("ncclSimInfo_t.estimatedTime offset", layout.simInfo.estimatedTimeOffset(), 16L);
        long version = BindingAbi.privateInt(Nccl.class, "SIM_INFO_VERSION");
        if (!header.release().atLeast(NcclVersion.decode((int) version))) {
            differ("ncclSimInfo_t.version", (long) header.release().code(), version);
        }
    }

    /**
     * Every function the binding binds, and every {@link Feature}'s: in an NVIDIA header, declared (under one of
     * its names) exactly from the release the binding says added it; in RCCL's, declared wherever its API level
     * has reached that release (RCCL may have a function before NCCL's release of it: {@code ncclAllToAll}). A
     * function declared in another public header ({@link BindingAbi#DECLARED_OUTSIDE_NCCL_H}) must stay absent.
     */
    static List<String> functions(HeaderLayout layout, BindingAbi abi) {
        LayoutConformance c = new LayoutConformance(layout);
        VendoredHeader h = layout.header;
        for (BindingAbi.Function f : abi.functions) {
            boolean present = f.names().stream().anyMatch(layout.functions::contains);
            String elsewhere = f.names().stream().map(BindingAbi.DECLARED_OUTSIDE_NCCL_H::get).filter(java.util.Objects::nonNull)
                    .findFirst().orElse(null);
            boolean due = elsewhere == null && h.release().atLeast(f.since());
            String item = String.join(" or ", f.names()) + " (" + f.boundBy() + ", since " + f.since()
                    + (elsewhere == null ? "" : ", declared in " + elsewhere) + ")";
            if (h.flavor() == Flavor.NCCL || due) c.differ(item, declared(present), declared(due));
        }
        return c.problems;
    }

    /**
     * Every downcall's descriptor against the prototype of each header that declares the function: as many
     * parameters, and each parameter and the result in the same class of the x86-64 System V calling convention,
     * which is all a downcall's correctness depends on: a 4-byte integer or enum ({@code int}); an 8-byte integer
     * or a pointer ({@code long}, an address: the binding passes device pointers and streams as {@code long}); a
     * float or double; a struct of the same size, passed by value ({@code ncclUniqueId}).
     */
    static List<String> signatures(HeaderLayout layout, BindingAbi abi) {
        LayoutConformance c = new LayoutConformance(layout);
        for (BindingAbi.Function f : abi.functions) {
            if (f.descriptor() == null) continue;
            String name = f.names().stream().filter(layout.prototypes::containsKey).findFirst().orElse(null);
            if (name == null) continue;   // absent: functions() decides whether it should be there
            HeaderLayout.Prototype p = layout.prototypes.get(name);
            List<java.lang.foreign.MemoryLayout> args = f.descriptor().argumentLayouts();
            String item = name + " (" + f.boundBy() + ")";
            c.differ(item + " parameters", p.parameters().size(), args.size());
            for (int i = 0; i < Math.min(args.size(), p.parameters().size()); i++) {
                String type = p.parameters().get(i);
                c.differ(item + " parameter " + (i + 1) + " (" + type + ")", c.abiClass(type), abiClass(args.get(i)));
            }
            c.differ(item + " result (" + p.returns() + ")", c.abiClass(p.returns()),
                    f.descriptor().returnLayout().map(LayoutConformance::abiClass).orElse("void"));
        }
        return c.problems;
    }

    /** The calling-convention class of a C type, from gcc's {@code sizeof} and {@code __builtin_classify_type}. */
    private String abiClass(String cType) {
        if (cType.equals("void")) return "void";
        String t = layout.types.get(cType);
        if (t == null) return "unknown type " + cType;
        String[] f = t.split("/");
        long bytes = Long.parseLong(f[0]);
        return switch (Integer.parseInt(f[1])) {
            case 0 -> "void";
            case 1, 2, 3, 4 -> "integer" + bytes;
            case 5 -> "integer8";
            case 8 -> "float" + bytes;
            case 12 -> "struct" + bytes;
            default -> "class " + f[1] + " of " + bytes + " bytes";
        };
    }

    private static String abiClass(java.lang.foreign.MemoryLayout l) {
        if (l instanceof java.lang.foreign.AddressLayout) return "integer8";
        if (l instanceof java.lang.foreign.ValueLayout.OfFloat || l instanceof java.lang.foreign.ValueLayout.OfDouble) {
            return "float" + l.byteSize();
        }
        if (l instanceof java.lang.foreign.ValueLayout) return "integer" + l.byteSize();
        return "struct" + l.byteSize();
    }

    /** An arena that remembers what it allocated, so that a pointer the binding wrote is read only if it is one of them. */
    private static final class RecordingArena implements Arena {
        private final Arena inner = Arena.ofConfined();
        private final List<MemorySegment> allocated = new ArrayList<>();

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment s = inner.allocate(byteSize, byteAlignment);
            allocated.add(s);
            return s;
        }

        /** The NUL-terminated string at {@code address}, or a description of what else is there. */
        Object string(long address) {
            if (address == 0) return "null";
            for (MemorySegment s : allocated) {
                if (s.address() == address) return s.getString(0);
            }
            return "0x" + Long.toHexString(address) + " (not a string the binding allocated)";
        }

        @Override
        public MemorySegment.Scope scope() {
            return inner.scope();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
