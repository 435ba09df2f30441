package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.ncclffm.internal.CTypes;
import io.ncclffm.internal.Downcall;
import io.ncclffm.internal.NcclParamApi;

/**
 * NCCL's parameter API ({@link Feature#PARAMETERS}, NCCL 2.30.4+): the settings NCCL runs with, by key. Every
 * method refuses a release without it with {@link NcclUnsupportedException} before calling NCCL. Parameters are
 * process-wide, not per communicator. From {@link Nccl#parameters()}.
 */
public final class NcclParameters {

    /** Where a parameter's value came from, as far as the process can tell. */
    public enum Source {
        /** NCCL's default: neither the environment nor an environment plugin sets it. */
        DEFAULT,
        /** The process environment sets it (including what NCCL read from {@code NCCL_CONF_FILE} or nccl.conf). */
        ENVIRONMENT,
        /** {@code NCCL_ENV_PLUGIN} names a plugin, which answers for every key; the process cannot tell more. */
        ENV_PLUGIN
    }

    /**
     * One parameter in effect.
     *
     * @param key    e.g. {@code NCCL_PROTO}
     * @param value  NCCL's effective value as text ({@code ncclParamGetParameter}); empty when unset
     * @param source where it came from
     */
    public record Setting(String key, String value, Source source) {
        public Setting {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(source, "source");
        }
    }

    private static final MethodHandle GETENV = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getenv").orElseThrow(),
            FunctionDescriptor.of(CTypes.C_STRING, CTypes.C_POINTER));

    private final Nccl nccl;
    private final NcclParamApi api;

    NcclParameters(Nccl nccl, NcclParamApi api) {
        this.nccl = nccl;
        this.api = api;
    }

    /**
     * {@code ncclParamGetAllParameterKeys}: the keys NCCL documents (every key when {@code NCCL_PARAM_DUMP_ALL} is
     * true), in NCCL's order.
     */
    public List<String> keys() {
        nccl.require(Feature.PARAMETERS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment table = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclParamGetAllParameterKeys", api.ncclParamGetAllParameterKeys(table, len), MemorySegment.NULL);
            int n = len.get(ValueLayout.JAVA_INT, 0);
            MemorySegment entries = table.get(ValueLayout.ADDRESS, 0).reinterpret((long) n * ValueLayout.ADDRESS.byteSize());
            List<String> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(entries.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(Long.MAX_VALUE).getString(0));
            }
            return List.copyOf(keys);
        }
    }

    /** {@code ncclParamGetParameter}: the effective value of {@code key} as text; an unknown key is an error. */
    public String value(String key) {
        nccl.require(Feature.PARAMETERS);
        Objects.requireNonNull(key, "key");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclParamGetParameter(" + key + ")",
                    api.ncclParamGetParameter(arena.allocateFrom(key), value, len), MemorySegment.NULL);
            MemorySegment text = value.get(ValueLayout.ADDRESS, 0);
            return text.equals(MemorySegment.NULL) ? "" : text.reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    /** {@code ncclParamBind}: a handle on {@code key} for typed reads; an unknown key is an error. */
    public NcclParameter bind(String key) {
        nccl.require(Feature.PARAMETERS);
        Objects.requireNonNull(key, "key");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            nccl.check("ncclParamBind(" + key + ")", api.ncclParamBind(out, arena.allocateFrom(key)), MemorySegment.NULL);
            return new NcclParameter(nccl, api, key, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /**
     * {@code ncclParamDumpAll}: NCCL prints every documented parameter, with its value, default and NCCL's own
     * word on who set it ({@code set_by=}), to the process's standard output.
     */
    public void dumpAll() {
        nccl.require(Feature.PARAMETERS);
        api.ncclParamDumpAll();
    }

    /**
     * Every key of {@link #keys()} with its effective value and where it came from. NCCL reports the source only in
     * {@link #dumpAll()}'s text; here it is read from the process environment that NCCL's default environment
     * plugin reads ({@code getenv}, after NCCL has loaded its configuration file into it).
     */
    public List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        boolean plugin = getenv("NCCL_ENV_PLUGIN") != null;
        for (String key : keys()) {
            Source source = plugin ? Source.ENV_PLUGIN : getenv(key) != null ? Source.ENVIRONMENT : Source.DEFAULT;
            out.add(new Setting(key, value(key), source));
        }
        return List.copyOf(out);
    }

    /** libc's {@code getenv}: the process environment as native code sees it now (Java's view is a copy made at start). */
    static String getenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = (MemorySegment) GETENV.invokeExact(arena.allocateFrom(name));
            return v.equals(MemorySegment.NULL) ? null : v.getString(0);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
