package io.ncclffm.harness.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.CheckKey.AllGather;
import io.ncclffm.harness.protocol.CheckKey.AllReduce;
import io.ncclffm.harness.protocol.CheckKey.AllToAll;
import io.ncclffm.harness.protocol.CheckKey.Broadcast;
import io.ncclffm.harness.protocol.CheckKey.GraphAllReduce;
import io.ncclffm.harness.protocol.CheckKey.Library;
import io.ncclffm.harness.protocol.CheckKey.Lifecycle;
import io.ncclffm.harness.protocol.CheckKey.Placement;
import io.ncclffm.harness.protocol.CheckKey.PreMulSum;
import io.ncclffm.harness.protocol.CheckKey.Reduce;
import io.ncclffm.harness.protocol.CheckKey.ReduceScatter;
import io.ncclffm.harness.protocol.CheckKey.SendRecv;
import io.ncclffm.harness.protocol.CheckKey.UserFeature;
import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/**
 * The checks a rank plans, computed from its {@link WorkerConfig} alone: the one enumeration that the worker runs
 * and announces ({@link WorkerEvent.Plan}) and that the controller holds the worker's output to. A controller that
 * knows a rank's configuration ({@code WorkerConfig.forRank}) knows what that rank must report, so a corrupt or
 * forged event stream cannot hide a check.
 *
 * <p>A check-mode rank reports the load check ({@link #LOAD_ID}) first; once that passed, it announces exactly the
 * checks of {@link #plan}, in that order, and reports each of them once. Perf mode plans nothing ahead;
 * {@link #expected} says so, and why.
 */
public final class CheckCatalog {

    /** The id of the check every rank reports first, in either mode, before its plan. */
    public static final String LOAD_ID = CheckGroup.LOAD;
    /** Elements per rank of the collectives besides allReduce: odd, so that no block size lines up by chance. */
    public static final int COLLECTIVE_COUNT = 1021;
    /** Elements per rank of the user-feature checks. */
    public static final int FEATURE_COUNT = 1021;
    /** A power of two: scaling is exact in every float type, so the PreMulSum model needs no rounding of its own. */
    public static final double PRE_MUL_SUM_SCALAR = 0.25;
    /** How long an abort may take once the CUDA graph that captured its communicator is destroyed. */
    public static final long ABORT_BOUND_SECONDS = 20;
    /** How long the deliberately hung init may run before it must be aborted. */
    public static final Duration HUNG_INIT_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long a wait whose signal has not been sent must stay pending: the bound a user's wait would time out at.
     * The signalling ranks send it only after twice this long.
     */
    public static final Duration UNMATCHED_WAIT_PENDING = Duration.ofSeconds(2);
    /** NCCL supports capturing its collectives in CUDA graphs from 2.9 on. */
    public static final NcclVersion GRAPH_SUPPORT = NcclVersion.of(2, 9, 0);

    /** The allReduces captured in a graph: float32 sums at two sizes, then four other types, each with another operator. */
    public static final List<GraphAllReduce> GRAPH_CASES = List.of(
            new GraphAllReduce(DataType.FLOAT32, ReduceOp.SUM, 1021),
            new GraphAllReduce(DataType.FLOAT32, ReduceOp.SUM, 1 << 20),
            new GraphAllReduce(DataType.BFLOAT16, ReduceOp.AVG, 1021),
            new GraphAllReduce(DataType.INT32, ReduceOp.MAX, 1021),
            new GraphAllReduce(DataType.FLOAT16, ReduceOp.PROD, 1021),
            new GraphAllReduce(DataType.FLOAT8_E4M3, ReduceOp.SUM, 1021));

    /** The float types PreMulSum is checked in. */
    public static final List<DataType> PRE_MUL_SUM_TYPES = List.of(DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16);

    private static final String GRAPH_CAPTURE = "capturing NCCL collectives in CUDA graphs";

    private CheckCatalog() {
    }

    /** One check as planned: what it checks, typed, and what the plan announces of it. */
    public record Entry(CheckKey key, PlannedCheck planned) {

        public String id() {
            return planned.id();
        }
    }

    /** What a controller can hold a rank to, before the rank starts. */
    public sealed interface Expected {

        /** The check the rank reports first. */
        PlannedCheck load();

        /**
         * Check mode: {@code load} first; once it passed, a plan of exactly {@code checks}, in this order, and then one
         * result for each of them. A rank whose load did not pass reports nothing more.
         */
        record Planned(PlannedCheck load, List<PlannedCheck> checks) implements Expected {
            public Planned {
                checks = List.copyOf(checks);
            }
        }

        /** Perf mode: {@code load} first; what follows cannot be known before the rank runs, for {@code reason}. */
        record Unplanned(PlannedCheck load, String reason) implements Expected {
        }
    }

