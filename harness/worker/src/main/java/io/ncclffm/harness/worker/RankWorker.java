package io.ncclffm.harness.worker;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.SlurmTask;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/**
 * The program every rank runs, as a local process or inside a container: it checks one library build with one
 * communicator and streams each result as a JSON line on the pipe the launcher gave it as standard output, which
 * it takes for itself before loading anything ({@link EventChannel}); whatever else the process prints, NCCL's log
 * included, goes to standard error. The exit code says whether everything passed ({@link WorkerExit}).
 *
 * <p>Configuration comes from the environment ({@link WorkerConfig}); the library from {@code NCCLFFM_SO_PATH}.
 *
 * <p>A call into the library that overruns its bound ends the rank at once ({@link CallGuard}): the rank reports the
 * check it hung in, the rest of its plan as not run, and exits. A call NCCL never returns from cannot be recovered
 * in the process, so no communicator is re-created after one.
 */
public final class RankWorker {

    private final WorkerConfig config;
    private final Reporter reporter;
    /** Ends the process with an exit status, once everything worth keeping has been written. */
    private final Consumer<WorkerExit> exit;
    private final long start = System.nanoTime();

    RankWorker(WorkerConfig config, PrintStream out) {
        this(config, out, code -> halt(out, code));
    }

    /** @param exit ends the rank after a call that did not return; a test records the status instead */
    RankWorker(WorkerConfig config, PrintStream out, Consumer<WorkerExit> exit) {
        this.config = config;
        this.reporter = new Reporter(config.rank(), out);
        this.exit = exit;
    }

    public static void main(String[] args) {
        PrintStream out;
        // A Slurm task's identity is Slurm's, and its events go through srun in pieces (SlurmTask, TaskLines).
        boolean slurm = SlurmTask.applies(System.getenv());
        try {
            out = EventChannel.claimStandardOutput(slurm);
        } catch (RuntimeException e) {
            int rank = ownRank();
            new Reporter(rank, System.out).emit(new WorkerEvent.Fatal(rank, "cannot open the event channel: " + e.getMessage(), null));
            halt(WorkerExit.BROKEN);
            return;
        }
        try {
            PrivateTmpdir.ensure();
        } catch (java.io.IOException | RuntimeException e) {
            int rank = ownRank();
            new Reporter(rank, out).emit(new WorkerEvent.Fatal(rank, "no private temporary folder for the native libraries the worker"
                    + " loads (" + System.getProperty(PrivateTmpdir.PROPERTY) + " is not private and none can be made in it): " + e, null));
            halt(out, WorkerExit.BROKEN);
            return;
        }
        WorkerConfig config;
        try {
            config = WorkerConfig.fromEnvironment(slurm ? SlurmTask.taskEnvironment(System.getenv()) : System.getenv());
        } catch (IllegalArgumentException e) {
            int rank = ownRank();
            new Reporter(rank, out).emit(new WorkerEvent.Fatal(rank, "bad worker configuration: " + e.getMessage(), null));
            halt(out, WorkerExit.BROKEN);
            return;
        }
        Watchdog.start(config, new Reporter(config.rank(), out));
        Lifeline.start(config);
        WorkerExit code;
        try {
            code = config.mode() == WorkerConfig.Mode.PERF
                    ? new PerfRunner(config, new Reporter(config.rank(), out)).run()
                    : new RankWorker(config, out).run();
        } catch (Throwable t) {
            new Reporter(config.rank(), out).emit(new WorkerEvent.Fatal(config.rank(), t.toString(), stackTrace(t)));
            code = WorkerExit.BROKEN;
        }
        halt(out, code);
    }

    /**
     * Exits without running NCCL's or the JVM's shutdown work, which can block on a peer that is gone. Everything
     * worth keeping has been printed and flushed by now.
     */
    static void halt(PrintStream events, WorkerExit exit) {
        events.flush();
        halt(exit);
    }

