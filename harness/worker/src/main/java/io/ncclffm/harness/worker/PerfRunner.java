package io.ncclffm.harness.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.Flavor;
import io.ncclffm.InitOptions;
import io.ncclffm.Nccl;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;
import io.ncclffm.UniqueId;
import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * Perf mode: the collectives of {@code NCCLFFM_PERF_COLLECTIVES} (default allReduce; sums where they reduce, root
 * 0 where they have one) in the element types of {@code NCCLFFM_PERF_DTYPES} (default float32), from 8 B up to
 * {@code NCCLFFM_PERF_MAX_BYTES}, doubling, in nccl-tests' size convention ({@link Collective#elementsPerRank}); in
 * place and out of place; plain launches and CUDA-graph replay. The loop, iteration counts and timing are the same
 * as the C baseline's ({@code perf/c-baseline}), so the two can be compared in one run; the in-process C loop
 * times allReduce only. With {@code NCCLFFM_NCCL_TESTS}, rank 0 of a one-rank cell then runs nccl-tests for the
 * same collectives ({@link NcclTestsProcess}).
 *
 * <p>With {@code NCCLFFM_PERF_BASELINE} (a candidate of a matrix whose perf policy pairs in process), the worker also
 * loads the perf baseline's library, makes a communicator of it on the same device, buffers and stream (its unique
 * ID exchanged like the cell's own, on the next rendezvous port), and times it beside the cell's library: every
 * trial of a size is taken from both, one right after the other, the baseline first in even trials and second in
 * odd ones, and graphs of both are replayed the same way. The baseline's points are marked
 * {@link PerfPoint#pairedBaseline()}; trial {@code t} of the two points of one measurement is a pair.
 */
final class PerfRunner {

    /**
     * Untimed 8-byte calls before the sweep, enough for C2 to compile the binding's allReduce path before the first
     * size is timed: 20 per allowed iteration, so 20,000 at the default cap of 1000. A cell that caps iterations
     * because every call takes milliseconds (ranks sharing one GPU through sockets, ~4.5 ms a call) gets
     * proportionally fewer: 400 at a cap of 20, about 2 s instead of 90, where a microsecond of call path is far
     * below the noise anyway.
     */
    static int jitWarmupCalls(int maxIters) {
        return 20 * maxIters;
    }

    private final WorkerConfig config;
    private final Reporter reporter;
    /** The cell's own library: its communicator and, when {@code NCCLFFM_PERF_C_LOOP} names one, its C loop. */
    private Side own;
    /** The perf baseline's library timed beside the cell's ({@code NCCLFFM_PERF_BASELINE}), or {@code null}. */
    private Side baseline;

    /**
     * The rendezvous generation of the baseline's unique ID: perf mode never re-creates its communicator, so the
     * generations after 0 are free, and the first of them is the baseline's.
     */
    static final int BASELINE_GENERATION = 1;

    /**
     * One library as perf mode times it: its binding instance, its communicator, and the C loop driving that same
     * library's functions (or {@code null} without a loop).
     */
    record Side(String library, Nccl nccl, Communicator comm, InProcessCLoop cLoop) {
    }

    PerfRunner(WorkerConfig config, Reporter reporter) {
        this.config = config;
        this.reporter = reporter;
    }

    /**
     * Iterations per size: enough to time 8 B calls to well under a microsecond, 256 MiB worth of calls from 256 KiB
     * on, never fewer than {@link #MIN_ITERATIONS}, and at most {@code maxIters} (ranks sharing one GPU talk through
     * sockets at milliseconds per call, where 1000 calls per size would take the whole run). The C baseline computes
     * the same counts (--iters auto, --max-iters).
     */
    static int iterations(long bytes, int maxIters) {
        long i = (256L << 20) / Math.max(1, bytes);
        return (int) Math.min(maxIters, Math.max(MIN_ITERATIONS, Math.min(1000, i)));
    }

    /**
     * The fewest calls a trial times. The large sizes are judged to 1% (against C, and against nccl-tests, which makes
     * 1000 calls at every size), and a timing pays a few µs of its own: on the H200, the second of two back-to-back
     * timings read 1% slower at 64 MiB with 10 calls of 35 µs. 50 calls bring that under 0.2%, for about 25 ms a
     * trial at 1 GiB.
     */
    static final int MIN_ITERATIONS = 50;

    static int warmup(long bytes, int maxIters) {
        return Math.max(2, iterations(bytes, maxIters) / 10);
    }

    private int iterations(long bytes) {
        return iterations(bytes, config.perfMaxIters());
    }

    private int warmup(long bytes) {
        return warmup(bytes, config.perfMaxIters());
    }

    WorkerExit run() {
        long start = System.nanoTime();
        try (RankSession s = new RankSession(config, reporter::emit)) {
            CheckBodies bodies = new CheckBodies(s);
            for (CheckSpec spec : List.of(bodies.spec(CheckCatalog.entry(CheckKey.Library.LOAD, config)))) {
                if (reporter.run(spec).status() != CheckStatus.PASSED) return WorkerExit.CHECKS_FAILED;
            }
            // A blocking communicator, as the C baseline makes (ncclCommInitRank): a non-blocking one hands every
            // launch to NCCL's async machinery, which costs microseconds per small call and would be measured as
            // the binding's overhead.
            s.blockingCommunicator = true;
            for (CheckSpec spec : List.of(bodies.spec(CheckCatalog.entry(CheckKey.Lifecycle.UNIQUE_ID, config)),
                    bodies.spec(CheckCatalog.entry(CheckKey.Lifecycle.INIT, config)))) {
                CheckResult r = reporter.run(spec);
                if (r.status() != CheckStatus.PASSED) return WorkerExit.BROKEN;
            }
            String library = libraryName(s.nccl);
            own = new Side(library, s.nccl, s.comm, null);
            if (config.perfCLoop() != null) {
                CheckResult r = reporter.run(CheckSpec.of("perf/c-loop", CheckGroup.PERF, Map.of("library", config.perfCLoop()),
                        () -> {
                            own = new Side(library, s.nccl, s.comm, InProcessCLoop.load(Path.of(config.perfCLoop()), Path.of(s.nccl.libraryPath())));
                            return Outcome.passed("in-process C loop " + config.perfCLoop() + " drives ncclAllReduce of " + s.nccl.libraryPath());
                        }));
                if (r.status() != CheckStatus.PASSED) return WorkerExit.BROKEN;
            }
            if (config.perfBaseline() != null) {
                CheckResult r = reporter.run(CheckSpec.of("perf/paired-baseline", CheckGroup.PERF, Map.of("library", config.perfBaseline()),
                        () -> {
                            baseline = openBaseline(s);
                            return Outcome.passed("the perf baseline " + baseline.library() + " (" + baseline.nccl().libraryPath()
                                    + ") is timed in this process beside " + library + ", trial by trial, with a communicator "
                                    + "of its own" + (baseline.cLoop() == null ? "" : " and its own C loop"));
                        }));
                if (r.status() != CheckStatus.PASSED) return WorkerExit.BROKEN;
            }
            s.ensureBuffers(config.perfMaxBytes());
            s.device.fill(s.sendAddress(), (byte) 0x3c, config.perfMaxBytes());
            s.device.fill(s.recvAddress(), (byte) 0, config.perfMaxBytes());
            s.device.synchronizeDevice();
            List<Sweep> sweeps = new ArrayList<>();
            for (DataType type : config.perfDtypes()) {
                for (Collective collective : config.perfCollectives()) {
                    String gap = gap(collective, type, s.nccl.flavor(), s.nccl.version(), s.nccl::supports);
                    if (gap != null) {
                        reporter.run(CheckSpec.of("perf/" + collective + "/" + type.shortName(), CheckGroup.PERF,
                                Map.of("collective", collective.label(), "dtype", type.shortName()),
                                () -> Outcome.skipped(Cause.RELEASE_GAP, gap)));
                    } else {
                        sweeps.add(new Sweep(collective, type));
                    }
                }
            }
            java.util.Set<String> unpaired = new java.util.LinkedHashSet<>();
            for (Sweep sweep : sweeps) {
                Side against = null;
                if (baseline != null) {
                    String gap = gap(sweep.collective(), sweep.type(), baseline.nccl().flavor(), baseline.nccl().version(),
                            baseline.nccl()::supports);
                    if (gap == null) against = baseline;
                    else unpaired.add(sweep.collective() + " " + sweep.type().shortName() + ": " + gap);
                }
                // The JIT compiles the call path only after thousands of calls, so they are made off the clock before
                // the first (smallest) size is timed (the C baseline makes as many, for the GPU's clocks). They go
                // through the very loop that is timed, in chunks, so that the JIT compiles that method: a loop left to
                // the interpreter adds a per-call cost of its own, which would read as binding overhead. Every sweep
                // is warmed, not only each collective's first: code compiled for one element type can be thrown away
                // when a second one arrives (on the H200, warmed by float32's sweep only, allReduce bfloat16 read 1.067
                // and 1.082 × C in the same process at 8 B, its first size, and 1.010 and 1.022 at 32 B).
                Call first = call(s, sweep, smallestCount(sweep), Placement.OUT_OF_PLACE);
                if (first == null) continue;
                reporter.progress("perf JIT warm-up " + sweep.collective() + " " + sweep.type().shortName());
                for (int done = 0; done < jitWarmupCalls(config.perfMaxIters()); done += WARMUP_CHUNK) {
                    launches(s, own, first, WARMUP_CHUNK);
                    if (against != null) launches(s, against, first, WARMUP_CHUNK);
                }
                s.sync();
                for (long bytes = 8; bytes <= config.perfMaxBytes(); bytes *= 2) {
                    long count = sweep.collective().elementsPerRank(bytes, config.world(), sweep.type().size());
                    if (count == 0) continue;  // too small for one element per rank; nccl-tests prints no such row either
                    long printed = sweep.collective().printedBytes(count, config.world(), sweep.type().size());
                    for (Placement placement : sweep.collective().placements()) {
                        Call c = call(s, sweep, count, placement);
                        reporter.progress("perf " + sweep.collective() + " " + sweep.type().shortName() + " " + printed + " B "
                                + placement);
                        Launches launch = timeLaunches(s, c, printed, against);
                        emit(own, Source.JAVA, c, printed, TimingMode.LAUNCH, launch.java());
                        if (launch.c().length > 0) emit(own, Source.IN_PROCESS_C, c, printed, TimingMode.LAUNCH, launch.c());
                        if (against != null) {
                            emit(against, Source.JAVA, c, printed, TimingMode.LAUNCH, launch.baselineJava());
                            if (launch.baselineC().length > 0) emit(against, Source.IN_PROCESS_C, c, printed, TimingMode.LAUNCH, launch.baselineC());
                        }
                        double[][] graph = timeGraph(s, c, printed, against);
                        emit(own, Source.JAVA, c, printed, TimingMode.GRAPH, graph[0]);
                        if (against != null) emit(against, Source.JAVA, c, printed, TimingMode.GRAPH, graph[1]);
                    }
                }
            }
            if (!unpaired.isEmpty()) {
                // The regression check lists these measurements as not compared; the reason is here.
                reporter.run(CheckSpec.of("perf/paired-baseline/gaps", CheckGroup.PERF, Map.of("library", baseline.library()),
                        () -> Outcome.skipped(Cause.RELEASE_GAP, "not timed from the perf baseline " + baseline.library()
                                + ", which lacks them: " + String.join("; ", unpaired))));
            }
            if (baseline != null) {
                Communicator b = baseline.comm();
                reporter.run(CheckSpec.of("perf/paired-baseline/destroy", CheckGroup.PERF, Map.of("library", baseline.library()), () -> {
                    b.close();
                    return Outcome.passed("the perf baseline's communicator was finalized and destroyed");
                }));
            }
            reporter.run(bodies.spec(CheckCatalog.entry(CheckKey.Lifecycle.DESTROY, config)));
            if (config.ncclTests() != null && config.rank() == 0) {
                new NcclTestsProcess(config, reporter, library, s.nccl.libraryPath()).runAll(sweeps);
            }
        } finally {
            if (baseline != null) {
                if (baseline.comm().isOpen()) baseline.comm().abort();
                if (baseline.cLoop() != null) baseline.cLoop().close();
            }
            if (own != null && own.cLoop() != null) own.cLoop().close();
        }
        reporter.emit(reporter.done((System.nanoTime() - start) / 1_000_000));
        return reporter.exit();
    }

    /**
     * Loads the perf baseline's library and makes its communicator: a blocking one, like the cell's own, from a unique
     * ID the baseline's library makes on rank 0 and hands to the other ranks on the rendezvous port of
     * {@link #BASELINE_GENERATION}; with the C loop when the cell has one.
     */
    private Side openBaseline(RankSession s) {
        Nccl nccl = Nccl.load(Path.of(config.perfBaseline()));
        UniqueId id = ExchangeChecks.exchange(s, nccl, BASELINE_GENERATION);
        Communicator comm = nccl.initRank(config.world(), config.rank(), id, InitOptions.blockingInit());
        try {
            InProcessCLoop loop = config.perfCLoop() == null ? null
                    : InProcessCLoop.load(Path.of(config.perfCLoop()), Path.of(nccl.libraryPath()));
            return new Side(libraryName(nccl), nccl, comm, loop);
        } catch (RuntimeException e) {
            comm.abort();
            throw e;
        }
    }

    /** One collective in one element type, as the cell asked for it. */
    record Sweep(Collective collective, DataType type) {
    }

    /**
     * Why {@code collective} in {@code type} cannot be timed on this release, or {@code null} when it can: bfloat16
     * needs NCCL 2.10; alltoall needs {@code ncclAlltoAll} (NCCL 2.28); sendrecv {@code ncclSend}/{@code ncclRecv}
     * (NCCL 2.7); broadcast {@code ncclBroadcast} (NCCL 2.2).
     */
    static String gap(Collective collective, DataType type, Flavor flavor, NcclVersion version, Predicate<Feature> exports) {
        if (!type.supportedBy(flavor, version)) {
            return type.shortName() + " needs " + flavor.displayName() + " " + type.since(flavor) + " or newer; this is "
                    + flavor.displayName() + " " + version;
        }
        Feature needed = switch (collective) {
            case ALL_TO_ALL -> Feature.ALL_TO_ALL;
            case SEND_RECV -> Feature.SEND_RECV;
            case BROADCAST -> Feature.BROADCAST;
            default -> null;
        };
        if (needed != null && !exports.test(needed)) {
            return collective + " needs " + needed.functions().stream().map(Feature.Symbol::describe).collect(Collectors.joining(" and "))
                    + " (" + flavor.displayName() + " " + needed.since() + " or newer), which " + flavor.displayName() + " "
                    + version + " does not export";
        }
        return null;
    }

    private long smallestCount(Sweep sweep) {
        for (long bytes = 8; bytes <= config.perfMaxBytes(); bytes *= 2) {
            long count = sweep.collective().elementsPerRank(bytes, config.world(), sweep.type().size());
            if (count > 0) return count;
        }
        return 0;
    }

    /**
     * One timed call's arguments, fixed before the loop so that the loop does nothing but call. {@code kind} is the
     * collective's ordinal, so that the loop switches on an int.
     */
    record Call(Collective collective, int kind, DataType type, long count, Placement placement, long send, long recv) {
    }

    /**
     * The call for {@code count} elements per rank in nccl-tests' buffer layout: in place, allGather sends from
     * its rank's block of the receive buffer and reduceScatter receives into its rank's block of the send buffer;
     * the rest use one buffer for both. {@code null} when {@code count} is 0.
     */
    private Call call(RankSession s, Sweep sweep, long count, Placement placement) {
        if (count == 0) return null;
        long send = s.sendAddress();
        long recv = s.recvAddress();
        long block = count * sweep.type().size() * config.rank();
        if (placement == Placement.IN_PLACE) {
            switch (sweep.collective()) {
                case ALL_GATHER -> send = recv + block;
                case REDUCE_SCATTER -> recv = send + block;
                default -> recv = send;
            }
        }
        return new Call(sweep.collective(), sweep.collective().ordinal(), sweep.type(), count, placement, send, recv);
    }

    /**
     * One point: the median of the trials, and every trial, so that a regression check can weigh their spread; of the
     * cell's own library, or of the perf baseline's, whose points are marked {@link PerfPoint#pairedBaseline()}.
     */
    private void emit(Side side, Source source, Call c, long bytes, TimingMode mode, double[] trialsUs) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("rank", Integer.toString(config.rank()));
        PerfPoint p = PerfPoint.ofTrials(side.library(), source, config.world(), c.collective(), bytes, c.type(),
                c.placement(), mode, iterations(bytes), java.util.Arrays.stream(trialsUs).boxed().toList());
        reporter.emit(new WorkerEvent.Perf(config.rank(), side == baseline ? p.asPairedBaseline() : p, extra));
    }

    /** Calls per warm-up chunk: many invocations of {@link #launches}, so that it reaches the JIT's top tier. */
    static final int WARMUP_CHUNK = 100;

    /** The timed loop: {@code n} back-to-back calls, nothing else. Warm-up and every timing go through here. */
    private void launches(RankSession s, Side side, Call c, int n) {
        for (int i = 0; i < n; i++) once(s, side, c);
    }

    private void once(RankSession s, Side side, Call c) {
        long stream = s.stream.address();
        Communicator comm = side.comm();
        switch (c.kind()) {
            case 0 -> comm.allReduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case 1 -> comm.allGather(c.send(), c.recv(), c.count(), c.type(), stream);
            case 2 -> comm.reduceScatter(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case 3 -> comm.broadcast(c.send(), c.recv(), c.count(), c.type(), 0, stream);
            case 4 -> comm.reduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, 0, stream);
            case 5 -> comm.allToAll(c.send(), c.recv(), c.count(), c.type(), stream);
            case 6 -> {
                // nccl-tests' sendrecv_perf: each rank sends to the next and receives from the previous, in one group
                side.nccl().groupStart();
                try {
                    comm.send(c.send(), c.count(), c.type(), nextRank(), stream);
                    comm.recv(c.recv(), c.count(), c.type(), previousRank(), stream);
                } finally {
                    side.nccl().groupEnd();
                }
            }
            default -> throw new IllegalStateException("no call for collective " + c.collective());
        }
    }

    /**
     * Microseconds per call: {@code iterations} back-to-back calls between two device events, repeated
     * {@code trials} times; the median trial. With several ranks a single trial is at the mercy of host jitter on
     * any rank, in C as in Java; the median of several is what one release or binding is compared on. The C
     * baseline does the same (--trials).
     *
     * <p>With the perf baseline beside the cell's library ({@code against}), each trial is taken from both, one
     * after the other (the baseline first in even trials), and within each side C and Java take turns too.
     *
     * @return the binding's trials, and the in-process C loop's when there is one with a loop for the collective (its
     *         trials alternate with the binding's, C first in even trials), else an empty array; the same of the perf baseline, empty
     *         without one
     */
    private Launches timeLaunches(RankSession s, Call c, long bytes, Side against) {
        int iters = iterations(bytes);
        boolean withC = own.cLoop() != null && own.cLoop().has(c.collective());
        boolean againstC = against != null && against.cLoop() != null && against.cLoop().has(c.collective());
        launches(s, own, c, warmup(bytes));
        if (withC) cLaunches(s, own, c, warmup(bytes));
        if (against != null) launches(s, against, c, warmup(bytes));
        if (againstC) cLaunches(s, against, c, warmup(bytes));
        s.sync();
        int trials = config.perfTrials();
        double[] java = new double[trials];
        double[] cTrials = new double[withC ? trials : 0];
        double[] baselineJava = new double[against == null ? 0 : trials];
        double[] baselineC = new double[againstC ? trials : 0];
        try (DeviceEvent begin = s.device.createEvent(); DeviceEvent end = s.device.createEvent()) {
            for (int t = 0; t < trials; t++) {
                int trial = t;
                inTurns(t, against == null ? null : () -> trial(s, begin, end, iters, against, againstC, c, trial, baselineJava, baselineC),
                        () -> trial(s, begin, end, iters, own, withC, c, trial, java, cTrials));
            }
        }
        return new Launches(java, cTrials, baselineJava, baselineC);
    }

    /**
     * One side's trial {@code t}: its C loop's (when {@code withC}) and the binding's, C first in even trials and
     * second in odd ones, so that whatever the second of two back-to-back timings pays (on the H200, up to 1% at
     * 64 MiB with 10 calls a trial, before {@link #MIN_ITERATIONS}) falls on both alike.
     */
    private void trial(RankSession s, DeviceEvent begin, DeviceEvent end, int iters, Side side, boolean withC, Call c, int t,
                       double[] java, double[] cTrials) {
        inTurns(t, withC ? () -> cTrials[t] = perCall(s, begin, end, iters, () -> cLaunches(s, side, c, iters)) : null,
                () -> java[t] = perCall(s, begin, end, iters, () -> launches(s, side, c, iters)));
    }

    /** One size's launch trials: the cell's own from Java and C, and the perf baseline's beside them (empty without). */
    record Launches(double[] java, double[] c, double[] baselineJava, double[] baselineC) {
    }

    /**
     * Trial {@code t} of two timings taken one right after the other: {@code other} first in even trials and second
     * in odd ones, so that what the second of two back-to-back timings pays falls on both alike; {@code mine} alone
     * where there is no {@code other}.
     */
    static void inTurns(int t, Runnable other, Runnable mine) {
        boolean otherFirst = other != null && t % 2 == 0;
        if (otherFirst) other.run();
        mine.run();
        if (other != null && !otherFirst) other.run();
    }

    /** How points name a library: {@code NCCL 2.28.9}. */
    private static String libraryName(Nccl nccl) {
        return nccl.flavor().displayName() + " " + nccl.version();
    }

    /** The rank a sendrecv sends to: the next one in the ring. */
    private int nextRank() {
        return (config.rank() + 1) % config.world();
    }

    /** The rank a sendrecv receives from: the previous one in the ring. */
    private int previousRank() {
        return (config.rank() - 1 + config.world()) % config.world();
    }

    /** {@code n} calls from the side's in-process C loop, with exactly the arguments {@link #once} passes. */
    private void cLaunches(RankSession s, Side side, Call c, int n) {
        InProcessCLoop loop = side.cLoop();
        if (c.collective() == Collective.SEND_RECV) {
            loop.sendRecv(c.send(), c.recv(), c.count(), c.type().code(), nextRank(), previousRank(),
                    side.comm().address(), s.stream.address(), n);
            return;
        }
        int sum = ReduceOp.SUM.code();
        // the same reduction and root as once(): SUM, root 0
        int opOrRoot = c.collective() == Collective.BROADCAST ? 0 : sum;
        loop.collective(c.collective(), c.send(), c.recv(), c.count(), c.type().code(), opOrRoot, 0, side.comm().address(),
                s.stream.address(), n);
    }

    /**
     * Microseconds per call when {@code iterations} calls are captured into one graph, launched once untimed, then
     * replayed {@code trials} times, each between two events; every trial. With the perf baseline beside the cell's
     * library ({@code against}), a graph of each is captured and their replays alternate as launches do.
     *
     * @return the cell's trials, and the baseline's (empty without one)
     */
    private double[][] timeGraph(RankSession s, Call c, long bytes, Side against) {
        int iters = iterations(bytes);
        int trials = config.perfTrials();
        double[] mine = new double[trials];
        double[] theirs = new double[against == null ? 0 : trials];
        try (CapturedGraph graph = capture(s, own, c, iters);
             CapturedGraph other = against == null ? null : capture(s, against, c, iters);
             DeviceEvent begin = s.device.createEvent(); DeviceEvent end = s.device.createEvent()) {
            graph.launch(s.stream);
            if (other != null) other.launch(s.stream);
            s.sync();
            for (int t = 0; t < trials; t++) {
                int trial = t;
                inTurns(t, other == null ? null : () -> theirs[trial] = perCall(s, begin, end, iters, () -> other.launch(s.stream)),
                        () -> mine[trial] = perCall(s, begin, end, iters, () -> graph.launch(s.stream)));
            }
        }
        return new double[][] {mine, theirs};
    }

    private CapturedGraph capture(RankSession s, Side side, Call c, int iters) {
        s.device.beginCapture(s.stream);
        launches(s, side, c, iters);
        return s.device.endCapture(s.stream);
    }

    /** One trial: microseconds per allReduce of {@code enqueue}, which puts {@code iters} of them on the stream. */
    private static double perCall(RankSession s, DeviceEvent begin, DeviceEvent end, int iters, Runnable enqueue) {
        begin.record(s.stream);
        enqueue.run();
        end.record(s.stream);
        s.sync();
        return end.elapsedSince(begin) * 1000.0 / iters;
    }

    /** The middle value; for an even count, the mean of the two middle ones (as the C baseline computes it). */
    static double median(double[] values) {
        return PerfPoint.median(values);
    }
}
