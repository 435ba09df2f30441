package io.ncclffm;

/**
 * The built-in {@code ncclRedOp_t} values. Operators made by {@code ncclRedOpCreatePreMulSum} have codes from
 * {@code ncclNumOps} (5) up; those map to {@link #UNKNOWN} here.
 */
public enum ReduceOp {
    SUM(0, "sum", "ncclSum", null),
    PROD(1, "prod", "ncclProd", null),
    MAX(2, "max", "ncclMax", null),
    MIN(3, "min", "ncclMin", null),
    /** Since NCCL 2.10. */
    AVG(4, "avg", "ncclAvg", NcclVersion.of(2, 10, 0)),
    UNKNOWN(-1, "unknown", "unknown ncclRedOp_t", null);

    private final int code;
    private final String shortName;
    private final String cName;
    private final NcclVersion since;

    ReduceOp(int code, String shortName, String cName, NcclVersion since) {
        this.code = code;
        this.shortName = shortName;
        this.cName = cName;
        this.since = since;
    }

    public int code() {
        return code;
    }

    public String shortName() {
        return shortName;
    }

    public String cName() {
        return cName;
    }

    /** The first NCCL API level that accepts this operator (RCCL follows the same levels). */
    public NcclVersion since() {
        return since == null ? NcclVersion.of(2, 0, 0) : since;
    }

    public boolean supportedBy(NcclVersion version) {
        return this != UNKNOWN && version.atLeast(since());
    }

    public static ReduceOp fromCode(int code) {
        for (ReduceOp op : values()) {
            if (op.code == code && op != UNKNOWN) return op;
        }
        return UNKNOWN;
    }

    public static ReduceOp fromName(String name) {
        for (ReduceOp op : values()) {
            if (op != UNKNOWN && (op.shortName.equalsIgnoreCase(name) || op.name().equalsIgnoreCase(name))) return op;
        }
        throw new IllegalArgumentException("unknown NCCL reduction '" + name + "'; expected one of sum, prod, max, min, avg");
    }
}