    /** Why a perf-mode rank's checks cannot be known from its configuration. */
    public static final String PERF_UNPLANNED = "perf mode sends no plan, and its checks depend on the libraries it"
            + " loads: a perf/<collective>/<dtype> check is reported only for a combination the loaded library cannot"
            + " time (its version and exported functions decide), perf/paired-baseline/gaps only when the perf"
            + " baseline's library lacks one, rank 0's perf/nccl-tests/<collective>/<dtype> only for the combinations"
            + " that were timed; and the rank stops at the first of load, unique-id, comm-init, perf/c-loop and"
            + " perf/paired-baseline that does not pass";

    /** What a rank configured so must report; see {@link Expected}. */
    public static Expected expected(WorkerConfig config) {
        PlannedCheck load = entry(Library.LOAD, config).planned();
        if (config.mode() == WorkerConfig.Mode.PERF) return new Expected.Unplanned(load, PERF_UNPLANNED);
        return new Expected.Planned(load, plan(config).stream().map(Entry::planned).toList());
    }

    /**
     * The checks a check-mode rank plans after {@code load}, in the order it runs them.
     *
     * @throws IllegalArgumentException for a perf-mode configuration, which plans nothing ahead ({@link #PERF_UNPLANNED})
     */
    public static List<Entry> plan(WorkerConfig config) {
        if (config.mode() == WorkerConfig.Mode.PERF) {
            throw new IllegalArgumentException("no plan for a perf-mode rank: " + PERF_UNPLANNED);
        }
        boolean gpu = config.identity().gpu() != WorkerConfig.Gpu.NONE;
        List<CheckKey> keys = new ArrayList<>();
        if (config.checks().wants(CheckSelection.VERSION)) keys.add(Library.VERSION);
        if (config.checks().wants(CheckSelection.ERROR_STRINGS)) keys.add(Library.ERROR_STRINGS);
        keys.add(Lifecycle.UNIQUE_ID);
        keys.add(gpu ? Lifecycle.INIT : Lifecycle.INIT_WITHOUT_GPU);
        // The self-test is the first collective a user of a build runs, so it comes before every other one.
        if (config.checks().wants(CheckSelection.FEATURES)) keys.add(UserFeature.SELF_TEST);
        if (config.checks().wants(CheckSelection.ALLREDUCE)) keys.addAll(allReduces(config.checks().counts()));
        if (config.checks().wants(CheckSelection.COLLECTIVES)) keys.addAll(collectives());
        if (config.checks().wants(CheckSelection.GRAPH)) keys.addAll(GRAPH_CASES);
        if (config.checks().wants(CheckSelection.FEATURES)) keys.addAll(userFeatures());
        if (config.rank() == 0 && config.checks().wants(CheckSelection.ABORT)) keys.add(Lifecycle.ABORT_HUNG_INIT);
        // Without a GPU no communicator formed, so there is none to destroy.
        if (gpu) keys.add(Lifecycle.DESTROY);
        return keys.stream().map(k -> entry(k, config)).toList();
    }

    private static List<DataType> types() {
        return List.of(DataType.values()).stream().filter(t -> t != DataType.UNKNOWN).toList();
    }

    private static List<ReduceOp> ops() {
        return List.of(ReduceOp.values()).stream().filter(op -> op != ReduceOp.UNKNOWN).toList();
    }

    /** Every type, operator, count and placement, out of place before in place. */
    private static List<CheckKey> allReduces(List<Integer> counts) {
        List<CheckKey> keys = new ArrayList<>();
        for (DataType t : types()) {
            for (ReduceOp op : ops()) {
                for (int count : counts) {
                    for (Placement p : List.of(Placement.OUT_OF_PLACE, Placement.IN_PLACE)) keys.add(new AllReduce(t, op, count, p));
                }
            }
        }
        return keys;
    }

    private static List<CheckKey> collectives() {
        List<CheckKey> keys = new ArrayList<>();
        for (DataType t : types()) {
            keys.addAll(List.of(new Broadcast(t), new AllGather(t), new SendRecv(t), new AllToAll(t)));
            for (ReduceOp op : ops()) keys.addAll(List.of(new Reduce(t, op), new ReduceScatter(t, op)));
        }
        return keys;
    }

    private static List<CheckKey> userFeatures() {
        List<CheckKey> keys = new ArrayList<>();
        keys.add(UserFeature.SPLIT_PARITY);
        for (DataType t : PRE_MUL_SUM_TYPES) keys.add(new PreMulSum(t));
        keys.addAll(List.of(UserFeature.REGISTERED_BUFFERS, UserFeature.SYMMETRIC_WINDOW, UserFeature.ALLGATHERV,
                UserFeature.REDUCESCATTERV, UserFeature.SENDRECV_ALL_PEERS, UserFeature.GATHER, UserFeature.SCATTER,
                UserFeature.PROPERTIES, UserFeature.SUSPEND_RESUME,
                UserFeature.ABORT_WITH_LIVE_GRAPH));
        keys.addAll(List.of(UserFeature.SIGNAL_ALL_PEERS, UserFeature.PUT_SIGNAL_ALL_PEERS, UserFeature.UNMATCHED_WAIT,
                UserFeature.PARAMETERS_FROM_ENV));
        return keys;
    }

