package io.ncclffm;

/**
 * The fields of {@code ncclConfig_t} a user may set, in nccl.h's order, each with the release whose nccl.h first
 * declared it. The struct only grows at its end, so a field's offset is the same in every release that has it.
 * {@link InitOptions} collects values; the binding writes the layout of the loaded release and refuses, before
 * NCCL is called, a field that release lacks.
 */
public enum ConfigField {
    /** {@code int blocking}: 0 makes every call on the communicator non-blocking. */
    BLOCKING("blocking", Kind.INT, 2, 14),
    /** {@code int cgaClusterSize}: the CUDA thread-block cluster size of NCCL's kernels (sm_90+). */
    CGA_CLUSTER_SIZE("cgaClusterSize", Kind.INT, 2, 17),
    /** {@code int minCTAs}: the least number of CTAs (channels) NCCL uses. */
    MIN_CTAS("minCTAs", Kind.INT, 2, 17),
    /** {@code int maxCTAs}: the most CTAs (channels) NCCL uses. */
    MAX_CTAS("maxCTAs", Kind.INT, 2, 17),
    /** {@code const char* netName}: the network plugin or transport to use, e.g. {@code Socket} or {@code IB}. */
    NET_NAME("netName", Kind.STRING, 2, 17),
    /** {@code int splitShare}: whether communicators split from this one share its resources. */
    SPLIT_SHARE("splitShare", Kind.INT, 2, 18),
    /** {@code int trafficClass}: the network traffic class. */
    TRAFFIC_CLASS("trafficClass", Kind.INT, 2, 26),
    /** {@code const char* commName}: a name NCCL shows in its logs and profiler events. */
    COMM_NAME("commName", Kind.STRING, 2, 27),
    /** {@code int collnetEnable}: whether CollNet (SHARP) algorithms may be used. */
    COLLNET_ENABLE("collnetEnable", Kind.INT, 2, 27),
    /**
     * {@code int CTAPolicy}: {@code NCCL_CTA_POLICY_DEFAULT} (0), {@code NCCL_CTA_POLICY_EFFICIENCY} (1), or, from
     * NCCL 2.28.3 on, {@code NCCL_CTA_POLICY_ZERO} (2). The values are flags: NCCL 2.30 drops EFFICIENCY when ZERO is
     * set with it. See {@link InitOptions#withCtaPolicy(int)}.
     */
    CTA_POLICY("CTAPolicy", Kind.INT, 2, 27),
    /** {@code int shrinkShare}: whether communicators shrunk from this one share its resources. */
    SHRINK_SHARE("shrinkShare", Kind.INT, 2, 27),
    /** {@code int nvlsCTAs}: the number of CTAs NVLS algorithms use. */
    NVLS_CTAS("nvlsCTAs", Kind.INT, 2, 27),
    /** {@code int nChannelsPerNetPeer}: channels per network peer for point-to-point traffic. */
    N_CHANNELS_PER_NET_PEER("nChannelsPerNetPeer", Kind.INT, 2, 28),
    /** {@code int nvlinkCentricSched}: NVLink-centric scheduling of point-to-point traffic. */
    NVLINK_CENTRIC_SCHED("nvlinkCentricSched", Kind.INT, 2, 28),
    /** {@code int graphUsageMode}: how the communicator is used in CUDA graphs. */
    GRAPH_USAGE_MODE("graphUsageMode", Kind.INT, 2, 29),
    /** {@code int numRmaCtx}: the number of RMA contexts. */
    NUM_RMA_CTX("numRmaCtx", Kind.INT, 2, 29),
    /** {@code int maxP2pPeers}: the most peers a rank keeps point-to-point connections to (NCCL caps it at nRanks). */
    MAX_P2P_PEERS("maxP2pPeers", Kind.INT, 2, 30, 3),
    /** {@code int graphStreamOrdering}: 0 or 1, whether collectives captured in a CUDA graph keep stream order. */
    GRAPH_STREAM_ORDERING("graphStreamOrdering", Kind.INT, 2, 30, 7);

    /** How the field is stored: {@code int}, or {@code const char*} (NUL-terminated, kept alive by the binding). */
    public enum Kind { INT, STRING }

    private final String cName;
    private final Kind kind;
    private final NcclVersion since;

    ConfigField(String cName, Kind kind, int major, int minor) {
        this(cName, kind, major, minor, 0);
    }

    /** A field whose first release is a patch release: the tag whose nccl.h first declared it (2.30.3, 2.30.7). */
    ConfigField(String cName, Kind kind, int major, int minor, int patch) {
        this.cName = cName;
        this.kind = kind;
        this.since = NcclVersion.of(major, minor, patch);
    }

    /** The member's name in nccl.h, e.g. {@code minCTAs}. */
    public String cName() {
        return cName;
    }

    /** Whether the member is an {@code int} or a {@code const char*}. */
    public Kind kind() {
        return kind;
    }

    /** The first release series whose {@code ncclConfig_t} has the member. */
    public NcclVersion since() {
        return since;
    }
}
