package io.ncclffm.harness.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.Flavor;
import io.ncclffm.InitOptions;
import io.ncclffm.Nccl;
import io.ncclffm.NcclVersion;
import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckGroup;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;
import io.ncclffm.harness.worker.CollectiveTimer.Call;
import io.ncclffm.harness.worker.CollectiveTimer.Side;

/**
 * Perf mode: the collectives of {@code NCCLFFM_PERF_COLLECTIVES} (default allReduce; sums where they reduce, root
 * 0 where they have one) in the element types of {@code NCCLFFM_PERF_DTYPES} (default float32), from 8 B up to
 * {@code NCCLFFM_PERF_MAX_BYTES}, doubling, in nccl-tests' size convention ({@link Collective#elementsPerRank}); in
 * place and out of place; plain launches and CUDA-graph replay ({@link CollectiveTimer}). The in-process C loop times
 * every collective it has a loop for. With {@code NCCLFFM_NCCL_TESTS}, rank 0 then runs nccl-tests for the same
 * collectives ({@link NcclTestsProcess}).
 *
 * <p>A run goes in phases: set up (load, unique ID, a blocking communicator, the C loop, the paired baseline,
 * buffers), plan the sweeps the release can time, time each sweep (JIT warm-up, then every size), tear down (the
 * baseline's communicator, then the cell's), and nccl-tests last, once this rank's communicator is gone.
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
     * Untimed 8-byte calls before the sweep, enough for C2 to compile the binding's call path before the first size
     * is timed: 20 per allowed iteration. A cell that caps iterations because every call takes milliseconds (ranks
     * sharing one GPU through sockets) gets proportionally fewer, where a microsecond of call path is far below the
     * noise anyway.
     */
    static int jitWarmupCalls(int maxIters) {
        return 20 * maxIters;
    }

    /** Calls per warm-up chunk: many invocations of the timed loop, so that it reaches the JIT's top tier. */
    static final int WARMUP_CHUNK = 100;

    /**
     * The fewest calls a trial times. The large sizes are judged to 1% (against C, and against nccl-tests, which makes
     * 1000 calls at every size), and a timing pays a few µs of its own, which the second of two back-to-back timings
     * shows as a slowdown at large sizes with few calls; 50 calls keep it well below the 1% goal (docs/validation.md has
     * the measurements).
     */
    static final int MIN_ITERATIONS = 50;

    /**
     * The rendezvous generation of the baseline's unique ID: perf mode never re-creates its communicator, so the
     * generations after 0 are free, and the first of them is the baseline's.
     */
    static final int BASELINE_GENERATION = 1;

    /** One collective in one element type, as the cell asked for it. */
    record Sweep(Collective collective, DataType type) {
    }

    private final WorkerConfig config;
    private final WorkerConfig.Perf perf;
    private final Reporter reporter;
    /** The cell's own library: its communicator and, when {@code NCCLFFM_PERF_C_LOOP} names one, its C loop. */
    private Side own;
    /** The perf baseline's library timed beside the cell's ({@code NCCLFFM_PERF_BASELINE}), or {@code null}. */
    private Side baseline;
    private CollectiveTimer timer;

    PerfRunner(WorkerConfig config, Reporter reporter) {
        this.config = config;
        this.perf = config.perf().orElseThrow(() -> new IllegalArgumentException("a worker in check mode has no perf settings"));
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

    static int warmup(long bytes, int maxIters) {
        return Math.max(2, iterations(bytes, maxIters) / 10);
    }

    WorkerExit run() {
        long start = System.nanoTime();
        reporter.emit(RankWorker.hello(config));
        try (RankSession s = new RankSession(config, reporter::emit)) {
            CheckBodies bodies = new CheckBodies(s);
            WorkerExit failed = setUp(s, bodies);
            if (failed != null) return failed;
            List<Sweep> sweeps = sweeps(s.nccl);
            Set<String> unpaired = new LinkedHashSet<>();
            for (Sweep sweep : sweeps) timeSweep(s, sweep, unpaired);
            tearDown(bodies, unpaired);
            if (perf.ncclTests() != null && config.rank() == 0) {
                new NcclTestsProcess(config, reporter, own.library(), s.nccl.libraryPath()).runAll(sweeps);
            }
        } finally {
            closeSides();
        }
        reporter.emit(reporter.done((System.nanoTime() - start) / 1_000_000));
        return reporter.exit();
    }

    // ---- set up

    /**
     * Loads the library, makes a blocking communicator, opens the C loop and the paired baseline where the cell has
     * them, and fills the buffers; the exit to return when a step failed, else {@code null}.
     */
    private WorkerExit setUp(RankSession s, CheckBodies bodies) {
        if (!passed(bodies.spec(CheckCatalog.entry(CheckKey.Library.LOAD, config)))) return WorkerExit.CHECKS_FAILED;
        // A blocking communicator, as the C baseline makes (ncclCommInitRank): a non-blocking one hands every
        // launch to NCCL's async machinery, which costs microseconds per small call and would be measured as
        // the binding's overhead.
        s.blockingCommunicator = true;
        if (!passed(bodies.spec(CheckCatalog.entry(CheckKey.Lifecycle.UNIQUE_ID, config)))
                || !passed(bodies.spec(CheckCatalog.entry(CheckKey.Lifecycle.INIT, config)))) {
            return WorkerExit.BROKEN;
        }
        own = new Side(libraryName(s.nccl), s.nccl, s.comm, null);
        if (perf.cLoop() != null && !passed(perfCheck("perf/c-loop", perf.cLoop(), () -> openCLoop(s)))) {
            return WorkerExit.BROKEN;
        }
        if (perf.baseline() != null && !passed(perfCheck("perf/paired-baseline", perf.baseline(), () -> openBaseline(s)))) {
            return WorkerExit.BROKEN;
        }
        timer = new CollectiveTimer(config, s, own);
        fillBuffers(s);
        return null;
    }

    private boolean passed(CheckSpec spec) {
        return reporter.run(spec).status() == CheckStatus.PASSED;
    }

    /** A perf check about one library file, whose body is {@code body}. */
    private static CheckSpec perfCheck(String id, String library, CheckBody body) {
        return CheckSpec.of(id, CheckGroup.PERF, Map.of("library", library), body);
    }

    private Outcome openCLoop(RankSession s) {
        own = new Side(own.library(), s.nccl, s.comm, InProcessCLoop.load(Path.of(perf.cLoop()), Path.of(s.nccl.libraryPath())));
        return Outcome.passed("in-process C loop " + perf.cLoop() + " drives ncclAllReduce of " + s.nccl.libraryPath());
    }

    /**
     * Loads the perf baseline's library and makes its communicator: a blocking one, like the cell's own, from a unique
     * ID the baseline's library makes on rank 0 and hands to the other ranks on the rendezvous port of
     * {@link #BASELINE_GENERATION}; with the C loop when the cell has one.
     */
    private Outcome openBaseline(RankSession s) {
        Nccl nccl = Nccl.load(Path.of(perf.baseline()));
        UniqueId id = ExchangeChecks.exchange(s, nccl, BASELINE_GENERATION);
        Communicator comm = nccl.initRank(config.world(), config.rank(), id, InitOptions.blockingInit());
        try {
            InProcessCLoop loop = perf.cLoop() == null ? null
                    : InProcessCLoop.load(Path.of(perf.cLoop()), Path.of(nccl.libraryPath()));
            baseline = new Side(libraryName(nccl), nccl, comm, loop);
        } catch (RuntimeException e) {
            comm.abort();
            throw e;
        }
        return Outcome.passed("the perf baseline " + baseline.library() + " (" + nccl.libraryPath() + ") is timed in this "
                + "process beside " + own.library() + ", trial by trial, with a communicator of its own"
                + (baseline.cLoop() == null ? "" : " and its own C loop"));
    }

    private void fillBuffers(RankSession s) {
        s.ensureBuffers(perf.maxBytes());
        s.device.fill(s.sendAddress(), (byte) 0x3c, perf.maxBytes());
        s.device.fill(s.recvAddress(), (byte) 0, perf.maxBytes());
        s.device.synchronizeDevice();
    }

    // ---- the sweeps

    /** The sweeps the cell asked for that this release can time; each one it cannot is reported as skipped, with why. */
    private List<Sweep> sweeps(Nccl nccl) {
        List<Sweep> sweeps = new ArrayList<>();
        for (DataType type : perf.dtypes()) {
            for (Collective collective : perf.collectives()) {
                String gap = gap(collective, type, nccl.flavor(), nccl.version(), nccl::supports);
                if (gap == null) {
                    sweeps.add(new Sweep(collective, type));
                } else {
                    reporter.run(CheckSpec.of("perf/" + collective + "/" + type.shortName(), CheckGroup.PERF,
                            Map.of("collective", collective.label(), "dtype", type.shortName()),
                            () -> Outcome.skipped(Cause.RELEASE_GAP, gap)));
                }
            }
        }
        return sweeps;
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

    /**
     * One sweep: the JIT warm-up, then every size from 8 B, each placement; timed beside the perf baseline where it has
     * the sweep too, else listed in {@code unpaired} with why.
     */
    private void timeSweep(RankSession s, Sweep sweep, Set<String> unpaired) {
        Side against = pairedSide(sweep, unpaired);
        long smallest = smallestCount(sweep);
        if (smallest == 0) return;
        warmUp(s, timer.call(sweep.collective(), sweep.type(), smallest, Placement.OUT_OF_PLACE), against);
        for (long bytes = 8; bytes <= perf.maxBytes(); bytes *= 2) {
            long count = sweep.collective().elementsPerRank(bytes, config.world(), sweep.type().size());
            if (count == 0) continue;  // too small for one element per rank; nccl-tests prints no such row either
            long printed = sweep.collective().printedBytes(count, config.world(), sweep.type().size());
            for (Placement placement : sweep.collective().placements()) {
                timeSize(timer.call(sweep.collective(), sweep.type(), count, placement), printed, against);
            }
        }
    }

    /** The perf baseline's side for {@code sweep}, or {@code null} without one or where its release lacks the sweep. */
    private Side pairedSide(Sweep sweep, Set<String> unpaired) {
        if (baseline == null) return null;
        Nccl nccl = baseline.nccl();
        String gap = gap(sweep.collective(), sweep.type(), nccl.flavor(), nccl.version(), nccl::supports);
        if (gap == null) return baseline;
        unpaired.add(sweep.collective() + " " + sweep.type().shortName() + ": " + gap);
        return null;
    }

    private long smallestCount(Sweep sweep) {
        for (long bytes = 8; bytes <= perf.maxBytes(); bytes *= 2) {
            long count = sweep.collective().elementsPerRank(bytes, config.world(), sweep.type().size());
            if (count > 0) return count;
        }
        return 0;
    }

    /**
     * The JIT compiles the call path only after thousands of calls, so they are made off the clock before the first
     * (smallest) size is timed (the C baseline makes as many, for the GPU's clocks). They go through the very loop that
     * is timed, in chunks, so that the JIT compiles that method: a loop left to the interpreter adds a per-call cost of
     * its own, which would read as binding overhead. Every sweep is warmed, not only each collective's first: code
     * compiled for one element type can be thrown away when a second one arrives, and the first sizes of the second
     * type then read slower than C (docs/validation.md has the measurements).
     */
    private void warmUp(RankSession s, Call first, Side against) {
        reporter.progress("perf JIT warm-up " + first.collective() + " " + first.type().shortName());
        for (int done = 0; done < jitWarmupCalls(perf.maxIters()); done += WARMUP_CHUNK) {
            timer.launches(own, first, WARMUP_CHUNK);
            if (against != null) timer.launches(against, first, WARMUP_CHUNK);
        }
        s.sync();
    }

    /** One size and placement: its launch trials, then its graph replays, each emitted as points. */
    private void timeSize(Call c, long bytes, Side against) {
        reporter.progress("perf " + c.collective() + " " + c.type().shortName() + " " + bytes + " B " + c.placement());
        int iterations = iterations(bytes, perf.maxIters());
        CollectiveTimer.Launches launch = timer.timeLaunches(c, iterations, warmup(bytes, perf.maxIters()), against);
        emit(own, Source.JAVA, c, bytes, TimingMode.LAUNCH, launch.java());
        if (launch.c().length > 0) emit(own, Source.IN_PROCESS_C, c, bytes, TimingMode.LAUNCH, launch.c());
        if (against != null) {
            emit(against, Source.JAVA, c, bytes, TimingMode.LAUNCH, launch.baselineJava());
            if (launch.baselineC().length > 0) emit(against, Source.IN_PROCESS_C, c, bytes, TimingMode.LAUNCH, launch.baselineC());
        }
        CollectiveTimer.Replays graph = timer.timeGraph(c, iterations, against);
        emit(own, Source.JAVA, c, bytes, TimingMode.GRAPH, graph.own());
        if (against != null) emit(against, Source.JAVA, c, bytes, TimingMode.GRAPH, graph.baseline());
    }

    /**
     * One point: the median of the trials, and every trial, so that a regression check can weigh their spread; of the
     * cell's own library, or of the perf baseline's, whose points are marked {@link PerfPoint#pairedBaseline()}.
     */
    private void emit(Side side, Source source, Call c, long bytes, TimingMode mode, double[] trialsUs) {
        PerfPoint p = PerfPoint.ofTrials(side.library(), source, config.world(), c.collective(), bytes, c.type(),
                c.placement(), mode, iterations(bytes, perf.maxIters()), Arrays.stream(trialsUs).boxed().toList());
        reporter.emit(new WorkerEvent.Perf(config.rank(), side == baseline ? p.asPairedBaseline() : p,
                Map.of("rank", Integer.toString(config.rank()))));
    }

    // ---- tear down

    /** Says which sweeps were not timed beside the perf baseline, destroys its communicator, then the cell's own. */
    private void tearDown(CheckBodies bodies, Set<String> unpaired) {
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
    }

    /** Releases what the run opened and has not closed: the baseline's communicator when a step failed, the C loops. */
    private void closeSides() {
        if (baseline != null) {
            if (baseline.comm().isOpen()) baseline.comm().abort();
            if (baseline.cLoop() != null) baseline.cLoop().close();
        }
        if (own != null && own.cLoop() != null) own.cLoop().close();
    }

    /** How points name a library: {@code NCCL 2.28.9}. */
    private static String libraryName(Nccl nccl) {
        return nccl.flavor().displayName() + " " + nccl.version();
    }

    /** The middle value; for an even count, the mean of the two middle ones (as the C baseline computes it). */
    static double median(double[] values) {
        return PerfPoint.median(values);
    }
}