    /** The check {@code key} names, as a rank configured so plans and reports it: id, group, params, requirements. */
    public static Entry entry(CheckKey key, WorkerConfig config) {
        String world = Integer.toString(config.world());
        PlannedCheck planned = switch (key) {
            case Library l -> switch (l) {
                case LOAD -> check(CheckGroup.LOAD, CheckGroup.LOAD, Map.of());
                case VERSION -> check(CheckGroup.VERSION, CheckGroup.VERSION, Map.of());
                case ERROR_STRINGS -> check(CheckGroup.ERROR_STRINGS, CheckGroup.ERROR_STRINGS, Map.of());
            };
            case Lifecycle l -> switch (l) {
                case UNIQUE_ID -> check(CheckGroup.UNIQUE_ID, CheckGroup.UNIQUE_ID, Map.of("world", world));
                case INIT -> check(CheckGroup.COMM_INIT, CheckGroup.COMM_INIT, Map.of("world", world));
                case INIT_WITHOUT_GPU -> check(CheckGroup.INIT_WITHOUT_GPU, CheckGroup.INIT_WITHOUT_GPU, Map.of("world", world));
                case ABORT_HUNG_INIT -> check(CheckGroup.ABORT_HUNG_INIT, CheckGroup.ABORT_HUNG_INIT,
                        Map.of("timeoutMs", Long.toString(HUNG_INIT_TIMEOUT.toMillis())),
                        new Requirement.Function(Feature.INIT_RANK_CONFIG, "aborting a hung init"));
                case DESTROY -> check(CheckGroup.COMM_DESTROY, CheckGroup.COMM_DESTROY, Map.of("world", world));
            };
            case AllReduce(var t, var op, int count, var p) -> check(
                    "allreduce/" + t.shortName() + "/" + op.shortName() + "/" + count + "/" + p.label(), CheckGroup.allReduce(t),
                    params(t, op, "count", Integer.toString(count), "placement", p.label(), "world", world),
                    Requirement.type(t), Requirement.op(op));
            case GraphAllReduce(var t, var op, int count) -> check(
                    "graph/allreduce/" + t.shortName() + "/" + op.shortName() + "/" + count, CheckGroup.GRAPH_CAPTURE,
                    params(t, op, "count", Integer.toString(count), "placement", Placement.OUT_OF_PLACE.label(),
                            "world", world, "replays", Integer.toString(config.checks().graphReplays())),
                    new Requirement.Release(GRAPH_SUPPORT, GRAPH_CAPTURE), Requirement.type(t), Requirement.op(op));
            case Broadcast(var t) -> collective(CheckGroup.BROADCAST, t, null, world, Requirement.type(t),
                    Requirement.function(Feature.BROADCAST));
            case AllGather(var t) -> collective(CheckGroup.ALLGATHER, t, null, world, Requirement.type(t));
            case SendRecv(var t) -> collective(CheckGroup.SENDRECV, t, null, world, Requirement.type(t),
                    Requirement.function(Feature.SEND_RECV));
            case AllToAll(var t) -> collective(CheckGroup.ALLTOALL, t, null, world, Requirement.type(t),
                    Requirement.function(Feature.ALL_TO_ALL));
            case Reduce(var t, var op) -> collective(CheckGroup.REDUCE, t, op, world, Requirement.type(t), Requirement.op(op));
            case ReduceScatter(var t, var op) -> collective(CheckGroup.REDUCESCATTER, t, op, world, Requirement.type(t),
                    Requirement.op(op));
            case PreMulSum(var t) -> check("premulsum/" + t.shortName(), CheckGroup.FEATURES,
                    params(t, null, "scalar", Double.toString(PRE_MUL_SUM_SCALAR), "count", Integer.toString(FEATURE_COUNT),
                            "world", world),
                    Requirement.function(Feature.PRE_MUL_SUM), Requirement.type(t));
            case UserFeature f -> userFeature(f, world);
        };
        return new Entry(key, planned);
    }

