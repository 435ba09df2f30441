package io.ncclffm.harness.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.CommProperties;
import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.MemStat;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.semantics.InputPattern;

/**
 * What NCCL 2.29 lets a user ask of a communicator and do to it: its properties ({@code ncclCommQueryProperties})
 * against what the cell set up, and a suspend and resume ({@code ncclCommSuspend(NCCL_SUSPEND_MEM)},
 * {@code ncclCommResume}) judged by NCCL's own memory statistics and by the collectives around it. The judgements
 * are functions of what was observed, which {@code CommStateModelTest} mutates.
 *
 * <p>What the statistics must show follows NCCL's {@code mem_manager.cc} (2.29.7, 2.30.7): a suspend releases every
 * scratch and offload allocation and sets {@code ncclStatGpuMemSuspended} to 1; the byte counts
 * ({@code ncclStatGpuMemSuspend}, {@code _Persist}, {@code _Total}) count what is allocated whether or not it is
 * mapped, so they stay as they were; a resume maps it again and sets the flag back to 0. The memory manager tracks
 * only cuMem allocations: with {@code NCCL_CUMEM_ENABLE=0} there is nothing to release.
 */
final class CommStateChecks {

    static final int COUNT = UserFeatureChecks.COUNT;

    private CommStateChecks() {
    }

    /** The memory manager's statistics at one moment. */
    record MemSnapshot(long suspendable, long suspended, long persist, long total) {

        static MemSnapshot of(Communicator c) {
            return new MemSnapshot(c.memStat(MemStat.GPU_MEM_SUSPEND), c.memStat(MemStat.GPU_MEM_SUSPENDED),
                    c.memStat(MemStat.GPU_MEM_PERSIST), c.memStat(MemStat.GPU_MEM_TOTAL));
        }

        @Override
        public String toString() {
            return "suspendable " + suspendable + " B, suspended " + suspended + ", persist " + persist + " B, total " + total + " B";
        }
    }

    // Judgements.

    /** Why the properties disagree with the cell's setup, or {@code null} where rank, nRanks and device all agree. */
    static String propertiesMismatch(int rank, int world, int device, int gotRank, int gotNRanks, int gotCudaDev) {
        StringBuilder why = new StringBuilder();
        if (gotRank != rank) why.append("rank ").append(gotRank).append(", expected ").append(rank).append("; ");
        if (gotNRanks != world) why.append("nRanks ").append(gotNRanks).append(", expected ").append(world).append("; ");
        if (gotCudaDev != device) why.append("cudaDev ").append(gotCudaDev).append(", expected device ").append(device).append("; ");
        return why.isEmpty() ? null : "ncclCommQueryProperties says " + why.substring(0, why.length() - 2);
    }

    /**
     * Why the statistics around a suspend and resume do not show memory released and regained, or {@code null} where
     * they do. {@code cuMemOff}: the cell turned cuMem off, so NCCL has nothing it could release.
     */
    static Outcome memoryVerdict(MemSnapshot before, MemSnapshot suspended, MemSnapshot resumed, boolean cuMemOff) {
        String all = "before: " + before + "; suspended: " + suspended + "; resumed: " + resumed;
        if (before.suspendable() == 0 && before.total() == 0 && cuMemOff) {
            return Outcome.skipped(Cause.NOT_CONFIGURED, "the cell sets NCCL_CUMEM_ENABLE=0, so NCCL's memory manager"
                    + " tracks no memory a suspend could release (" + all + ")");
        }
        String why = null;
        if (before.suspended() != 0) why = "ncclStatGpuMemSuspended is " + before.suspended() + " before the suspend";
        else if (before.suspendable() <= 0) why = "ncclStatGpuMemSuspend is 0: NCCL tracks no memory a suspend releases";
        else if (suspended.suspended() != 1) why = "ncclStatGpuMemSuspended is " + suspended.suspended() + " after ncclCommSuspend, not 1";
        else if (suspended.suspendable() != before.suspendable()) why = "the suspendable bytes changed under the suspend";
        else if (resumed.suspended() != 0) why = "ncclStatGpuMemSuspended is " + resumed.suspended() + " after ncclCommResume, not 0";
        else if (resumed.suspendable() != before.suspendable() || resumed.total() != before.total()) {
            why = "after ncclCommResume NCCL tracks other memory than before the suspend";
        }
        Map<String, String> data = data(before, suspended, resumed);
        if (why != null) return Outcome.failed(Cause.OTHER_FAILURE, why + " (" + all + ")", data);
        return Outcome.passed("ncclCommSuspend(NCCL_SUSPEND_MEM) released " + before.suspendable() + " B (ncclStatGpuMemSuspended 0 -> 1"
                + " -> 0 across ncclCommResume, " + before.persist() + " B kept)", data);
    }

