package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.matrix.GpuAssignment;

class GpuPoolTest {

    private static final GpuAssignment PER_RANK = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK,
            GpuAssignment.Access.TOOLKIT, null);
    private static final GpuAssignment SHARED = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED,
            GpuAssignment.Access.DEVICES, null);
    private static final GpuAssignment ALL = new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.ALL,
            GpuAssignment.Access.TOOLKIT, null);

    private static GpuPool gpus(int n) {
        return new GpuPool(gpu -> n);
    }

    @Test
    void runsAtOnce_takeFreeGpus_andAnEndedRunsGpusAreTakenNext() {
        GpuPool pool = gpus(8);
        GpuPool.Lease a = pool.acquire(PER_RANK, 2);
        GpuPool.Lease b = pool.acquire(PER_RANK, 4);
        GpuPool.Lease c = pool.acquire(PER_RANK, 2);
        assertEquals(List.of(0, 1), a.devices());
        assertEquals(List.of(2, 3, 4, 5), b.devices());
        assertEquals(List.of(6, 7), c.devices());
        assertEquals("GPUs 6, 7", c.describe());
        pool.release(b);
        assertEquals(List.of(2, 3), pool.acquire(PER_RANK, 2).devices(), "the freed GPUs, lowest first");
        assertEquals(List.of(1, 1, 1, 1, 0, 0, 1, 1), pool.load(GpuAssignment.Vendor.NVIDIA));
    }

    @Test
    void alone_aRunGetsTheFirstGpus_soAPerfCellIsMeasuredOnTheSameOnesEveryTime() {
        GpuPool pool = gpus(8);
        for (int i = 0; i < 3; i++) {
            GpuPool.Lease perf = pool.acquire(PER_RANK, 4);
            assertEquals(List.of(0, 1, 2, 3), perf.devices());
            pool.release(perf);
        }
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0), pool.load(GpuAssignment.Vendor.NVIDIA));
    }

    @Test
    void ranksThatShareAGpu_takeTheLeastLoadedOne_andMoreRunsThanGpus_share() {
        GpuPool pool = gpus(2);
        GpuPool.Lease w4 = pool.acquire(SHARED, 4);
        assertEquals(List.of(0), w4.devices());
        assertEquals("GPU 0", w4.describe());
        assertEquals(List.of(1), pool.acquire(SHARED, 2).devices());
        assertEquals(List.of(1), pool.acquire(SHARED, 1).devices(), "GPU 1 has 2 ranks, GPU 0 has 4");
        assertEquals(List.of(0, 1), pool.acquire(PER_RANK, 2).devices(), "one GPU per rank, whatever else runs there");
        assertEquals(List.of(5, 4), pool.load(GpuAssignment.Vendor.NVIDIA));
        pool.release(w4);
        assertEquals(List.of(1, 4), pool.load(GpuAssignment.Vendor.NVIDIA));
    }

    @Test
    void cellsThatSeeEveryGpuOrNone_orAHostWithoutGpus_areGivenNoList() {
        assertEquals(List.of(), gpus(8).acquire(ALL, 4).devices());
        assertEquals(List.of(), gpus(8).acquire(GpuAssignment.NONE, 2).devices());
        GpuPool none = gpus(0);
        GpuPool.Lease l = none.acquire(PER_RANK, 2);
        assertEquals(List.of(), l.devices(), "the ranks report the missing GPU themselves");
        assertEquals("", l.describe());
        none.release(l);
    }

    @Test
    void theHostsGpusAreCountedOncePerVendor_notForEveryRun() {
        int[] counted = {0};
        GpuPool pool = new GpuPool(gpu -> {
            counted[0]++;
            return 4;
        });
        for (int i = 0; i < 5; i++) pool.release(pool.acquire(PER_RANK, 2));
        assertEquals(1, counted[0]);
    }

    @Test
    void oneGpuPerRank_onAHostWithFewer_isRefusedSayingHowMany() {
        assertEquals("world 4 needs 4 GPUs, one per rank; this host has 2",
                assertThrows(IllegalArgumentException.class, () -> gpus(2).acquire(PER_RANK, 4)).getMessage());
    }
}