    static void halt(WorkerExit exit) {
        PrivateTmpdir.removeMade();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exit.code());
    }

    /** The rank for a report before the configuration is read: the launcher's, or Slurm's for a Slurm task. */
    private static int ownRank() {
        return parseRankOrMinusOne(System.getenv(SlurmTask.applies(System.getenv()) ? "SLURM_PROCID" : WorkerConfig.RANK));
    }

    private static int parseRankOrMinusOne(String s) {
        try {
            return s == null ? -1 : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    WorkerExit run() {
        reporter.emit(hello(config));
        // The guard outlives the session, whose close aborts a communicator left open.
        try (CallGuard guard = guard(Thread.currentThread())) {
            try (RankSession session = new RankSession(config, reporter::emit)) {
                CheckResult load = reporter.run(new CheckBodies(session).spec(CheckCatalog.entry(CheckKey.Library.LOAD, config)));
                if (load.status() != CheckStatus.PASSED) {
                    reporter.emit(reporter.done(millis()));
                    return exitCode();
                }
                List<Step> plan = plan(session);
                announce(plan);
                runSteps(session, plan);
            }
            reporter.emit(reporter.done(millis()));
        }
        return exitCode();
    }

    private long millis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Sends the plan, and keeps it for a rank that must end before it has run all of it. */
    void announce(List<Step> plan) {
        reporter.planned(plan.stream().map(Step::spec).toList());
        reporter.emit(planEvent(plan));
    }

    /** Starts watching {@code checkThread}, the thread that runs the checks, for a call that does not return. */
    CallGuard guard(Thread checkThread) {
        return CallGuard.start(checkThread, config, this::endAfterHungCall);
    }

    /**
     * Ends the rank after {@code hung}, unless {@code stillInCall} says the call returned after all: the rank reports
     * it ({@link Reporter#endAfterHungCall}) and exits. Holding the reporter while it does keeps the check thread from
     * reporting anything in between, should the call return at the last moment.
     *
     * @return whether the rank was ended
     */
    boolean endAfterHungCall(CallGuard.HungCall hung, BooleanSupplier stillInCall) {
        WorkerExit code;
        synchronized (reporter) {
            if (reporter.ended() || !stillInCall.getAsBoolean()) return false;
            code = reporter.endAfterHungCall(hung, millis());
        }
        exit.accept(code);
        return true;
    }

    /** The exit for what was reported ({@link WorkerExit#forResults}). */
    WorkerExit exitCode() {
        return reporter.exit();
    }

    void runSteps(RankSession session, List<Step> plan) {
        for (Step step : plan) {
            if (reporter.ended()) return;
            runStep(session, step);
        }
    }

    /**
     * One planned check: skipped with the gap when the release or device lacks what it needs (or the cell has no
     * GPU), blocked when what it depends on failed, else run; a collective that timed out or left the
     * communicator broken gets the communicator re-created so that the checks after it still run. A check that saw a
     * call not return (on a thread of its own, {@link Reporter#HUNG_CALL}) ends the rank instead.
     */
    private void runStep(RankSession session, Step step) {
        if (step.needs == Needs.GPU) {
            reporter.notRun(step.spec, Capabilities.withoutGpu(session, step.spec));
            return;
        }
        Gap gap = Capabilities.gap(session, step.spec);
        if (gap != null) {
            reporter.notRun(step.spec, gap);
            return;
        }
        String blocker = step.needs.blocker(session);
        if (blocker != null) {
            reporter.notRun(step.spec, Cause.BLOCKED, "not run: " + blocker);
            return;
        }
        CheckResult r = reporter.run(step.spec);
        if (reporter.ended()) return;
        String hungCall = r.data().get(Reporter.HUNG_CALL);
        if (hungCall != null) {
            Duration bound = Duration.ofMillis(Long.parseLong(r.data().get(Reporter.HUNG_CALL_BOUND_MS)));
            endAfterHungCall(new CallGuard.HungCall(hungCall, bound, "the bound of " + r.id()), () -> true);
            return;
        }
        if (r.status() == CheckStatus.PASSED && step.recreateIfBroken) session.recreatesSincePass = 0;
        boolean notPassed = r.status() == CheckStatus.FAILED || r.status() == CheckStatus.BROKEN;
        if (notPassed && step.blocksOnFailure != null) {
            session.blocker = step.blocksOnFailure + " (" + r.status().name().toLowerCase() + ")";
        }
        if (notPassed && step.recreateIfBroken && session.blocker == null) {
            boolean timedOut = r.cause() == Cause.TIMEOUT;
            if (timedOut || session.communicatorBroken()) {
                recreate(session, r.id(), timedOut, rejectedCall(r));
            }
        }
    }

    /**
     * A communicator that an NCCL error left unusable (a non-blocking communicator keeps its first error) is
     * replaced as often as that happens, up to this many times in all: each is one rejected call, not a hang.
     */
    static final int MAX_RECREATES_AFTER_ERRORS = 64;

    /** Whether NCCL rejected the check's call outright (ncclInvalidArgument or ncclInvalidUsage). */
    static boolean rejectedCall(CheckResult r) {
        return r.cause() == Cause.NCCL_ERROR && r.ncclResult() != null && r.ncclResult().rejectedTheCall();
    }

    /**
     * Replaces the communicator after {@code after} timed out or left it broken. Timeouts (an abort, each costing
     * the collective timeout) are bounded by {@link WorkerConfig.Checks#maxRecreates()}; communicators left broken by an
     * NCCL error by {@link #MAX_RECREATES_AFTER_ERRORS}. Past either, every later check that needs it is blocked.
     */
    private void recreate(RankSession session, String after, boolean timedOut, boolean rejected) {
        String how = timedOut ? "timed out" : "left it broken";
        int limit = timedOut ? config.checks().maxRecreates() : MAX_RECREATES_AFTER_ERRORS;
        int used = timedOut ? session.recreatesAfterTimeouts : session.generation;
        // A rejected call (fp8 avg on one rank, say) is that call's gap; only failures of calls NCCL accepted count
        // towards giving up on fresh communicators.
        if (!rejected && session.recreatesSincePass > 0 && session.recreatesSincePass >= config.checks().maxRecreates()) {
            // Fresh communicators that fail again before anything passes: the library cannot run collectives here.
            session.blocker = "the communicator was re-created " + session.recreatesSincePass + " time(s) in a row and every"
                    + " collective since failed (" + WorkerConfig.MAX_RECREATES + " = " + config.checks().maxRecreates() + "); the last"
                    + " was after " + session.lastRecreatedAfter;
            reporter.progress("not re-creating the communicator after " + after + " " + how + ": " + session.recreatesSincePass
                    + " re-creation(s) in a row without a passing collective");
            return;
        }
        if (used >= limit) {
            session.blocker = "the communicator is unusable after " + after + " " + how + ", and the limit of " + limit
                    + " re-creation(s) (" + WorkerConfig.MAX_RECREATES + ") is reached"
                    + (session.lastRecreatedAfter != null ? "; the last was after " + session.lastRecreatedAfter : "");
            reporter.progress("not re-creating the communicator after " + after + " " + how + ": limit of " + limit
                    + " re-creation(s) reached");
            return;
        }
        reporter.progress("re-creating the communicator (" + (used + 1) + " of at most " + limit
                + (timedOut ? " after timeouts" : " after errors") + ") after " + after + " " + how);
        try {
            session.recreateCommunicator();
            if (timedOut) session.recreatesAfterTimeouts++;
            if (!rejected) session.recreatesSincePass++;
            session.lastRecreatedAfter = after;
            reporter.progress("communicator re-created after " + after + ": generation " + session.generation);
        } catch (RuntimeException e) {
            session.blocker = "the communicator is unusable after " + after + " " + how + " and could not be re-created: "
                    + e.getMessage();
        }
    }

    /** What a step needs from the session; returns why it cannot run, or {@code null}. */
    enum Needs {
        LIBRARY, UNIQUE_ID, COMMUNICATOR,
        /** Planned on a machine without a GPU: reported as skipped with the reason, never run. */
        GPU;

        String blocker(RankSession s) {
            if (s.blocker != null && this != LIBRARY) return s.blocker;
            if (this == UNIQUE_ID && s.uniqueId == null) return "no unique ID";
            if (this == COMMUNICATOR && (s.comm == null || !s.comm.isOpen())) {
                return s.blocker != null ? s.blocker : "no open communicator";
            }
            return null;
        }
    }

    /**
     * @param blocksOnFailure  what later checks are told when this one does not pass, or {@code null}
     * @param recreateIfBroken whether a timeout or a broken communicator after this check gets a new communicator
     */
    record Step(CheckSpec spec, Needs needs, String blocksOnFailure, boolean recreateIfBroken) {

        Step(CheckSpec spec, Needs needs, String blocksOnFailure) {
            this(spec, needs, blocksOnFailure, false);
        }

        static Step collective(CheckSpec spec, Needs needs) {
            return new Step(spec, needs, null, true);
        }
    }

    /** The plan as the rank announces it: every step's check, in the order the steps run. */
    WorkerEvent.Plan planEvent(List<Step> plan) {
        return new WorkerEvent.Plan(config.rank(), plan.stream().map(st -> st.spec.planned()).toList());
    }

    /** The catalog's plan for this rank, each check with its body and what it needs from the checks before it. */
    List<Step> plan(RankSession s) {
        CheckBodies bodies = new CheckBodies(s);
        boolean gpu = config.identity().gpu() != WorkerConfig.Gpu.NONE;
        return CheckCatalog.plan(config).stream().map(e -> step(bodies.spec(e), e.key(), gpu)).toList();
    }

    /**
     * What a check needs: the library checks only the library; the unique-ID exchange and a communicator's forming
     * block what follows them when they fail; the checks on the communicator need it, get a new one when they
     * leave it broken, and on a cell without a GPU are reported as skipped for that.
     */
    private static Step step(CheckSpec spec, CheckKey key, boolean gpu) {
        return switch (key) {
            case CheckKey.Library l -> new Step(spec, Needs.LIBRARY, null);
            case CheckKey.Lifecycle l -> switch (l) {
                case UNIQUE_ID -> new Step(spec, Needs.LIBRARY, "the unique-ID exchange did not complete");
                case INIT -> new Step(spec, Needs.UNIQUE_ID, "the communicator did not form");
                case INIT_WITHOUT_GPU -> new Step(spec, Needs.UNIQUE_ID, null);
                // A communicator of its own, so it needs the library only; but a GPU to form it on.
                case ABORT_HUNG_INIT -> new Step(spec, gpu ? Needs.LIBRARY : Needs.GPU, null);
                case DESTROY -> new Step(spec, Needs.COMMUNICATOR, null);
            };
            case CheckKey.OnCommunicator c -> Step.collective(spec, gpu ? Needs.COMMUNICATOR : Needs.GPU);
        };
    }

    /**
     * The first event of every rank, in either mode: who is speaking, from which process and host, with the
     * NCCL and GPU variables it sees (never the rendezvous token). The controller trusts no event before it.
     */
    static WorkerEvent.Hello hello(WorkerConfig config) {
        Map<String, String> env = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if ((k.startsWith("NCCL") || k.startsWith("CUDA_") || k.startsWith("HIP_") || k.startsWith("ROCR_"))
                    && !k.equals(WorkerConfig.TOKEN)) {
                env.put(k, v);
            }
        });
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        return new WorkerEvent.Hello(config.rank(), config.world(), ProcessHandle.current().pid(), host,
                Runtime.version().toString(), env);
    }
}