    private static PlannedCheck userFeature(UserFeature f, String world) {
        String count = Integer.toString(FEATURE_COUNT);
        DataType f32 = DataType.FLOAT32;
        DataType i32 = DataType.INT32;
        return switch (f) {
            case SELF_TEST -> feature("self-test", params(f32, ReduceOp.SUM, "count", "1", "world", world),
                    Requirement.type(f32), Requirement.op(ReduceOp.SUM));
            case SPLIT_PARITY -> feature("split/parity", params(i32, null, "color", "rank % 2", "key", "rank", "world", world),
                    Requirement.function(Feature.SPLIT), Requirement.type(i32));
            case REGISTERED_BUFFERS -> feature("registered-buffers", params(f32, null, "count", count, "world", world),
                    Requirement.function(Feature.MEM_ALLOC), Requirement.function(Feature.REGISTER));
            case SYMMETRIC_WINDOW -> feature("symmetric-window", params(f32, null, "count", count, "world", world),
                    Requirement.function(Feature.MEM_ALLOC), Requirement.function(Feature.WINDOW_REGISTER));
            case ALLGATHERV -> feature("allgatherv/grouped-broadcasts", params(i32, null, "world", world),
                    Requirement.function(Feature.BROADCAST));
            case REDUCESCATTERV -> feature("reducescatterv/grouped-reduces", params(i32, ReduceOp.SUM, "world", world));
            case SENDRECV_ALL_PEERS -> feature("sendrecv/all-peers", params(i32, null, "count", count, "world", world),
                    Requirement.function(Feature.SEND_RECV));
            case GATHER -> feature("gather", params(i32, null, "count", count, "world", world),
                    Requirement.function(Feature.GATHER_SCATTER));
            case SCATTER -> feature("scatter", params(i32, null, "count", count, "world", world),
                    Requirement.function(Feature.GATHER_SCATTER));
            case PROPERTIES -> feature("properties", params(null, null, "world", world),
                    Requirement.function(Feature.QUERY_PROPERTIES));
            case SUSPEND_RESUME -> feature("suspend-resume", params(f32, ReduceOp.SUM, "count", count, "world", world),
                    Requirement.function(Feature.SUSPEND_RESUME), Requirement.function(Feature.MEM_STATS),
                    Requirement.type(f32), Requirement.op(ReduceOp.SUM));
            case ABORT_WITH_LIVE_GRAPH -> feature("abort/with-live-graph",
                    params(f32, null, "bound_s", Long.toString(ABORT_BOUND_SECONDS), "world", world),
                    Requirement.function(Feature.SPLIT), Requirement.function(Feature.ABORT),
                    new Requirement.Release(GRAPH_SUPPORT, GRAPH_CAPTURE));
            case SIGNAL_ALL_PEERS -> feature("signal/all-peers", params(null, null, "world", world),
                    Requirement.function(Feature.SIGNAL), Requirement.function(Feature.SPLIT));
            case PUT_SIGNAL_ALL_PEERS -> feature("put-signal/all-peers", params(i32, null, "count", count, "world", world),
                    Requirement.function(Feature.SIGNAL), Requirement.function(Feature.SPLIT),
                    Requirement.function(Feature.MEM_ALLOC), Requirement.function(Feature.WINDOW_REGISTER),
                    Requirement.function(Feature.WINDOW_USER_PTR));
            case UNMATCHED_WAIT -> feature("wait-signal/unmatched-times-out",
                    params(null, null, "pending_ms", Long.toString(UNMATCHED_WAIT_PENDING.toMillis()), "world", world),
                    Requirement.function(Feature.SIGNAL), Requirement.function(Feature.SPLIT));
            case PARAMETERS_FROM_ENV -> feature("parameters/from-env", params(null, null, "world", world),
                    new Requirement.Release(Feature.PARAMETERS.since(), "NCCL's parameter API"),
                    Requirement.function(Feature.PARAMETERS));
        };
    }

    /** A collective besides allReduce: its id is the group, the type and the operator where it has one. */
    private static PlannedCheck collective(String group, DataType t, ReduceOp op, String world, Requirement... requirements) {
        String id = group + "/" + t.shortName() + (op == null ? "" : "/" + op.shortName());
        return check(id, group, params(t, op, "count", Integer.toString(COLLECTIVE_COUNT), "world", world), requirements);
    }

    private static PlannedCheck feature(String id, Map<String, String> params, Requirement... requirements) {
        return check(id, CheckGroup.FEATURES, params, requirements);
    }

    private static PlannedCheck check(String id, String group, Map<String, String> params, Requirement... requirements) {
        return new PlannedCheck(id, group, params, List.of(requirements));
    }

    /** The element type and operator (either may be {@code null}), then the given keys and values. */
    private static Map<String, String> params(DataType t, ReduceOp op, String... keysAndValues) {
        Map<String, String> p = new LinkedHashMap<>();
        if (t != null) p.put("dtype", t.shortName());
        if (op != null) p.put("op", op.shortName());
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) p.put(keysAndValues[i], keysAndValues[i + 1]);
        return p;
    }
}
