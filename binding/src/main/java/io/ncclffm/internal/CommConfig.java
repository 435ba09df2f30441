package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.function.ToLongFunction;

import io.ncclffm.ConfigField;
import io.ncclffm.InitOptions;
import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.NcclVersion;

/**
 * {@code ncclConfig_t} in the layout of the loaded release. The struct only grows at its end, and NCCL copies
 * {@code min(size, sizeof(ncclConfig_t))} bytes, then resets every field newer than {@code version} to its
 * default; so the binding writes the newest layout the loaded release knows (up to the newest this binding
 * knows), with {@code size} and {@code version} of that layout, and every field the user left alone set as
 * that release's {@code NCCL_CONFIG_INITIALIZER} sets it: {@code NCCL_CONFIG_UNDEF_INT} or {@code NULL}, except
 * {@code blocking} before 2.17, which the initializer of 2.14 to 2.16 sets to 1 (those headers have no
 * {@code NCCL_CONFIG_UNDEF_INT}). {@code LayoutConformanceTest} holds all of it against every release's nccl.h.
 */
public final class CommConfig {

    /** {@code NCCL_API_MAGIC}. */
    public static final int MAGIC = 0xcafebeef;
    /** {@code NCCL_CONFIG_UNDEF_INT}. */
    public static final int UNDEF_INT = Integer.MIN_VALUE;
    /** The first release whose nccl.h defines {@code NCCL_CONFIG_UNDEF_INT} and initializes {@code blocking} to it. */
    public static final NcclVersion UNDEF_INT_SINCE = NcclVersion.of(2, 17, 0);

    private static final long HEADER_BYTES = 16;   // size_t size; unsigned magic; unsigned version

    private CommConfig() {
    }

    /** The byte offset of {@code field} in every layout that has it (C's alignment rules on LP64). */
    public static long offset(ConfigField field) {
        long at = HEADER_BYTES;
        for (ConfigField f : ConfigField.values()) {
            long width = width(f);
            at = align(at, width);
            if (f == field) return at;
            at += width;
        }
        throw new IllegalArgumentException(String.valueOf(field));
    }

    /** The release whose layout is written for a library of {@code version}: the newest step not after it. */
    public static NcclVersion layoutFor(NcclVersion version) {
        NcclVersion layout = null;
        for (ConfigField f : ConfigField.values()) {
            if (version.atLeast(f.since())) layout = f.since();
        }
        return layout;
    }

    /** {@code sizeof(ncclConfig_t)} of the layout of release {@code layout}. */
    public static long size(NcclVersion layout) {
        long end = HEADER_BYTES;
        for (ConfigField f : ConfigField.values()) {
            if (!layout.atLeast(f.since())) break;
            end = offset(f) + width(f);
        }
        return align(end, 8);
    }

    /**
     * Writes the config for a library of {@code version}.
     *
     * @param values  the fields to set: an {@link Integer} for {@link ConfigField.Kind#INT}, a {@link String} for
     *                {@link ConfigField.Kind#STRING}; strings are allocated in {@code arena}
     * @param library how messages name the library
     * @throws NcclUnsupportedException naming the first field the release lacks, before anything is written
     */
    public static MemorySegment allocate(Arena arena, NcclVersion version, String library, Map<ConfigField, Object> values) {
        return allocate(arena, version, library, values, CommConfig::offset);
    }

    /**
     * {@link #allocate(Arena, NcclVersion, String, Map)} with each field written at {@code offsets}; the binding
     * passes {@link #offset(ConfigField)}. Only the layout conformance test passes anything else: a table with one
     * offset planted wrong, which it must then catch.
     */
    public static MemorySegment allocate(Arena arena, NcclVersion version, String library, Map<ConfigField, Object> values,
                                         ToLongFunction<ConfigField> offsets) {
        for (ConfigField f : values.keySet()) {
            if (!version.atLeast(f.since())) {
                throw new NcclUnsupportedException("ncclConfig_t." + f.cName(), library, f.since());
            }
        }
        requireCtaPolicy(version, library, values.get(ConfigField.CTA_POLICY));
        NcclVersion layout = layoutFor(version);
        if (layout == null) {
            throw new NcclUnsupportedException("ncclConfig_t", library, ConfigField.BLOCKING.since());
        }
        long size = size(layout);
        MemorySegment s = arena.allocate(size, 8);
        s.set(ValueLayout.JAVA_LONG, 0, size);
        s.set(ValueLayout.JAVA_INT, 8, MAGIC);
        s.set(ValueLayout.JAVA_INT, 12, layout.code());
        for (ConfigField f : ConfigField.values()) {
            if (!layout.atLeast(f.since())) break;
            Object v = values.get(f);
            long at = offsets.applyAsLong(f);
            if (f.kind() == ConfigField.Kind.INT) {
                s.set(ValueLayout.JAVA_INT, at, v == null ? initialInt(f, layout) : (Integer) v);
            } else {
                s.set(ValueLayout.ADDRESS, at, v == null ? MemorySegment.NULL : arena.allocateFrom((String) v));
            }
        }
        return s;
    }

    /** What {@code NCCL_CONFIG_INITIALIZER} of release {@code layout} puts in the int field {@code f}. */
    private static int initialInt(ConfigField f, NcclVersion layout) {
        return f == ConfigField.BLOCKING && !layout.atLeast(UNDEF_INT_SINCE) ? 1 : UNDEF_INT;
    }

    /** The release whose nccl.h first defined {@code NCCL_CTA_POLICY_ZERO}. */
    public static final NcclVersion CTA_POLICY_ZERO_SINCE = NcclVersion.of(2, 28, 3);

    /** NCCL before 2.28.3 fails init with ncclInvalidArgument on {@code NCCL_CTA_POLICY_ZERO}: refuse it first. */
    private static void requireCtaPolicy(NcclVersion version, String library, Object policy) {
        if (policy instanceof Integer p && (p & InitOptions.CTA_POLICY_ZERO) != 0 && !version.atLeast(CTA_POLICY_ZERO_SINCE)) {
            throw new NcclUnsupportedException("ncclConfig_t.CTAPolicy NCCL_CTA_POLICY_ZERO", library, CTA_POLICY_ZERO_SINCE);
        }
    }

    private static long width(ConfigField f) {
        return f.kind() == ConfigField.Kind.STRING ? 8 : 4;
    }

    private static long align(long at, long to) {
        return (at + to - 1) / to * to;
    }
}
