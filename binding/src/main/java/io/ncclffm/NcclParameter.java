package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.ncclffm.internal.NcclParamApi;

/**
 * A handle from {@code ncclParamBind} on one key (NCCL 2.30.4+), read with NCCL's typed getters. A getter of
 * another type than the parameter's fails with NCCL's {@code ncclInvalidArgument}. NCCL owns the handle; nothing is
 * freed. Unsigned values come back in the next wider Java type, {@code uint64_t} as a {@code long} with the same bits.
 */
public final class NcclParameter {

    private final Nccl nccl;
    private final NcclParamApi api;
    private final String key;
    private final MemorySegment handle;

    NcclParameter(Nccl nccl, NcclParamApi api, String key, MemorySegment handle) {
        this.nccl = nccl;
        this.api = api;
        this.key = key;
        this.handle = handle;
    }

    public String key() {
        return key;
    }

    /** {@code ncclParamGetI8}. */
    public byte int8() {
        return typed("ncclParamGetI8", ValueLayout.JAVA_BYTE).get(ValueLayout.JAVA_BYTE, 0);
    }

    /** {@code ncclParamGetI16}. */
    public short int16() {
        return typed("ncclParamGetI16", ValueLayout.JAVA_SHORT).get(ValueLayout.JAVA_SHORT, 0);
    }

    /** {@code ncclParamGetI32}. */
    public int int32() {
        return typed("ncclParamGetI32", ValueLayout.JAVA_INT).get(ValueLayout.JAVA_INT, 0);
    }

    /** {@code ncclParamGetI64}. */
    public long int64() {
        return typed("ncclParamGetI64", ValueLayout.JAVA_LONG).get(ValueLayout.JAVA_LONG, 0);
    }

    /** {@code ncclParamGetU8}. */
    public int uint8() {
        return Byte.toUnsignedInt(typed("ncclParamGetU8", ValueLayout.JAVA_BYTE).get(ValueLayout.JAVA_BYTE, 0));
    }

    /** {@code ncclParamGetU16}. */
    public int uint16() {
        return Short.toUnsignedInt(typed("ncclParamGetU16", ValueLayout.JAVA_SHORT).get(ValueLayout.JAVA_SHORT, 0));
    }

    /** {@code ncclParamGetU32}. */
    public long uint32() {
        return Integer.toUnsignedLong(typed("ncclParamGetU32", ValueLayout.JAVA_INT).get(ValueLayout.JAVA_INT, 0));
    }

    /** {@code ncclParamGetU64}: the value's bits; print with {@link Long#toUnsignedString(long)}. */
    public long uint64() {
        return typed("ncclParamGetU64", ValueLayout.JAVA_LONG).get(ValueLayout.JAVA_LONG, 0);
    }

    /** {@code ncclParamGetStr}: for a string parameter; {@code null} when it has no value. */
    public String string() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            nccl.check("ncclParamGetStr(" + key + ")", api.ncclParamGetStr(handle, out), MemorySegment.NULL);
            MemorySegment s = out.get(ValueLayout.ADDRESS, 0);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    /** {@code ncclParamGet}: the value's bytes as NCCL stores them, at most {@code maxLen}. */
    public byte[] raw(int maxLen) {
        if (maxLen <= 0) throw new IllegalArgumentException("maxLen must be positive, got " + maxLen);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(maxLen);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            nccl.check("ncclParamGet(" + key + ")", api.ncclParamGet(handle, out, maxLen, len), MemorySegment.NULL);
            return out.asSlice(0, len.get(ValueLayout.JAVA_INT, 0)).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private MemorySegment typed(String getter, MemoryLayout layout) {
        Arena arena = Arena.ofAuto();
        MemorySegment out = arena.allocate(layout);
        nccl.check(getter + "(" + key + ")", api.ncclParamGetTyped(getter, handle, out), MemorySegment.NULL);
        return out;
    }

    @Override
    public String toString() {
        return "NcclParameter[" + key + "]";
    }
}
