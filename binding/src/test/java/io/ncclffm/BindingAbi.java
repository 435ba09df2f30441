package io.ncclffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

import io.ncclffm.internal.CTypes;
import io.ncclffm.internal.CommConfig;
import io.ncclffm.internal.Downcall;

/**
 * What the binding writes into, or expects from, nccl.h's ABI, read from the binding's own tables: the probes
 * {@link HeaderLayout} asks every header, and the constants and functions {@link LayoutConformance} holds against
 * the answers. Whatever the binding adds to {@link ConfigField}, the enums, {@link Feature} or its downcalls is
 * asked of every header without a change here.
 */
final class BindingAbi {

    /**
     * An integer macro or enumerator the binding passes to NCCL, with the value the binding uses.
     *
     * @param required in which headers it must be declared: those whose release has the call that takes it
     */
    record Constant(String cName, long binding, String bindingName, BiPredicate<VendoredHeader, HeaderLayout> required) {
    }

    /**
     * One C function the binding binds, with every name it accepts and the release the binding says added it.
     *
     * @param descriptor how the binding calls it; {@code null} for a {@link Feature}'s function list, which names
     *                   functions the downcalls bind
     */
    record Function(List<String> names, NcclVersion since, String boundBy, FunctionDescriptor descriptor) {
    }

    /**
     * RCCL's own names of enumerators whose values are NCCL's: ROCm 6.2's rccl.h spells the fp8 types
     * {@code ncclFp8E4M3} and {@code ncclFp8E5M2}. The binding passes codes, so only the value must agree.
     */
    static final Map<String, String> RCCL_SPELLINGS = Map.of("ncclFloat8e4m3", "ncclFp8E4M3", "ncclFloat8e5m2", "ncclFp8E5M2");

    /**
     * {@code ncclConfig_t} members of NCCL 2.30 that the binding does not write yet (a change of its own adds them
     * to {@link ConfigField}). Once {@link ConfigField} has one, it is checked like every other field and this
     * entry no longer applies; until then a header with them is reported as a gap (a skip naming them), and only
     * where they sit after the binding's layout, which NCCL then reads with them at their defaults.
     */
    static final Map<String, NcclVersion> PENDING_CONFIG_FIELDS =
            Map.of("maxP2pPeers", NcclVersion.of(2, 30, 3), "graphStreamOrdering", NcclVersion.of(2, 30, 7));

    /**
     * Functions the binding binds that {@code nccl.h} never declares, with the public header that does: NCCL
     * declares {@code ncclCommQueryProperties} (2.29.2 on) in {@code nccl_device/core.h}, which {@code nccl.h} does
     * not include and which needs CUDA's device headers. For these the vendored {@code nccl.h} must go on not
     * declaring them; a release that moves one into {@code nccl.h} shows up as a difference to look at.
     */
    static final Map<String, String> DECLARED_OUTSIDE_NCCL_H = Map.of("ncclCommQueryProperties", "nccl_device/core.h");

    /** The pending members {@link ConfigField} does not have (yet). */
    static Set<String> pendingConfigFields() {
        Set<String> known = new java.util.HashSet<>();
        for (ConfigField f : ConfigField.values()) known.add(f.cName());
        Set<String> pending = new java.util.TreeSet<>(PENDING_CONFIG_FIELDS.keySet());
        pending.removeAll(known);
        return pending;
    }

    final List<Function> functions;
    final List<Constant> constants;

    private BindingAbi(List<Function> functions, List<Constant> constants) {
        this.functions = functions;
        this.constants = constants;
    }

    /**
     * Reads the binding's tables. Its downcalls are those the binding declares when it loads a library: the NCCL
     * stub in {@code dir}, loaded as a user would, which makes every API class bind its functions.
     */
    static BindingAbi read(Path dir) throws Exception {
        Nccl nccl = Nccl.load(StubLibrary.build(dir, StubLibrary.Variant.NCCL).path);
        List<Function> functions = new ArrayList<>();
        for (Downcall d : nccl.nativeLibrary().downcalls()) {
            functions.add(new Function(d.names(), d.since(), "downcall " + d.name(), d.descriptor()));
        }
        for (Feature f : Feature.values()) {
            for (Feature.Symbol s : f.functions()) functions.add(new Function(s.names(), f.since(), "Feature." + f.name(), null));
        }
        return new BindingAbi(functions, constants());
    }

    /** These tables with the release of the function {@code name} changed to {@code since}: a planted mutant. */
    BindingAbi withSince(String name, NcclVersion since) {
        List<Function> planted = functions.stream()
                .map(f -> f.names().contains(name) ? new Function(f.names(), since, f.boundBy() + " (planted)", f.descriptor()) : f).toList();
        return new BindingAbi(planted, constants);
    }

    /** These tables with the downcall {@code name} called as {@code descriptor}: a planted mutant. */
    BindingAbi withDescriptor(String name, FunctionDescriptor descriptor) {
        List<Function> planted = functions.stream().map(f -> f.names().contains(name) && f.descriptor() != null
                ? new Function(f.names(), f.since(), f.boundBy() + " (planted)", descriptor) : f).toList();
        return new BindingAbi(planted, constants);
    }

