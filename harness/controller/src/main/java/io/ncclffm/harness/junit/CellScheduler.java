package io.ncclffm.harness.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import io.ncclffm.harness.launch.HarnessException;

/**
 * Runs cell runs up to {@code parallel} at once, in the order they were submitted. An exclusive run (a perf cell,
 * whose timings other cells would disturb) waits until every earlier run has finished and holds off later ones
 * while it runs: a fair read-write lock, shared by ordinary runs and held alone by exclusive ones.
 */
final class CellScheduler implements AutoCloseable {

    /** A submitted cell run; {@link #await} waits for it, bounded. */
    static final class Pending<T> {
        private final String label;
        private final Future<T> future;
        private final Duration bound;

        Pending(String label, Future<T> future, Duration bound) {
            this.label = label;
            this.future = future;
            this.bound = bound;
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
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final List<Pending<?>> submitted = new ArrayList<>();

    CellScheduler(int parallel) {
        if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        this.pool = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().name("ncclffm-cell-", 0).daemon().factory());
    }

    /**
     * @param bound how long {@link Pending#await} waits, counted from when it is called; the run itself is bounded by
     *              its cell's timeout, so this only guards against a launcher that never returns
     */
    synchronized <T> Pending<T> submit(String label, boolean exclusive, Duration bound, Supplier<T> work) {
        Lock l = exclusive ? lock.writeLock() : lock.readLock();
        Future<T> f = pool.submit(() -> {
            l.lock();
            try {
                return work.get();
            } finally {
                l.unlock();
            }
        });
        Pending<T> p = new Pending<>(label, f, bound);
        submitted.add(p);
        return p;
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
