package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code ncclConfig_t} in its NCCL 2.14 form ({@code size, magic, version, blocking}). The struct is versioned:
 * NCCL copies {@code min(size, sizeof(ncclConfig_t))} bytes and gives every later field its default, so the
 * oldest layout is read correctly by every release from 2.14 on.
 */
public final class CommConfig {

    /** {@code NCCL_API_MAGIC}. */
    public static final int MAGIC = 0xcafebeef;
    /** {@code NCCL_VERSION(2,14,0)}: the layout version this struct follows. */
    public static final int LAYOUT_VERSION = 21400;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("size"),
            ValueLayout.JAVA_INT.withName("magic"),
            ValueLayout.JAVA_INT.withName("version"),
            ValueLayout.JAVA_INT.withName("blocking"),
            MemoryLayout.paddingLayout(4)).withName("ncclConfig_v21400");

    private static final VarHandle SIZE = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("size"));
    private static final VarHandle MAGIC_FIELD = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("magic"));
    private static final VarHandle VERSION = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("version"));
    private static final VarHandle BLOCKING = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("blocking"));

    private CommConfig() {
    }

    /** {@code NCCL_CONFIG_INITIALIZER} with {@code blocking} set. */
    public static MemorySegment allocate(Arena arena, boolean blocking) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, LAYOUT.byteSize());
        MAGIC_FIELD.set(s, 0L, MAGIC);
        VERSION.set(s, 0L, LAYOUT_VERSION);
        BLOCKING.set(s, 0L, blocking ? 1 : 0);
        return s;
    }
}
