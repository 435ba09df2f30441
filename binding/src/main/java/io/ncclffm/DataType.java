package io.ncclffm;

/**
 * {@code ncclDataType_t} as in the newest nccl.h, with each value's ABI code, element size and the first release
 * that accepts it. The aliases nccl.h also defines ({@code ncclChar}, {@code ncclInt}, {@code ncclHalf},
 * {@code ncclFloat}, {@code ncclDouble}) share their codes with the values here.
 */
public enum DataType {
    INT8(0, 1, Kind.SIGNED, "int8", "ncclInt8", null, null),
    UINT8(1, 1, Kind.UNSIGNED, "uint8", "ncclUint8", null, null),
    INT32(2, 4, Kind.SIGNED, "int32", "ncclInt32", null, null),
    UINT32(3, 4, Kind.UNSIGNED, "uint32", "ncclUint32", null, null),
    INT64(4, 8, Kind.SIGNED, "int64", "ncclInt64", null, null),
    UINT64(5, 8, Kind.UNSIGNED, "uint64", "ncclUint64", null, null),
    FLOAT16(6, 2, Kind.FLOAT, "float16", "ncclFloat16", null, null),
    FLOAT32(7, 4, Kind.FLOAT, "float32", "ncclFloat32", null, null),
    FLOAT64(8, 8, Kind.FLOAT, "float64", "ncclFloat64", null, null),
    /** NCCL 2.10 (built against CUDA 11 or newer); RCCL from its first release on that API level. */
    BFLOAT16(9, 2, Kind.FLOAT, "bfloat16", "ncclBfloat16", NcclVersion.of(2, 10, 0), NcclVersion.of(2, 10, 0)),
    /**
     * NCCL 2.24, reductions on sm_90 and newer only. RCCL's fp8 came with ROCm 6.2 (NCCL API 2.20.5); earlier
     * RCCL releases are treated as lacking it, which skips rather than fails.
     */
    FLOAT8_E4M3(10, 1, Kind.FLOAT, "float8e4m3", "ncclFloat8e4m3", NcclVersion.of(2, 24, 0), NcclVersion.of(2, 20, 5)),
    /** As {@link #FLOAT8_E4M3}. */
    FLOAT8_E5M2(11, 1, Kind.FLOAT, "float8e5m2", "ncclFloat8e5m2", NcclVersion.of(2, 24, 0), NcclVersion.of(2, 20, 5)),
    /** A code this binding does not know; never passed to NCCL. */
    UNKNOWN(-1, 0, Kind.UNKNOWN, "unknown", "unknown ncclDataType_t", null, null);

    /** How the element's bits are read. */
    public enum Kind { SIGNED, UNSIGNED, FLOAT, UNKNOWN }

    private final int code;
    private final int size;
    private final Kind kind;
    private final String shortName;
    private final String cName;
    private final NcclVersion sinceNccl;
    private final NcclVersion sinceRccl;

    DataType(int code, int size, Kind kind, String shortName, String cName, NcclVersion sinceNccl, NcclVersion sinceRccl) {
        this.code = code;
        this.size = size;
        this.kind = kind;
        this.shortName = shortName;
        this.cName = cName;
        this.sinceNccl = sinceNccl;
        this.sinceRccl = sinceRccl;
    }

    /** The ABI value of {@code ncclDataType_t}. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isFloatingPoint() {
        return kind == Kind.FLOAT;
    }

    /** Lower-case name used in reports and check ids, e.g. {@code bfloat16}. */
    public String shortName() {
        return shortName;
    }

    /** The enumerator's name in nccl.h. */
    public String cName() {
        return cName;
    }

    /**
     * The first API level of the given flavor that accepts this type; {@code 2.0.0} for the original eight.
     */
    public NcclVersion since(Flavor flavor) {
        NcclVersion v = flavor == Flavor.RCCL ? sinceRccl : sinceNccl;
        return v == null ? NcclVersion.of(2, 0, 0) : v;
    }

    public boolean supportedBy(Flavor flavor, NcclVersion version) {
        return this != UNKNOWN && version.atLeast(since(flavor));
    }

    public static DataType fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code && t != UNKNOWN) return t;
        }
        return UNKNOWN;
    }

    /** Looks a type up by {@link #shortName()} or enum name, case-insensitively. */
    public static DataType fromName(String name) {
        for (DataType t : values()) {
            if (t != UNKNOWN && (t.shortName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name))) return t;
        }
        throw new IllegalArgumentException("unknown NCCL data type '" + name + "'; expected one of "
                + java.util.Arrays.stream(values()).filter(t -> t != UNKNOWN).map(DataType::shortName).toList());
    }
}
