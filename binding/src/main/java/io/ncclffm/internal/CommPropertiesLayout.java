package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.ncclffm.NcclVersion;

/**
 * {@code ncclCommProperties_t} ({@code src/include/nccl_device/core.h}) in the layout the binding writes for a
 * library. NCCL reads only {@code magic} and {@code version}, never {@code size}, and writes the fields of the
 * layout that {@code version} names; so {@code version} must name a layout this buffer holds:
 *
 * <ul>
 *   <li>2.29.2 and 2.29.3 declare {@code rank, nRanks, cudaDev, nvmlDev, deviceApiSupport, multimemSupport,
 *       ginType} (40 bytes). A library of these releases gets that layout with version 2.29.2.</li>
 *   <li>2.29.7 appends {@code nLsaTeams, hostRmaSupport, railedGinType} (48 bytes), unchanged up to 2.30.7. A
 *       library from 2.29.7 on gets it, with the library's own version up to the newest this binding knows
 *       ({@link #NEWEST}), as a program compiled against that release's header would write.</li>
 * </ul>
 *
 * Every release rejects a version above its own ({@code validateNcclVersion}, {@code getNcclVersionCompat}), and
 * 2.30 accepts only 2.29.2–2.29.3, 2.29.5–2.29.7 and 2.30.0 up to itself: the choice above stays inside those.
 */
public final class CommPropertiesLayout {

    /** The release whose nccl.h first declared the struct and the function. */
    public static final NcclVersion FIRST = NcclVersion.of(2, 29, 2);
    /** The release whose header appended {@code nLsaTeams}, {@code hostRmaSupport} and {@code railedGinType}. */
    public static final NcclVersion EXTENDED = NcclVersion.of(2, 29, 7);
    /** The newest header whose layout the binding knows; the struct did not change from 2.29.7 up to it. */
    public static final NcclVersion NEWEST = NcclVersion.of(2, 30, 7);

    /** Offsets on LP64: {@code size_t size; unsigned magic; unsigned version;} then the attributes. */
    public static final long RANK = 16;
    public static final long N_RANKS = 20;
    public static final long CUDA_DEV = 24;
    public static final long NVML_DEV = 28;
    public static final long DEVICE_API_SUPPORT = 32;   // bool
    public static final long MULTIMEM_SUPPORT = 33;     // bool
    public static final long GIN_TYPE = 34;             // ncclGinType_t : uint8_t
    public static final long N_LSA_TEAMS = 36;          // int, after one byte of padding
    public static final long HOST_RMA_SUPPORT = 40;     // bool
    public static final long RAILED_GIN_TYPE = 41;      // ncclGinType_t : uint8_t
    /** {@code sizeof} of the 2.29.2 layout and of the 2.29.7 one (both padded to {@code size_t}'s alignment). */
    public static final long SIZE_2_29_2 = 40;
    public static final long SIZE_2_29_7 = 48;

    private CommPropertiesLayout() {
    }

    /** The version written for a library of {@code library} (at least {@link #FIRST}). */
    public static NcclVersion versionFor(NcclVersion library) {
        if (!library.atLeast(EXTENDED)) return FIRST;
        return library.atLeast(NEWEST) ? NEWEST : library;
    }

    /** Whether the layout written for version {@code written} holds the 2.29.7 fields. */
    public static boolean extended(NcclVersion written) {
        return written.atLeast(EXTENDED);
    }

    /**
     * {@code NCCL_COMM_PROPERTIES_INITIALIZER} for {@code written}: size, magic and version set, every attribute
     * filled with a value NCCL never writes (-1, 0xff) so that a field NCCL left alone shows.
     */
    public static MemorySegment allocate(Arena arena, NcclVersion written) {
        long size = extended(written) ? SIZE_2_29_7 : SIZE_2_29_2;
        MemorySegment s = arena.allocate(size, 8);
        s.fill((byte) 0xff);
        s.set(ValueLayout.JAVA_LONG, 0, size);
        s.set(ValueLayout.JAVA_INT, 8, CommConfig.MAGIC);
        s.set(ValueLayout.JAVA_INT, 12, written.code());
        return s;
    }
}
