package io.ncclffm.harness.worker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;
import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.harness.model.CheckResult;
import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.WorkerEvent;
import io.ncclffm.harness.model.WorkerExitCode;
import io.ncclffm.harness.perf.PerfPoint;

/**
 * Perf mode: float32 sum allReduce from 8 B up to {@code NCCLFFM_PERF_MAX_BYTES}, doubling; in place and out of
 * place; plain launches and CUDA-graph replay. The loop, iteration counts and timing are the same as the C
 * baseline's ({@code perf/c-baseline}), so the two can be compared in one run.
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

    int run() {
        long start = System.nanoTime();
        try (RankSession s = new RankSession(config)) {
            for (CheckSpec spec : List.of(LibraryChecks.load(s))) {
                if (reporter.run(spec).status() != CheckStatus.PASSED) return WorkerExitCode.CHECKS_FAILED;
            }
            // A blocking communicator, as the C baseline makes (ncclCommInitRank): a non-blocking one hands every
            // launch to NCCL's async machinery, which costs microseconds per small call and would be measured as
            // the binding's overhead.
            s.blockingCommunicator = true;
            for (CheckSpec spec : List.of(ExchangeChecks.uniqueId(s), CommunicatorChecks.init(s))) {
                CheckResult r = reporter.run(spec);
                if (r.status() != CheckStatus.PASSED) return WorkerExitCode.BROKEN;
            }
            String library = s.nccl.flavor().displayName() + " " + s.nccl.version();
            if (config.perfCLoop() != null) {
                CheckResult r = reporter.run(CheckSpec.of("perf/c-loop", "perf", Map.of("library", config.perfCLoop()),
                        () -> {
                            cLoop = InProcessCLoop.load(Path.of(config.perfCLoop()), Path.of(s.nccl.libraryPath()));
                            return Outcome.passed("in-process C loop " + config.perfCLoop() + " drives ncclAllReduce of " + s.nccl.libraryPath());
                        }));
                if (r.status() != CheckStatus.PASSED) return WorkerExitCode.BROKEN;
            }
            s.ensureBuffers(config.perfMaxBytes());
            s.device.fill(s.sendAddress(), (byte) 0x3c, config.perfMaxBytes());
            s.device.fill(s.recvAddress(), (byte) 0, config.perfMaxBytes());
            s.device.synchronizeDevice();
            // The JIT compiles the call path only after thousands of calls, so they are made off the clock before
            // the first (8-byte) size is timed (the C baseline makes as many, for the GPU's clocks). They go through
            // the very loop that is timed, in chunks, so that the JIT compiles that method: a loop left to the
            // interpreter adds its own per-call cost, which an earlier run measured as binding overhead.
            reporter.progress("perf JIT warm-up");
            for (int done = 0; done < jitWarmupCalls(config.perfMaxIters()); done += WARMUP_CHUNK) launches(s, 8, false, WARMUP_CHUNK);
            s.sync();
            for (long bytes = 8; bytes <= config.perfMaxBytes(); bytes *= 2) {
                for (boolean inPlace : new boolean[] {false, true}) {
                    reporter.progress("perf " + bytes + " B " + (inPlace ? "in-place" : "out-of-place"));
                    double[][] launch = timeLaunches(s, bytes, inPlace);
                    emit(library, bytes, inPlace, "launch", launch[0]);
                    if (cLoop != null) emit(library, PerfPoint.IN_PROCESS_C, bytes, inPlace, "launch", launch[1]);
                    emit(library, bytes, inPlace, "graph", timeGraph(s, bytes, inPlace));
                }
            }
            reporter.run(CommunicatorChecks.destroy(s));
        } finally {
            if (cLoop != null) cLoop.close();
        }
        reporter.emit(reporter.done((System.nanoTime() - start) / 1_000_000));
        return reporter.failures() > 0 ? WorkerExitCode.CHECKS_FAILED : WorkerExitCode.ALL_PASSED;
    }

    private void emit(String library, long bytes, boolean inPlace, String mode, double[] trialsUs) {
        emit(library, PerfPoint.JAVA, bytes, inPlace, mode, trialsUs);
    }

    /** One point: the median of the trials, and every trial, so that a regression check can weigh their spread. */
    private void emit(String library, String source, long bytes, boolean inPlace, String mode, double[] trialsUs) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("rank", Integer.toString(config.rank()));
        reporter.emit(new WorkerEvent.Perf(config.rank(), PerfPoint.ofTrials(library, source, config.world(),
                PerfPoint.ALL_REDUCE, bytes, DataType.FLOAT32.shortName(), inPlace ? "in-place" : "out-of-place", mode,
                iterations(bytes), java.util.Arrays.stream(trialsUs).boxed().toList()), extra));
    }

    /** Calls per warm-up chunk: many invocations of {@link #launches}, so that it reaches the JIT's top tier. */
    static final int WARMUP_CHUNK = 100;

    /** The timed loop: {@code n} back-to-back calls, nothing else. Warm-up and every timing go through here. */
    private void launches(RankSession s, long bytes, boolean inPlace, int n) {
        for (int i = 0; i < n; i++) allReduce(s, bytes, inPlace);
    }

    private void allReduce(RankSession s, long bytes, boolean inPlace) {
        long send = s.sendAddress();
        s.comm.allReduce(send, inPlace ? send : s.recvAddress(), bytes / 4, DataType.FLOAT32, ReduceOp.SUM, s.stream.address());
    }

    /**
     * Microseconds per call: {@code iterations} back-to-back calls between two device events, repeated
     * {@code trials} times; the median trial. With several ranks a single trial is at the mercy of host jitter on
     * any rank (launch latencies of one size were seen anywhere from 7 to 13 µs, in C as in Java); the median of
     * several is what one release or binding is compared on. The C baseline does the same (--trials).
     *
     * @return the binding's trials, and the in-process C loop's when there is one (its trials alternate with the
     *         binding's, C first), else an empty array
     */
    private double[][] timeLaunches(RankSession s, long bytes, boolean inPlace) {
        int iters = iterations(bytes);
        launches(s, bytes, inPlace, warmup(bytes));
        if (cLoop != null) cLaunches(s, bytes, inPlace, warmup(bytes));
        s.sync();
        double[] java = new double[config.perfTrials()];
        double[] c = new double[config.perfTrials()];
        try (DeviceEvent begin = s.device.createEvent(); DeviceEvent end = s.device.createEvent()) {
            for (int t = 0; t < java.length; t++) {
                if (cLoop != null) c[t] = perCall(s, begin, end, iters, () -> cLaunches(s, bytes, inPlace, iters));
                java[t] = perCall(s, begin, end, iters, () -> launches(s, bytes, inPlace, iters));
            }
        }
        return new double[][] {java, cLoop != null ? c : new double[0]};
    }

    /** {@code n} calls from the in-process C loop, with exactly the arguments {@link #allReduce} passes. */
    private void cLaunches(RankSession s, long bytes, boolean inPlace, int n) {
        long send = s.sendAddress();
        cLoop.allReduce(send, inPlace ? send : s.recvAddress(), bytes / 4, DataType.FLOAT32.code(), ReduceOp.SUM.code(),
                s.comm.address(), s.stream.address(), n);
    }

    /**
     * Microseconds per call when {@code iterations} calls are captured into one graph, launched once untimed, then
     * replayed {@code trials} times, each between two events; every trial.
     */
    private double[] timeGraph(RankSession s, long bytes, boolean inPlace) {
        int iters = iterations(bytes);
        s.device.beginCapture(s.stream);
        launches(s, bytes, inPlace, iters);
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
