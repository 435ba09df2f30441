package io.ncclffm.harness.worker;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Nccl;
import io.ncclffm.ReduceOp;
import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * Perf mode's timed loop: back-to-back calls of one collective between two device events, from the binding and, when
 * the side has one, from its in-process C loop, launched or replayed from a CUDA graph. The loop, iteration counts and
 * timing are the C baseline's ({@code perf/c-baseline}), so that the two can be compared in one run.
 *
 * <p>With the perf baseline's library beside the cell's own ({@code against}), each trial is taken from both sides,
 * one right after the other, the baseline first in even trials and second in odd ones ({@link #inTurns}); within a
 * side, C and the binding take turns the same way.
 */
final class CollectiveTimer {

    /**
     * One library as perf mode times it: its binding instance, its communicator, and the C loop driving that same
     * library's functions (or {@code null} without a loop).
     */
    record Side(String library, Nccl nccl, Communicator comm, InProcessCLoop cLoop) {

        /** Whether this side's C loop can time {@code collective}. */
        boolean timesFromC(Collective collective) {
            return cLoop != null && cLoop.has(collective);
        }
    }

    /**
     * One timed call's arguments, fixed before the loop so that the loop does nothing but call.
     *
     * @param count elements per rank, in nccl-tests' size convention ({@link Collective#elementsPerRank})
     */
    record Call(Collective collective, DataType type, long count, Placement placement, long send, long recv) {
    }

    /** One size's launch trials: the cell's own from Java and C, and the perf baseline's beside them (empty without). */
    record Launches(double[] java, double[] c, double[] baselineJava, double[] baselineC) {
    }

    /** One size's graph-replay trials: the cell's own, and the perf baseline's (empty without). */
    record Replays(double[] own, double[] baseline) {
    }

    private final WorkerConfig config;
    private final WorkerConfig.Perf perf;
    private final RankSession session;
    private final Side own;

    CollectiveTimer(WorkerConfig config, RankSession session, Side own) {
        this.config = config;
        this.perf = config.perf().orElseThrow(() -> new IllegalArgumentException("a worker in check mode has no perf settings"));
        this.session = session;
        this.own = own;
    }

    /**
     * The call for {@code count} elements per rank in nccl-tests' buffer layout: in place, allGather sends from its
     * rank's block of the receive buffer and reduceScatter receives into its rank's block of the send buffer; the
     * rest use one buffer for both.
     */
    Call call(Collective collective, DataType type, long count, Placement placement) {
        long send = session.sendAddress();
        long recv = session.recvAddress();
        long block = count * type.size() * config.rank();
        if (placement == Placement.IN_PLACE) {
            switch (collective) {
                case ALL_GATHER -> send = recv + block;
                case REDUCE_SCATTER -> recv = send + block;
                default -> recv = send;
            }
        }
        return new Call(collective, type, count, placement, send, recv);
    }

    /** The timed loop: {@code n} back-to-back calls, nothing else. Warm-up and every timing go through here. */
    void launches(Side side, Call c, int n) {
        for (int i = 0; i < n; i++) once(side, c);
    }

    private void once(Side side, Call c) {
        long stream = session.stream.address();
        Communicator comm = side.comm();
        switch (c.collective()) {
            case ALL_REDUCE -> comm.allReduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case ALL_GATHER -> comm.allGather(c.send(), c.recv(), c.count(), c.type(), stream);
            case REDUCE_SCATTER -> comm.reduceScatter(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, stream);
            case BROADCAST -> comm.broadcast(c.send(), c.recv(), c.count(), c.type(), 0, stream);
            case REDUCE -> comm.reduce(c.send(), c.recv(), c.count(), c.type(), ReduceOp.SUM, 0, stream);
            case ALL_TO_ALL -> comm.allToAll(c.send(), c.recv(), c.count(), c.type(), stream);
            case SEND_RECV -> sendRecv(side, c, stream);
        }
    }

    /** nccl-tests' sendrecv_perf: each rank sends to the next and receives from the previous, in one group. */
    private void sendRecv(Side side, Call c, long stream) {
        side.nccl().groupStart();
        try {
            side.comm().send(c.send(), c.count(), c.type(), nextRank(), stream);
            side.comm().recv(c.recv(), c.count(), c.type(), previousRank(), stream);
        } finally {
            side.nccl().groupEnd();
        }
    }

    /** {@code n} calls from the side's in-process C loop, with exactly the arguments {@link #once} passes. */
    private void cLaunches(Side side, Call c, int n) {
        InProcessCLoop loop = side.cLoop();
        long comm = side.comm().address();
        long stream = session.stream.address();
        if (c.collective() == Collective.SEND_RECV) {
            loop.sendRecv(c.send(), c.recv(), c.count(), c.type().code(), nextRank(), previousRank(), comm, stream, n);
            return;
        }
        // the same reduction and root as once(): SUM, root 0
        int opOrRoot = c.collective() == Collective.BROADCAST ? 0 : ReduceOp.SUM.code();
        loop.collective(c.collective(), c.send(), c.recv(), c.count(), c.type().code(), opOrRoot, 0, comm, stream, n);
    }

    /**
     * Microseconds per call: {@code iterations} back-to-back calls between two device events, after {@code warmup}
     * untimed ones, repeated {@code trials} times; every trial. With several ranks a single trial is at the mercy of
     * host jitter on any rank, in C as in Java; the median of several is what one release or binding is compared on.
     * The C baseline does the same (--trials).
     *
     * @return the binding's trials, and the in-process C loop's when the side has a loop for the collective (its
     *         trials alternate with the binding's, C first in even trials), else an empty array; the same of the perf
     *         baseline, empty without one
     */
    Launches timeLaunches(Call c, int iterations, int warmup, Side against) {
        boolean withC = own.timesFromC(c.collective());
        boolean againstC = against != null && against.timesFromC(c.collective());
        warm(own, withC, c, warmup);
        if (against != null) warm(against, againstC, c, warmup);
        session.sync();
        int trials = perf.trials();
        Launches out = new Launches(new double[trials], new double[withC ? trials : 0],
                new double[against == null ? 0 : trials], new double[againstC ? trials : 0]);
        try (DeviceEvent begin = session.device.createEvent(); DeviceEvent end = session.device.createEvent()) {
            Events events = new Events(begin, end);
            for (int t = 0; t < trials; t++) {
                int trial = t;
                inTurns(t, against == null ? null : () -> trial(events, iterations, against, againstC, c, trial, out.baselineJava(), out.baselineC()),
                        () -> trial(events, iterations, own, withC, c, trial, out.java(), out.c()));
            }
        }
        return out;
    }

    private void warm(Side side, boolean withC, Call c, int warmup) {
        launches(side, c, warmup);
        if (withC) cLaunches(side, c, warmup);
    }

    /** The two events a trial is timed between. */
    private record Events(DeviceEvent begin, DeviceEvent end) {
    }

    /**
     * One side's trial {@code t}: its C loop's (when {@code withC}) and the binding's, C first in even trials and
     * second in odd ones, so that whatever the second of two back-to-back timings pays falls on both alike.
     */
    private void trial(Events events, int iterations, Side side, boolean withC, Call c, int t, double[] java, double[] cTrials) {
        inTurns(t, withC ? () -> cTrials[t] = perCall(events, iterations, () -> cLaunches(side, c, iterations)) : null,
                () -> java[t] = perCall(events, iterations, () -> launches(side, c, iterations)));
    }

    /**
     * Microseconds per call when {@code iterations} calls are captured into one graph, launched once untimed, then
     * replayed {@code trials} times, each between two events; every trial. With the perf baseline beside the cell's
     * library ({@code against}), a graph of each is captured and their replays alternate as launches do.
     */
    Replays timeGraph(Call c, int iterations, Side against) {
        int trials = perf.trials();
        Replays out = new Replays(new double[trials], new double[against == null ? 0 : trials]);
        try (CapturedGraph graph = capture(own, c, iterations);
             CapturedGraph other = against == null ? null : capture(against, c, iterations);
             DeviceEvent begin = session.device.createEvent(); DeviceEvent end = session.device.createEvent()) {
            Events events = new Events(begin, end);
            graph.launch(session.stream);
            if (other != null) other.launch(session.stream);
            session.sync();
            for (int t = 0; t < trials; t++) {
                int trial = t;
                inTurns(t, other == null ? null : () -> out.baseline()[trial] = perCall(events, iterations, () -> other.launch(session.stream)),
                        () -> out.own()[trial] = perCall(events, iterations, () -> graph.launch(session.stream)));
            }
        }
        return out;
    }

    private CapturedGraph capture(Side side, Call c, int iterations) {
        session.device.beginCapture(session.stream);
        launches(side, c, iterations);
        return session.device.endCapture(session.stream);
    }

    /** One trial: microseconds per call of {@code enqueue}, which puts {@code iterations} of them on the stream. */
    private double perCall(Events events, int iterations, Runnable enqueue) {
        events.begin().record(session.stream);
        enqueue.run();
        events.end().record(session.stream);
        session.sync();
        return events.end().elapsedSince(events.begin()) * 1000.0 / iterations;
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

    /** The rank a sendrecv sends to: the next one in the ring. */
    private int nextRank() {
        return (config.rank() + 1) % config.world();
    }

    /** The rank a sendrecv receives from: the previous one in the ring. */
    private int previousRank() {
        return (config.rank() - 1 + config.world()) % config.world();
    }
}