    private static List<Constant> constants() throws ReflectiveOperationException {
        BiPredicate<VendoredHeader, HeaderLayout> always = (h, l) -> true;
        BiPredicate<VendoredHeader, HeaderLayout> writesUndef = (h, l) -> l.config != null && h.release().atLeast(CommConfig.UNDEF_INT_SINCE);
        // NCCL before 2.29 and RCCL spell the magic out in NCCL_CONFIG_INITIALIZER, whose value the config check compares
        BiPredicate<VendoredHeader, HeaderLayout> whereDefined = (h, l) -> false;
        return List.of(
                new Constant("NCCL_UNIQUE_ID_BYTES", UniqueId.BYTES, "UniqueId.BYTES", always),
                new Constant("NCCL_API_MAGIC", CommConfig.MAGIC, "CommConfig.MAGIC", whereDefined),
                new Constant("NCCL_CONFIG_UNDEF_INT", CommConfig.UNDEF_INT, "CommConfig.UNDEF_INT", writesUndef),
                new Constant("NCCL_SPLIT_NOCOLOR", Communicator.SPLIT_NOCOLOR, "Communicator.SPLIT_NOCOLOR", since(Feature.SPLIT)),
                new Constant("NCCL_SHRINK_DEFAULT", privateInt(Communicator.class, "SHRINK_DEFAULT"), "Communicator.SHRINK_DEFAULT", since(Feature.SHRINK)),
                new Constant("NCCL_SHRINK_ABORT", privateInt(Communicator.class, "SHRINK_ABORT"), "Communicator.SHRINK_ABORT", since(Feature.SHRINK)),
                new Constant("NCCL_WIN_DEFAULT", Window.DEFAULT, "Window.DEFAULT", since(Feature.WINDOW_REGISTER)),
                new Constant("NCCL_WIN_COLL_SYMMETRIC", Window.COLL_SYMMETRIC, "Window.COLL_SYMMETRIC", since(Feature.WINDOW_REGISTER)),
                new Constant("NCCL_REVOKE_DEFAULT", privateInt(Communicator.class, "REVOKE_DEFAULT"), "Communicator.REVOKE_DEFAULT", since(Feature.REVOKE)),
                new Constant("ncclScalarDevice", privateInt(Communicator.class, "SCALAR_DEVICE"), "Communicator.SCALAR_DEVICE", since(Feature.PRE_MUL_SUM)),
                new Constant("ncclScalarHostImmediate", privateInt(Communicator.class, "SCALAR_HOST_IMMEDIATE"), "Communicator.SCALAR_HOST_IMMEDIATE", since(Feature.PRE_MUL_SUM)));
    }

    private static BiPredicate<VendoredHeader, HeaderLayout> since(Feature f) {
        return (h, l) -> h.release().atLeast(f.since());
    }

    /** A private constant of the binding; a rename fails here, naming it. */
    static long privateInt(Class<?> owner, String name) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return ((Number) f.get(null)).longValue();
    }

    /** The probes.h lines that ask a header everything this class and {@link LayoutConformance} compare. */
    List<String> probes() {
        Set<String> p = new LinkedHashSet<>();
        p.add("SIZEOF(ncclUniqueId)");
        p.add("SIZEOF(ncclResult_t)");
        p.add("SIZEOF(ncclDataType_t)");
        p.add("SIZEOF(ncclRedOp_t)");
        for (String v : List.of("NCCL_VERSION_CODE", "NCCL_MAJOR", "NCCL_MINOR", "NCCL_PATCH", "ncclNumTypes", "ncclNumOps", "ncclNumResults")) {
            p.add("VALUE(" + v + ")");
        }
        for (DataType t : DataType.values()) if (t != DataType.UNKNOWN) p.add("VALUE(" + t.cName() + ")");
        for (String rccl : RCCL_SPELLINGS.values()) p.add("VALUE(" + rccl + ")");
        for (ReduceOp op : ReduceOp.values()) if (op != ReduceOp.UNKNOWN) p.add("VALUE(" + op.cName() + ")");
        for (NcclResult r : NcclResult.values()) if (r != NcclResult.UNKNOWN) p.add("VALUE(" + r.cName() + ")");
        for (Constant c : constants) p.add("VALUE(" + c.cName() + ")");
        p.add("CONFIG()");
        for (ConfigField f : ConfigField.values()) p.add("CONFIG_FIELD(" + f.cName() + ")");
        for (String pending : pendingConfigFields()) p.add("CONFIG_FIELD(" + pending + ")");
        p.add("SIM_INFO()");
        for (Function f : functions) for (String name : f.names()) p.add("FUNCTION(" + name + ")");
        return List.copyOf(p);
    }

    /** {@code sizeof(ncclUniqueId)} as the binding passes it by value. */
    static long uniqueIdBytes() {
        return CTypes.NCCL_UNIQUE_ID.byteSize();
    }
}
