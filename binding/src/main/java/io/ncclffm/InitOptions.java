package io.ncclffm;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a communicator is created: blocking or not, and the {@code ncclConfig_t} fields to set.
 *
 * <pre>{@code
 * InitOptions options = InitOptions.nonBlocking(Duration.ofSeconds(60)).withMinCtas(4).withNetName("Socket");
 * }</pre>
 *
 * <p>A field the loaded release's {@code ncclConfig_t} lacks is refused with {@link NcclUnsupportedException}
 * naming the field and the release that introduced it, before NCCL is called ({@link ConfigField#since()}).
 *
 * @param blocking whether NCCL calls on the communicator block ({@code ncclConfig_t.blocking}); a non-blocking
 *                 communicator lets every wait, init included, run against {@code timeout}
 * @param timeout  how long a non-blocking init, collective enqueue or finalize may stay in progress before the
 *                 communicator is aborted
 * @param config   the {@code ncclConfig_t} fields set besides {@code blocking}: an {@link Integer} or a
 *                 {@link String} per field, as its {@link ConfigField#kind()} says
 */
public record InitOptions(boolean blocking, Duration timeout, Map<ConfigField, Object> config) {

    /** Validates the timeout and each field's value type, and makes {@code config} immutable. */
    public InitOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(config, "config");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        EnumMap<ConfigField, Object> copy = new EnumMap<>(ConfigField.class);
        config.forEach((field, value) -> {
            Objects.requireNonNull(field, "config field");
            if (field == ConfigField.BLOCKING) {
                throw new IllegalArgumentException("ncclConfig_t.blocking is set by blockingInit()/nonBlocking(), not as a field");
            }
            Class<?> expected = field.kind() == ConfigField.Kind.INT ? Integer.class : String.class;
            if (!expected.isInstance(value)) {
                throw new IllegalArgumentException("ncclConfig_t." + field.cName() + " takes "
                        + (expected == Integer.class ? "an int" : "a string") + ", got " + value);
            }
            copy.put(field, value);
        });
        config = Collections.unmodifiableMap(copy);
    }

    /** Options without {@code ncclConfig_t} fields besides {@code blocking}. */
    public InitOptions(boolean blocking, Duration timeout) {
        this(blocking, timeout, Map.of());
    }

    /** {@code ncclCommInitRank}: blocking, with no deadline NCCL could honour. */
    public static InitOptions blockingInit() {
        return new InitOptions(true, Duration.ofDays(365));
    }

    /** {@code ncclCommInitRankConfig} with {@code blocking = 0}, aborted after {@code timeout}. */
    public static InitOptions nonBlocking(Duration timeout) {
        return new InitOptions(false, timeout);
    }

    /** Whether any field besides {@code blocking} is set, which needs {@code ncclCommInitRankConfig}. */
    public boolean hasConfig() {
        return !config.isEmpty();
    }

    /** These options with {@code field} set to {@code value}. */
    public InitOptions with(ConfigField field, int value) {
        return withValue(field, value);
    }

    /** These options with the string {@code field} set to {@code value}. */
    public InitOptions with(ConfigField field, String value) {
        return withValue(field, Objects.requireNonNull(value, field.cName()));
    }

    private InitOptions withValue(ConfigField field, Object value) {
        EnumMap<ConfigField, Object> next = new EnumMap<>(ConfigField.class);
        next.putAll(config);
        next.put(field, value);
        return new InitOptions(blocking, timeout, next);
    }

    /** {@code cgaClusterSize} (NCCL 2.17+). */
    public InitOptions withCgaClusterSize(int size) {
        return with(ConfigField.CGA_CLUSTER_SIZE, size);
    }

    /** {@code minCTAs} (NCCL 2.17+). */
    public InitOptions withMinCtas(int ctas) {
        return with(ConfigField.MIN_CTAS, ctas);
    }

    /** {@code maxCTAs} (NCCL 2.17+). */
    public InitOptions withMaxCtas(int ctas) {
        return with(ConfigField.MAX_CTAS, ctas);
    }

    /** {@code netName} (NCCL 2.17+), e.g. {@code Socket} or {@code IB}. */
    public InitOptions withNetName(String name) {
        return with(ConfigField.NET_NAME, name);
    }

    /** {@code splitShare} (NCCL 2.18+). */
    public InitOptions withSplitShare(boolean share) {
        return with(ConfigField.SPLIT_SHARE, share ? 1 : 0);
    }

    /** {@code trafficClass} (NCCL 2.26+). */
    public InitOptions withTrafficClass(int trafficClass) {
        return with(ConfigField.TRAFFIC_CLASS, trafficClass);
    }

    /** {@code commName} (NCCL 2.27+). */
    public InitOptions withCommName(String name) {
        return with(ConfigField.COMM_NAME, name);
    }

    /** {@code collnetEnable} (NCCL 2.27+). */
    public InitOptions withCollnetEnable(boolean enable) {
        return with(ConfigField.COLLNET_ENABLE, enable ? 1 : 0);
    }

    /** {@code NCCL_CTA_POLICY_DEFAULT}. */
    public static final int CTA_POLICY_DEFAULT = 0x00;
    /** {@code NCCL_CTA_POLICY_EFFICIENCY}. */
    public static final int CTA_POLICY_EFFICIENCY = 0x01;
    /** {@code NCCL_CTA_POLICY_ZERO} (NCCL 2.28.3+); a release before it is refused before NCCL is called. */
    public static final int CTA_POLICY_ZERO = 0x02;

    /**
     * {@code CTAPolicy} (NCCL 2.27+): {@link #CTA_POLICY_DEFAULT} (0), {@link #CTA_POLICY_EFFICIENCY} (1) or
     * {@link #CTA_POLICY_ZERO} (2, NCCL 2.28.3+). NCCL 2.27 rejects anything above 1 and 2.28/2.29 anything above 2.
     */
    public InitOptions withCtaPolicy(int policy) {
        return with(ConfigField.CTA_POLICY, policy);
    }

    /** {@code shrinkShare} (NCCL 2.27+). */
    public InitOptions withShrinkShare(boolean share) {
        return with(ConfigField.SHRINK_SHARE, share ? 1 : 0);
    }

    /** {@code nvlsCTAs} (NCCL 2.27+). */
    public InitOptions withNvlsCtas(int ctas) {
        return with(ConfigField.NVLS_CTAS, ctas);
    }

    /** {@code maxP2pPeers} (NCCL 2.30.3+). */
    public InitOptions withMaxP2pPeers(int peers) {
        return with(ConfigField.MAX_P2P_PEERS, peers);
    }

    /** {@code graphStreamOrdering} (NCCL 2.30.7+). */
    public InitOptions withGraphStreamOrdering(boolean ordered) {
        return with(ConfigField.GRAPH_STREAM_ORDERING, ordered ? 1 : 0);
    }
}
