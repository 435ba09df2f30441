package io.ncclffm.harness.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.ncclffm.harness.launch.HarnessException;

/**
 * Runs cell runs up to {@code parallel} at once, in the order they were submitted. An exclusive run (a perf cell,
 * whose timings other cells would disturb) starts once every run submitted before it has ended, and the runs
 * submitted after it start once it has ended. Both are decided when a run is submitted, not by which pool thread
 * happens to start first.
 *
 * <p>A run may also be submitted {@linkplain #submit(String, boolean, Duration, Function, List) after} others: it
 * is handed to the pool only once each of them has released it, so it takes no slot while it waits. A run
 * releases the runs after it when it ends, however it ended, or earlier, when its work calls the
 * {@code release} it is handed. The matrix uses this for the first use of a library build: a build without code
 * for the GPU at hand has every kernel compiled from PTX by the driver in its first process (minutes), and the
 * driver's cache serves the processes after it. So a build's other world sizes start once its first run has run
 * a collective on the GPU (the kernels are then compiled and cached), instead of compiling alongside it, and,
 * for a build that compiles nothing, without waiting for the whole first run.
 */
final class CellScheduler implements AutoCloseable {

    /** A submitted cell run; {@link #await} waits for it, bounded. */
    static final class Pending<T> {
        private final String label;
        private final Future<T> future;
        private final Duration bound;
        /** Completes when the run has ended, however, or has released the runs after it; what they wait for. */
        private final CompletableFuture<Void> released;

        Pending(String label, Future<T> future, Duration bound, CompletableFuture<Void> released) {
            this.label = label;
            this.future = future;
            this.bound = bound;
            this.released = released;
        }

        /** Whether the runs submitted after this one may start (it ended, or released them). */
        boolean released() {
            return released.isDone();
        }

        T await() {
            try {
                return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new HarnessException(label + " did not finish within " + bound.toSeconds() + " s of waiting", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) throw r;
                throw new HarnessException(label + " failed: " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HarnessException("interrupted while waiting for " + label, e);
            }
        }
    }

    private final ExecutorService pool;
    private final List<Pending<?>> submitted = new ArrayList<>();
    /** When the last exclusive run submitted has ended; every later run waits for it. */
    private CompletableFuture<Void> lastExclusive = CompletableFuture.completedFuture(null);
    /** When each ordinary run submitted since then has ended; the next exclusive run waits for them all. */
    private final List<CompletableFuture<Void>> sinceExclusive = new ArrayList<>();

    CellScheduler(int parallel) {
        if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        // Runs waiting for a slot are taken in the order they were submitted, whatever order their gates opened in.
        this.pool = new ThreadPoolExecutor(parallel, parallel, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(),
                Thread.ofPlatform().name("ncclffm-cell-", 0).daemon().factory());
    }

    /** A run as the pool queues it: ordered by when it was submitted. */
    private static final class Ordered<T> extends FutureTask<T> implements Comparable<Ordered<?>> {
        private final long sequence;

        Ordered(Callable<T> work, long sequence) {
            super(work);
            this.sequence = sequence;
        }

        @Override
        public int compareTo(Ordered<?> other) {
            return Long.compare(sequence, other.sequence);
        }
    }

    /**
     * @param bound how long {@link Pending#await} waits, counted from when it is called; the run itself is bounded by
     *              its cell's timeout, so this only guards against a launcher that never returns
     */
    synchronized <T> Pending<T> submit(String label, boolean exclusive, Duration bound, Supplier<T> work) {
        return submit(label, exclusive, bound, work, List.of());
    }

    /**
     * The same, started only once every run in {@code after} has ended (whether it passed, failed or threw) or
     * released it.
     *
     * @param after earlier runs of this scheduler
     */
    synchronized <T> Pending<T> submit(String label, boolean exclusive, Duration bound, Supplier<T> work, List<Pending<?>> after) {
        return submit(label, exclusive, bound, (Function<Runnable, T>) release -> work.get(), after);
    }

    /**
     * The same, with work that is handed a {@code release}: calling it (from any thread, any number of times) lets
     * the runs submitted after this one start before it ends.
     */
    synchronized <T> Pending<T> submit(String label, boolean exclusive, Duration bound, Function<Runnable, T> work,
                                       List<Pending<?>> after) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> released = new CompletableFuture<>();
        Runnable release = () -> released.complete(null);
        done.thenRun(release);
        Callable<T> guarded = () -> {
            try {
                return work.apply(release);
            } finally {
                done.complete(null);
            }
        };
        List<CompletableFuture<?>> gates = new ArrayList<>();
        gates.add(lastExclusive);
        for (Pending<?> p : after) gates.add(p.released);
        if (exclusive) {
            gates.addAll(sinceExclusive);
            sinceExclusive.clear();
            lastExclusive = done;
        } else {
            sinceExclusive.add(done);
        }
        // Handed to the pool once its gates have opened (at once when they are open); until then it holds no slot.
        // Cancelling it (a bounded wait that ran out) before it started keeps it from starting; after, it
        // interrupts it like any run.
        Ordered<T> task = new Ordered<>(guarded, submitted.size());
        CompletableFuture<Future<T>> started = CompletableFuture.allOf(gates.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> {
                    pool.execute(task);
                    return task;
                });
        Future<T> f = new ChainedFuture<>(started, done);
        Pending<T> p = new Pending<>(label, f, bound, released);
        submitted.add(p);
        return p;
    }

    /** A run as the pool holds it once it was handed over: its future once it has one. */
    private record ChainedFuture<T>(CompletableFuture<Future<T>> started, CompletableFuture<Void> done) implements Future<T> {
        @Override
        public boolean cancel(boolean interrupt) {
            if (started.cancel(false)) {
                done.complete(null);
                return true;
            }
            return started.join().cancel(interrupt);
        }

        @Override
        public boolean isCancelled() {
            return started.isCancelled() || (started.isDone() && !started.isCompletedExceptionally() && started.join().isCancelled());
        }

        @Override
        public boolean isDone() {
            return started.isDone() && (started.isCancelled() || started.isCompletedExceptionally() || started.join().isDone());
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return started.get().get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            long end = System.nanoTime() + unit.toNanos(timeout);
            Future<T> f = started.get(timeout, unit);
            return f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Waits until every submitted run has finished (their outcomes are collected by their own containers). */
    void awaitAll() {
        List<Pending<?>> all;
        synchronized (this) {
            all = List.copyOf(submitted);
        }
        for (Pending<?> p : all) {
            try {
                p.await();
            } catch (RuntimeException e) {
                // reported by the run's own container
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
