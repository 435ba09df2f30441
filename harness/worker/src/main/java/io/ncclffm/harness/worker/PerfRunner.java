package io.ncclffm.harness.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.ReduceOp;
import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * Perf mode: the collectives of {@code NCCLFFM_PERF_COLLECTIVES} (default allReduce; sums where they reduce, root
 * 0 where they have one) in the element types of {@code NCCLFFM_PERF_DTYPES} (default float32), from 8 B up to
 * {@code NCCLFFM_PERF_MAX_BYTES}, doubling, in nccl-tests' size convention ({@link PerfPoint#elementsPerRank}); in
 * place and out of place; plain launches and CUDA-graph replay. The loop, iteration counts and timing are the same
 * as the C baseline's ({@code perf/c-baseline}), so the two can be compared in one run; the in-process C loop
 * times allReduce only. With {@code NCCLFFM_NCCL_TESTS}, rank 0 of a one-rank cell then runs nccl-tests for the
 * same collectives ({@link NcclTestsProcess}).
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
    /** The in-process C loop, when {@code NCCLFFM_PERF_C_LOOP} names one; launch trials alternate with it. */
    private InProcessCLoop cLoop;

    PerfRunner(WorkerConfig config, Reporter reporter) {
        this.config = config;
        this.reporter = reporter;
    }

    /**
     * Iterations per size: enough to time 8 B calls to well under a microsecond, few for 1 GiB, and at most
     * {@code maxIters} (ranks sharing one GPU talk through sockets at milliseconds per call, where 1000 calls per
     * size would take the whole run). The C baseline computes the same counts (--iters auto, --max-iters).
     */
    static int iterations(long bytes, int maxIters) {
        long i = (256L << 20) / Math.max(1, bytes);
        return (int) Math.min(maxIters, Math.max(10, Math.min(1000, i)));
    }

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
            for (CheckSpec spec : List.of(LibraryChecks.load(s))) {
                if (reporter.run(spec).status() != CheckStatus.PASSED) return WorkerExit.CHECKS_FAILED;
            }
            // A blocking communicator, as the C baseline makes (ncclCommInitRank): a non-blocking one hands every
            // launch to NCCL's async machinery, which costs microseconds per small call and would be measured as
            // the binding's overhead.
            s.blockingCommunicator = true;
            for (CheckSpec spec : List.of(ExchangeChecks.uniqueId(s), CommunicatorChecks.init(s))) {
                CheckResult r = reporter.run(spec);
                if (r.status() != CheckStatus.PASSED) return WorkerExit.BROKEN;
            }
            String library = s.nccl.flavor().displayName() + " " + s.nccl.version();
            if (config.perfCLoop() != null) {
                CheckResult r = reporter.run(CheckSpec.of("perf/c-loop", "perf", Map.of("library", config.perfCLoop()),
                        () -> {
                            cLoop = InProcessCLoop.load(Path.of(config.perfCLoop()), Path.of(s.nccl.libraryPath()));
                            return Outcome.passed("in-process C loop " + config.perfCLoop() + " drives ncclAllReduce of " + s.nccl.libraryPath());
                        }));
                if (r.status() != CheckStatus.PASSED) return WorkerExit.BROKEN;
            }
            s.ensureBuffers(config.perfMaxBytes());
            s.device.fill(s.sendAddress(), (byte) 0x3c, config.perfMaxBytes());
            s.device.fill(s.recvAddress(), (byte) 0, config.perfMaxBytes());
            s.device.synchronizeDevice();
            List<Sweep> sweeps = new ArrayList<>();
            for (String dtype : config.perfDtypes()) {
                for (String collective : config.perfCollectives()) {
                    DataType type = DataType.fromName(dtype);
                    String gap = gap(collective, type, s.nccl.flavor(), s.nccl.version(), s.nccl::supports);
                    if (gap != null) {
                        reporter.run(CheckSpec.of("perf/" + collective + "/" + dtype, "perf",
                                Map.of("collective", collective, "dtype", dtype), () -> Outcome.skipped(Cause.RELEASE_GAP, gap)));
                    } else {
                        sweeps.add(new Sweep(collective, type));
                    }
                }
            }
            java.util.Set<String> warmed = new java.util.HashSet<>();
            for (Sweep sweep : sweeps) {
                // The JIT compiles the call path only after thousands of calls, so they are made off the clock before
                // the first (smallest) size is timed (the C baseline makes as many, for the GPU's clocks). They go
                // through the very loop that is timed, in chunks, so that the JIT compiles that method: a loop left to
                // the interpreter adds a per-call cost of its own, which would read as binding overhead.
                Call first = call(s, sweep, smallestCount(sweep), false);
                if (first == null) continue;
                if (warmed.add(sweep.collective())) {
                    reporter.progress("perf JIT warm-up " + sweep.collective());
                    for (int done = 0; done < jitWarmupCalls(config.perfMaxIters()); done += WARMUP_CHUNK) launches(s, first, WARMUP_CHUNK);
                    s.sync();
                }
                for (long bytes = 8; bytes <= config.perfMaxBytes(); bytes *= 2) {
                    long count = PerfPoint.elementsPerRank(sweep.collective(), bytes, config.world(), sweep.type().size());
                    if (count == 0) continue;  // too small for one element per rank; nccl-tests prints no such row either
                    long printed = PerfPoint.printedBytes(sweep.collective(), count, config.world(), sweep.type().size());
                    for (boolean inPlace : placements(sweep.collective())) {
                        Call c = call(s, sweep, count, inPlace);
                        reporter.progress("perf " + sweep.collective() + " " + sweep.type().shortName() + " " + printed + " B "
                                + (inPlace ? "in-place" : "out-of-place"));
                        double[][] launch = timeLaunches(s, c, printed);
                        emit(library, PerfPoint.JAVA, c, printed, "launch", launch[0]);
                        if (launch[1].length > 0) emit(library, PerfPoint.IN_PROCESS_C, c, printed, "launch", launch[1]);
                        emit(library, PerfPoint.JAVA, c, printed, "graph", timeGraph(s, c, printed));
                    }
                }
            }
            reporter.run(CommunicatorChecks.destroy(s));
            if (config.ncclTests() != null && config.rank() == 0) {
                new NcclTestsProcess(config, reporter, library, s.nccl.libraryPath()).runAll(sweeps);
            }
        } finally {
            if (cLoop != null) cLoop.close();
        }
        reporter.emit(reporter.done((System.nanoTime() - start) / 1_000_000));
        return reporter.failures() > 0 ? WorkerExit.CHECKS_FAILED : WorkerExit.ALL_PASSED;
    }

    /** One collective in one element type, as the cell asked for it. */
    record Sweep(String collective, DataType type) {
    }

    /**
     * Why {@code collective} in {@code type} cannot be timed on this release, or {@code null} when it can: bfloat16
     * needs NCCL 2.10; alltoall needs {@code ncclAlltoAll} (NCCL 2.28); sendrecv {@code ncclSend}/{@code ncclRecv}
     * (NCCL 2.7); broadcast {@code ncclBroadcast} (NCCL 2.2).
     */
    static String gap(String collective, DataType type, Flavor flavor, NcclVersion version, Predicate<Feature> exports) {
        if (!type.supportedBy(flavor, version)) {
            return type.shortName() + " needs " + flavor.displayName() + " " + type.since(flavor) + " or newer; this is "
                    + flavor.displayName() + " " + version;
        }
        Feature needed = switch (collective) {
            case PerfPoint.ALL_TO_ALL -> Feature.ALL_TO_ALL;
            case PerfPoint.SEND_RECV -> Feature.SEND_RECV;
            case PerfPoint.BROADCAST -> Feature.BROADCAST;
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
     * In place and out of place, as nccl-tests times them; alltoall and sendrecv out of place only: nccl-tests' own
     * in-place rows of those are unchecked ("we don't support in-place"), and NCCL gives in-place alltoall no meaning.
     */
    static boolean[] placements(String collective) {
        return switch (collective) {
            case PerfPoint.ALL_TO_ALL, PerfPoint.SEND_RECV -> new boolean[] {false};
            default -> new boolean[] {false, true};
        };
    }

    private long smallestCount(Sweep sweep) {
        for (long bytes = 8; bytes <= config.perfMaxBytes(); bytes *= 2) {
            long count = PerfPoint.elementsPerRank(sweep.collective(), bytes, config.world(), sweep.type().size());
            if (count > 0) return count;
        }
        return 0;
    }

    /**
     * One timed call's arguments, fixed before the loop so that the loop does nothing but call. {@code kind} is the
     * index in {@link PerfPoint#COLLECTIVES}, so that the loop switches on an int.
     */
    record Call(String collective, int kind, DataType type, long count, boolean inPlace, long send, long recv) {
    }

    /**
     * The call for {@code count} elements per rank in nccl-tests' buffer layout: in place, allGather sends from
     * its rank's block of the receive buffer and reduceScatter receives into its rank's block of the send buffer;
     * the rest use one buffer for both. {@code null} when {@code count} is 0.
     */
    private Call call(RankSession s, Sweep sweep, long count, boolean inPlace) {
        if (count == 0) return null;
        long send = s.sendAddress();
        long recv = s.recvAddress();
        long block = count * sweep.type().size() * config.rank();
        if (inPlace) {
            switch (sweep.collective()) {
                case PerfPoint.ALL_GATHER -> send = recv + block;
                case PerfPoint.REDUCE_SCATTER -> recv = send + block;
                default -> recv = send;
            }
        }
        return new Call(sweep.collective(), PerfPoint.COLLECTIVES.indexOf(sweep.collective()), sweep.type(), count, inPlace, send, recv);
    }

    /** One point: the median of the trials, and every trial, so that a regression check can weigh their spread. */
    private void emit(String library, String source, Call c, long bytes, String mode, double[] trialsUs) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("rank", Integer.toString(config.rank()));
        reporter.emit(new WorkerEvent.Perf(config.rank(), PerfPoint.ofTrials(library, source, config.world(),
                c.collective(), bytes, c.type().shortName(), c.inPlace() ? "in-place" : "out-of-place", mode,
                iterations(bytes), java.util.Arrays.stream(trialsUs).boxed().toList()), extra));
    }

    /** Calls per warm-up chunk: many invocations of {@link #launches}, so that it reaches the JIT's top tier. */
    static final int WARMUP_CHUNK = 100;

    /** The timed loop: {@code n} back-to-back calls, nothing else. Warm-up and every timing go through here. */
    private void launches(RankSession s, Call c, int n) {
        for (int i = 0; i < n; i++) once(s, c);
    }

    private void once(RankSession s, Call c) {
        long stream = s.stream.address();
        switch (c.kind()) {
            case 0 -> s.comm.allReduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case 1 -> s.comm.allGather(c.send(), c.recv(), c.count(), c.type(), stream);
            case 2 -> s.comm.reduceScatter(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case 3 -> s.comm.broadcast(c.send(), c.recv(), c.count(), c.type(), 0, stream);
            case 4 -> s.comm.reduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, 0, stream);
            case 5 -> s.comm.allToAll(c.send(), c.recv(), c.count(), c.type(), stream);
            case 6 -> {
                // nccl-tests' sendrecv_perf: each rank sends to the next and receives from the previous, in one group
                s.nccl.groupStart();
                try {
                    s.comm.send(c.send(), c.count(), c.type(), nextRank(), stream);
                    s.comm.recv(c.recv(), c.count(), c.type(), previousRank(), stream);
                } finally {
                    s.nccl.groupEnd();
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
     * @return the binding's trials, and the in-process C loop's when there is one with a loop for the collective (its
     *         trials alternate with the binding's, C first), else an empty array
     */
    private double[][] timeLaunches(RankSession s, Call c, long bytes) {
        int iters = iterations(bytes);
        boolean withC = cLoop != null && cLoop.has(c.collective());
        launches(s, c, warmup(bytes));
        if (withC) cLaunches(s, c, warmup(bytes));
        s.sync();
        double[] java = new double[config.perfTrials()];
        double[] cTrials = new double[config.perfTrials()];
        try (DeviceEvent begin = s.device.createEvent(); DeviceEvent end = s.device.createEvent()) {
            for (int t = 0; t < java.length; t++) {
                if (withC) cTrials[t] = perCall(s, begin, end, iters, () -> cLaunches(s, c, iters));
                java[t] = perCall(s, begin, end, iters, () -> launches(s, c, iters));
            }
        }
        return new double[][] {java, withC ? cTrials : new double[0]};
    }

    /** The rank a sendrecv sends to: the next one in the ring. */
    private int nextRank() {
        return (config.rank() + 1) % config.world();
    }

    /** The rank a sendrecv receives from: the previous one in the ring. */
    private int previousRank() {
        return (config.rank() - 1 + config.world()) % config.world();
    }

    /** {@code n} calls from the in-process C loop, with exactly the arguments {@link #once} passes. */
    private void cLaunches(RankSession s, Call c, int n) {
        if (c.collective().equals(PerfPoint.SEND_RECV)) {
            cLoop.sendRecv(c.send(), c.recv(), c.count(), c.type().code(), nextRank(), previousRank(),
                    s.comm.address(), s.stream.address(), n);
            return;
        }
        int sum = ReduceOp.SUM.code();
        // the same reduction and root as once(): SUM, root 0
        int opOrRoot = c.collective().equals(PerfPoint.BROADCAST) ? 0 : sum;
        cLoop.collective(c.collective(), c.send(), c.recv(), c.count(), c.type().code(), opOrRoot, 0, s.comm.address(),
                s.stream.address(), n);
    }

    /**
     * Microseconds per call when {@code iterations} calls are captured into one graph, launched once untimed, then
     * replayed {@code trials} times, each between two events; every trial.
     */
    private double[] timeGraph(RankSession s, Call c, long bytes) {
        int iters = iterations(bytes);
        s.device.beginCapture(s.stream);
        launches(s, c, iters);
        double[] trials = new double[config.perfTrials()];
        try (CapturedGraph graph = s.device.endCapture(s.stream);
             DeviceEvent begin = s.device.createEvent(); DeviceEvent end = s.device.createEvent()) {
            graph.launch(s.stream);
            s.sync();
            for (int t = 0; t < trials.length; t++) trials[t] = perCall(s, begin, end, iters, () -> graph.launch(s.stream));
        }
        return trials;
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
