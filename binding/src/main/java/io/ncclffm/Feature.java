package io.ncclffm;

import java.util.List;

/**
 * Optional parts of the NCCL API, each with the symbols it needs and the release series that introduced it.
 * {@link Nccl#supports(Feature)} answers from the loaded library's symbol table, before anything is called.
 */
public enum Feature {
    /** {@code ncclBroadcast}, the out-of-place successor of {@code ncclBcast}. */
    BROADCAST(NcclVersion.of(2, 2, 0), "ncclBroadcast"),
    /** Communicator abort and asynchronous error query, NCCL 2.4. */
    ABORT(NcclVersion.of(2, 4, 0), "ncclCommAbort", "ncclCommGetAsyncError"),
    /** Point-to-point {@code ncclSend}/{@code ncclRecv}, NCCL 2.7. */
    SEND_RECV(NcclVersion.of(2, 7, 0), "ncclSend", "ncclRecv"),
    /** {@code ncclRedOpCreatePreMulSum}, NCCL 2.11. */
    PRE_MUL_SUM(NcclVersion.of(2, 11, 0), "ncclRedOpCreatePreMulSum", "ncclRedOpDestroy"),
    /** {@code ncclGetLastError}, NCCL 2.13. */
    LAST_ERROR(NcclVersion.of(2, 13, 0), "ncclGetLastError"),
    /** {@code ncclCommInitRankConfig} with non-blocking init, NCCL 2.14. */
    INIT_RANK_CONFIG(NcclVersion.of(2, 14, 0), "ncclCommInitRankConfig"),
    /** {@code ncclCommFinalize}, NCCL 2.14. */
    FINALIZE(NcclVersion.of(2, 14, 0), "ncclCommFinalize"),
    /** {@code ncclCommSplit}, NCCL 2.18. */
    SPLIT(NcclVersion.of(2, 18, 0), "ncclCommSplit"),
    /** {@code ncclMemAlloc}/{@code ncclMemFree} and buffer registration, NCCL 2.19. */
    MEM_ALLOC(NcclVersion.of(2, 19, 0), "ncclMemAlloc", "ncclMemFree", "ncclCommRegister", "ncclCommDeregister"),
    /** {@code ncclAlltoAll}, {@code ncclGather}, {@code ncclScatter}, NCCL 2.28. */
    ALL_TO_ALL(NcclVersion.of(2, 28, 0), "ncclAlltoAll", "ncclGather", "ncclScatter");

    private final NcclVersion since;
    private final List<String> symbols;

    Feature(NcclVersion since, String... symbols) {
        this.since = since;
        this.symbols = List.of(symbols);
    }

    /** The NCCL release series that introduced the feature. */
    public NcclVersion since() {
        return since;
    }

    /** The C functions the feature needs; all must be exported. */
    public List<String> symbols() {
        return symbols;
    }
}
