package io.ncclffm;

/**
 * {@code ncclCommMemStat_t} (NCCL 2.29.7+), what {@link Communicator#memStat(MemStat)} asks. The memory manager
 * counts only what NCCL allocates through cuMem ({@code NCCL_CUMEM_ENABLE}); with it off every byte count is 0.
 */
public enum MemStat {
    /** {@code ncclStatGpuMemSuspend}: bytes a suspend releases (scratch, and offload copied to the host first). */
    GPU_MEM_SUSPEND(0, "ncclStatGpuMemSuspend"),
    /** {@code ncclStatGpuMemSuspended}: 1 while the memory is suspended, else 0. */
    GPU_MEM_SUSPENDED(1, "ncclStatGpuMemSuspended"),
    /** {@code ncclStatGpuMemPersist}: bytes a suspend keeps. */
    GPU_MEM_PERSIST(2, "ncclStatGpuMemPersist"),
    /** {@code ncclStatGpuMemTotal}: every byte the memory manager tracks. */
    GPU_MEM_TOTAL(3, "ncclStatGpuMemTotal");

    private final int code;
    private final String cName;

    MemStat(int code, String cName) {
        this.code = code;
        this.cName = cName;
    }

    public int code() {
        return code;
    }

    public String cName() {
        return cName;
    }
}
