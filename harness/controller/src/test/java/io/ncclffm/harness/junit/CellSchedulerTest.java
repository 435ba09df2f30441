package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.launch.HarnessException;

/** Scheduling cell runs: bounded concurrency, exclusive runs alone, results in submission order. */
class CellSchedulerTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @Test
    void runsUpToParallelAtOnce_andNeverMore() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        try (CellScheduler s = new CellScheduler(3)) {
            List<CellScheduler.Pending<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                int n = i;
                all.add(s.submit("run " + i, false, BOUND, () -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    sleep(80);
                    running.decrementAndGet();
                    return n;
                }));
            }
            for (int i = 0; i < 9; i++) assertEquals(i, all.get(i).await(), "each container gets its own run's result");
        }
        assertEquals(3, peak.get(), "three at once, no more, no fewer");
    }

    @Test
    void anExclusiveRun_runsAlone_afterEverythingSubmittedBeforeIt() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        try (CellScheduler s = new CellScheduler(4)) {
            List<CellScheduler.Pending<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                all.add(s.submit("check " + i, false, BOUND, () -> {
                    running.incrementAndGet();
                    sleep(100);
                    events.add("check " + n + " done");
                    running.decrementAndGet();
                    return n;
                }));
            }
            all.add(s.submit("perf", true, BOUND, () -> {
                events.add("perf starts with " + running.get() + " others running");
                sleep(50);
                events.add("perf done");
                return 3;
            }));
            all.add(s.submit("check 4", false, BOUND, () -> {
                events.add("check 4 starts");
                return 4;
            }));
            for (var p : all) p.await();
        }
        assertTrue(events.indexOf("perf starts with 0 others running") > events.indexOf("check 0 done"), events.toString());
        assertTrue(events.contains("perf starts with 0 others running"), events.toString());
        assertTrue(events.indexOf("check 4 starts") > events.indexOf("perf done"), "later runs wait for the exclusive one: " + events);
    }

    @Test
    void aRunAfterAnother_startsWhenItEnds_andHoldsNoSlotWhileItWaits() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try (CellScheduler s = new CellScheduler(2)) {
            var first = s.submit("build x world 1", false, BOUND, () -> {
                events.add("world 1 starts");
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("world 1 ends");
                return 1;
            });
            var second = s.submit("build x world 2", false, BOUND, () -> {
                events.add("world 2 starts");
                return 2;
            }, List.of(first));
            // The second slot is free for an unrelated run while world 2 waits for world 1.
            var other = s.submit("build y world 1", false, BOUND, () -> {
                events.add("other runs");
                return 3;
            });
            assertEquals(3, other.await());
            assertTrue(!events.contains("world 2 starts"), "world 2 waits for world 1: " + events);
            release.countDown();
            assertEquals(2, second.await());
            assertEquals(1, first.await());
        }
        assertTrue(events.indexOf("world 1 ends") < events.indexOf("world 2 starts"), events.toString());
    }

    @Test
    void aRunThatReleasesEarly_letsTheRunsAfterItStartWhileItStillRuns() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch secondRan = new CountDownLatch(1);
        try (CellScheduler s = new CellScheduler(2)) {
            var first = s.submit("build x world 1", false, BOUND, release -> {
                events.add("world 1 compiled");
                release.run();
                release.run(); // more than once is harmless
                try {
                    // world 2 runs while world 1 has not ended
                    assertTrue(secondRan.await(10, TimeUnit.SECONDS), "world 2 started before world 1 ended");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("world 1 ends");
                return 1;
            }, List.of());
            var second = s.submit("build x world 2", false, BOUND, () -> {
                events.add("world 2 runs");
                secondRan.countDown();
                return 2;
            }, List.of(first));
            assertEquals(2, second.await());
            assertEquals(1, first.await());
            assertTrue(first.released());
        }
        assertEquals(List.of("world 1 compiled", "world 2 runs", "world 1 ends"), events);
    }

    @Test
    void aRunThatNeverReleases_holdsTheRunsAfterItUntilItEnds() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (CellScheduler s = new CellScheduler(2)) {
            var first = s.submit("build x world 1", false, BOUND, release -> {
                sleep(300);
                events.add("world 1 ends");
                return 1;
            }, List.of());
            var second = s.submit("build x world 2", false, BOUND, () -> {
                events.add("world 2 runs");
                return 2;
            }, List.of(first));
            assertEquals(2, second.await());
            assertEquals(1, first.await());
        }
        assertEquals(List.of("world 1 ends", "world 2 runs"), events);
    }

    @Test
    void runsReleasedTogether_takeTheSlotsInTheOrderTheyWereSubmitted() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (CellScheduler s = new CellScheduler(1)) {
            var first = s.submit("build x world 1", false, BOUND, release -> {
                release.run();   // world 2, 4 and 8 are queued behind this run, which holds the only slot
                sleep(200);
                return 1;
            }, List.of());
            List<CellScheduler.Pending<Integer>> later = new ArrayList<>();
            for (int w : new int[] {2, 4, 8}) {
                later.add(s.submit("build x world " + w, false, BOUND, () -> {
                    order.add("world " + w);
                    return w;
                }, List.of(first)));
            }
            for (var p : later) p.await();
        }
        assertEquals(List.of("world 2", "world 4", "world 8"), order);
    }

    @Test
    void aRunAfterOneThatThrew_stillRuns() {
        try (CellScheduler s = new CellScheduler(1)) {
            var bad = s.submit("build x world 1", false, BOUND, () -> {
                throw new HarnessException("launcher exploded");
            });
            var next = s.submit("build x world 2", false, BOUND, () -> 2, List.of(bad));
            assertThrows(HarnessException.class, bad::await);
            assertEquals(2, next.await());
        }
    }

    @Test
    void aRunThatThrows_reachesItsOwnContainer_andTheOthersStillRun() {
        try (CellScheduler s = new CellScheduler(2)) {
            var bad = s.submit("bad", false, BOUND, () -> {
                throw new HarnessException("launcher exploded");
            });
            var good = s.submit("good", false, BOUND, () -> 7);
            HarnessException e = assertThrows(HarnessException.class, bad::await);
            assertEquals("launcher exploded", e.getMessage());
            assertEquals(7, good.await());
        }
    }

    @Test
    void waitingIsBounded_andSaysForWhat() {
        CountDownLatch never = new CountDownLatch(1);
        try (CellScheduler s = new CellScheduler(1)) {
            var stuck = s.submit("cell x world 2", false, Duration.ofMillis(200), () -> {
                try {
                    never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
            HarnessException e = assertThrows(HarnessException.class, stuck::await);
            assertTrue(e.getMessage().startsWith("cell x world 2 did not finish within 0 s"), e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