    private static Map<String, String> data(MemSnapshot before, MemSnapshot suspended, MemSnapshot resumed) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("suspendableBytes", Long.toString(before.suspendable()));
        d.put("persistBytes", Long.toString(before.persist()));
        d.put("totalBytes", Long.toString(before.total()));
        d.put("suspendedFlag", before.suspended() + " -> " + suspended.suspended() + " -> " + resumed.suspended());
        return d;
    }

    /** The inputs of the allReduce run after the resume: another pattern than before it, so stale results show. */
    static List<byte[]> inputsAfterResume(int world) {
        return InputPattern.forAllRanks(DataType.FLOAT32, ReduceOp.MAX, world, COUNT);
    }

    // Bodies.

    static Outcome properties(RankSession s) {
        CommProperties p = s.comm.properties();
        int rank = s.config.rank();
        int world = s.config.world();
        int device = s.config.identity().device();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("rank", Integer.toString(p.rank()));
        data.put("nRanks", Integer.toString(p.nRanks()));
        data.put("cudaDev", Integer.toString(p.cudaDev()));
        data.put("nvmlDev", Integer.toString(p.nvmlDev()));
        data.put("deviceApiSupport", Boolean.toString(p.deviceApiSupport()));
        data.put("multimemSupport", Boolean.toString(p.multimemSupport()));
        data.put("ginType", Integer.toString(p.ginType()));
        p.nLsaTeams().ifPresent(n -> data.put("nLsaTeams", Integer.toString(n)));
        data.put("layout", p.layout().toString());
        String why = propertiesMismatch(rank, world, device, p.rank(), p.nRanks(), p.cudaDev());
        if (why != null) return Outcome.failed(Cause.WRONG_VALUES, why, data);
        return Outcome.passed("ncclCommQueryProperties (struct of " + p.layout() + "): rank " + p.rank() + " of " + p.nRanks()
                + " on device " + p.cudaDev() + ", as the cell set up; " + p, data);
    }

    /**
     * A float32 sum, then suspend with {@code NCCL_SUSPEND_MEM} and resume (both collective: every rank takes the
     * same steps), then a sum of other inputs: both must match the host model, and the statistics read around the
     * suspend must show the memory released and regained ({@link #memoryVerdict}). The communicator is resumed
     * whatever the statistics say, so the checks after this one still have it.
     */
    static Outcome suspendResume(RankSession s) {
        int world = s.config.world();
        Outcome first = sum(s, UserFeatureChecks.inputs(DataType.FLOAT32, world, COUNT), "before ncclCommSuspend");
        if (first.status() != CheckStatus.PASSED) return first;
        Outcome memory = suspendAndResume(s.comm, "0".equals(System.getenv("NCCL_CUMEM_ENABLE")));
        Outcome after = sum(s, inputsAfterResume(world), "after ncclCommSuspend and ncclCommResume");
        if (after.status() != CheckStatus.PASSED) return after;
        if (memory.status() != CheckStatus.PASSED) return memory;
        return Outcome.passed(memory.message() + "; " + after.message(), memory.data());
    }

    /** Suspends and resumes {@code comm}, reading the statistics before, between and after; the judgement of them. */
    static Outcome suspendAndResume(Communicator comm, boolean cuMemOff) {
        MemSnapshot before = MemSnapshot.of(comm);
        comm.suspend(Communicator.SUSPEND_MEM);
        MemSnapshot suspended;
        try {
            suspended = MemSnapshot.of(comm);
        } finally {
            comm.resume();
        }
        return memoryVerdict(before, suspended, MemSnapshot.of(comm), cuMemOff);
    }

    private static Outcome sum(RankSession s, List<byte[]> in, String when) {
        s.ensureBuffers((long) COUNT * DataType.FLOAT32.size());
        return UserFeatureChecks.floatSum(s, s.sendAddress(), s.recvAddress(), in, COUNT, "summed " + when);
    }
}
