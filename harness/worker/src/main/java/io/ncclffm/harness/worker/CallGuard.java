package io.ncclffm.harness.worker;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * Watches the thread that runs a rank's checks for a call into the library that does not return. The binding bounds
 * every wait it makes in Java (a non-blocking communicator's polls, the stream sync), but not a C function that
 * blocks inside itself: {@code ncclCommAbort}, {@code ncclCommDestroy}, an init or a collective of a library that
 * never returns. Nothing in the process can end such a call, and whatever tries to go on (re-creating the
 * communicator, aborting it) blocks on the same library; so once a call has overrun its bound the rank must end
 * ({@link Handler}), and the guard says which call it was.
 *
 * <p>A daemon thread looks at the watched thread's stack every {@link #SAMPLE_INTERVAL}. The watched thread is in
 * a call when its top frame outside the JDK (a downcall's own frames are the JDK's) is a method of the binding's raw
 * layer, which is named after the C function. The call is the same one while the whole stack stays the same from
 * sample to sample; when that has lasted the call's bound ({@link #boundOf}), the handler is told. A polling loop
 * makes the same call from the same line again and again, but pauses between calls (the binding's waits park), so
 * it is not seen inside the call at every sample over a bound of seconds. A loop that called one function with no
 * pause for as long as a bound would look like one call; no check makes one, and perf mode, which times such loops,
 * is not watched.
 */
final class CallGuard implements AutoCloseable {

    /** How often the watched thread's stack is looked at: how late, at most, a hung call is noticed. */
    static final Duration SAMPLE_INTERVAL = Duration.ofMillis(200);

    /** The binding's raw layer: one method per C function, named as nccl.h names it, doing nothing but the call. */
    private static final Set<String> RAW_LAYER = Set.of("io.ncclffm.internal.NcclCoreApi", "io.ncclffm.internal.NcclCollectiveApi");

    /**
     * A call that has not returned within its bound.
     *
     * @param call      the C function
     * @param bound     how long it was allowed
     * @param boundName which setting that bound is, in words
     */
    record HungCall(String call, Duration bound, String boundName) {

        /** E.g. {@code ncclCommAbort did not return within 60 s (the collective timeout)}. */
        String describe() {
            return call + " did not return within " + bound.toSeconds() + " s (" + boundName + ")";
        }
    }

    /** What to do about a hung call; runs on the guard's thread while the watched thread is still in the call. */
    interface Handler {
        /**
         * @param stillInCall whether the watched thread is still in the call; asked once the handler holds what the
         *                    watched thread would need to report anything, so that a call returning at the last
         *                    moment is not reported as hung
         * @return whether the rank was ended; {@code false} when the call had returned after all (watching goes on)
         */
        boolean hung(HungCall call, BooleanSupplier stillInCall);
    }

    private final Thread watched;
    private final WorkerConfig config;
    private final Duration interval;
    private final Handler handler;
    private final Thread sampler;
    private volatile boolean closed;

    private CallGuard(Thread watched, WorkerConfig config, Duration interval, Handler handler) {
        this.watched = watched;
        this.config = config;
        this.interval = interval;
        this.handler = handler;
        this.sampler = Thread.ofPlatform().daemon().name("ncclffm-call-guard").unstarted(this::watch);
    }

    /** Starts watching {@code watched}, which must be the thread that makes the rank's calls into the library. */
    static CallGuard start(Thread watched, WorkerConfig config, Handler handler) {
        CallGuard g = new CallGuard(watched, config, SAMPLE_INTERVAL, handler);
        g.sampler.start();
        return g;
    }

    /**
     * The bound of a call, or {@code null} for one the guard leaves to the worker's deadline ({@link Watchdog}): an
     * init call is bounded by {@link WorkerConfig.Timeouts#initBound()}, every other call by the collective timeout (the
     * longest a collective's wait, an abort or a destroy may take). The blocking {@code ncclCommInitRank} of a release
     * without non-blocking init is the exception: the driver compiles the build's PTX inside it where the build has
     * no code for the GPU, which takes minutes and cannot be told from a hang from outside.
     */
    static HungCall boundOf(String call, WorkerConfig c) {
        if (call.equals("ncclCommInitRank")) return null;
        if (call.startsWith("ncclCommInit")) {
            boolean initLonger = c.timeouts().init().compareTo(c.timeouts().collective()) >= 0;
            return new HungCall(call, c.timeouts().initBound(), initLonger ? "the init timeout"
                    : "the collective timeout, which is longer than the init timeout");
        }
        return new HungCall(call, c.timeouts().collective(), "the collective timeout");
    }

    /** The C function the thread with {@code stack} is calling, or {@code null} when it is in no call. */
    static String callIn(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String cls = f.getClassName();
            if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.")) continue;
            return RAW_LAYER.contains(cls) && f.getMethodName().startsWith("nccl") ? f.getMethodName() : null;
        }
        return null;
    }

    private void watch() {
        StackTraceElement[] seen = null;
        long since = 0;
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            StackTraceElement[] stack = watched.getStackTrace();
            String call = callIn(stack);
            long now = System.nanoTime();
            if (call == null || !Arrays.equals(stack, seen)) {
                // A call seen for the first time began at most one interval ago; its time is counted from here.
                seen = call == null ? null : stack;
                since = now;
                continue;
            }
            HungCall hung = boundOf(call, config);
            if (hung == null || now - since < hung.bound().toNanos()) continue;
            StackTraceElement[] stuck = seen;
            if (closed || handler.hung(hung, () -> Arrays.equals(watched.getStackTrace(), stuck))) return;
            seen = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
        try {
            sampler.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
