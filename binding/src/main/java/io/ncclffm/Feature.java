package io.ncclffm;

import java.util.List;
import java.util.stream.Stream;

/**
 * Optional parts of the NCCL API, each with the C functions it needs and the release series that introduced it.
 * {@link Nccl#supports(Feature)} answers from the loaded library's symbol table, before anything is called.
 *
 * <p>A function may be exported under more than one name: NCCL 2.28 calls its all-to-all {@code ncclAlltoAll},
 * while RCCL has exported {@code ncclAllToAll} for many releases. A feature is supported when, for each function
 * it needs, one of that function's accepted names is exported.
 */
public enum Feature {
    /** {@code ncclBroadcast}, the out-of-place successor of {@code ncclBcast}. */
    BROADCAST(NcclVersion.of(2, 2, 0), Symbol.of("ncclBroadcast")),
    /** Communicator abort and asynchronous error query, NCCL 2.4. */
    ABORT(NcclVersion.of(2, 4, 0), Symbol.of("ncclCommAbort"), Symbol.of("ncclCommGetAsyncError")),
    /** Point-to-point {@code ncclSend}/{@code ncclRecv}, NCCL 2.7. */
    SEND_RECV(NcclVersion.of(2, 7, 0), Symbol.of("ncclSend"), Symbol.of("ncclRecv")),
    /** {@code ncclRedOpCreatePreMulSum}, NCCL 2.11. */
    PRE_MUL_SUM(NcclVersion.of(2, 11, 0), Symbol.of("ncclRedOpCreatePreMulSum"), Symbol.of("ncclRedOpDestroy")),
    /** {@code ncclGetLastError}, NCCL 2.13. */
    LAST_ERROR(NcclVersion.of(2, 13, 0), Symbol.of("ncclGetLastError")),
    /** {@code ncclCommInitRankConfig} with non-blocking init, NCCL 2.14. */
    INIT_RANK_CONFIG(NcclVersion.of(2, 14, 0), Symbol.of("ncclCommInitRankConfig")),
    /** {@code ncclCommFinalize}, NCCL 2.14. */
    FINALIZE(NcclVersion.of(2, 14, 0), Symbol.of("ncclCommFinalize")),
    /** {@code ncclCommSplit}, NCCL 2.18. */
    SPLIT(NcclVersion.of(2, 18, 0), Symbol.of("ncclCommSplit")),
    /** {@code ncclMemAlloc}/{@code ncclMemFree}, NCCL 2.19. */
    MEM_ALLOC(NcclVersion.of(2, 19, 0), Symbol.of("ncclMemAlloc"), Symbol.of("ncclMemFree")),
    /** User buffer registration, {@code ncclCommRegister}/{@code ncclCommDeregister}, NCCL 2.19. */
    REGISTER(NcclVersion.of(2, 19, 0), Symbol.of("ncclCommRegister"), Symbol.of("ncclCommDeregister")),
    /** {@code ncclGroupSimulateEnd}, NCCL 2.22. */
    GROUP_SIMULATE(NcclVersion.of(2, 22, 0), Symbol.of("ncclGroupSimulateEnd")),
    /** {@code ncclCommInitRankScalable}: init from several unique IDs, NCCL 2.23. */
    INIT_RANK_SCALABLE(NcclVersion.of(2, 23, 0), Symbol.of("ncclCommInitRankScalable")),
    /** Window registration for symmetric kernels, {@code ncclCommWindowRegister}/{@code ncclCommWindowDeregister}, NCCL 2.27. */
    WINDOW_REGISTER(NcclVersion.of(2, 27, 0), Symbol.of("ncclCommWindowRegister"), Symbol.of("ncclCommWindowDeregister")),
    /** {@code ncclCommShrink}, NCCL 2.27. */
    SHRINK(NcclVersion.of(2, 27, 0), Symbol.of("ncclCommShrink")),
    /** All-to-all: {@code ncclAlltoAll} in NCCL 2.28, {@code ncclAllToAll} in RCCL (long before). */
    ALL_TO_ALL(NcclVersion.of(2, 28, 0), Symbol.of("ncclAlltoAll", "ncclAllToAll")),
    /**
     * Rooted {@code ncclGather} and {@code ncclScatter}: NCCL 2.28, and RCCL under the same names. Apart from
     * {@link #ALL_TO_ALL} because a library may have one without the other.
     */
    GATHER_SCATTER(NcclVersion.of(2, 28, 0), Symbol.of("ncclGather"), Symbol.of("ncclScatter")),
    /** {@code ncclCommRevoke}, NCCL 2.28.7. */
    REVOKE(NcclVersion.of(2, 28, 7), Symbol.of("ncclCommRevoke")),
    /** {@code ncclCommGrow} with its {@code ncclCommGetUniqueId}, NCCL 2.29.2. */
    GROW(NcclVersion.of(2, 29, 2), Symbol.of("ncclCommGrow"), Symbol.of("ncclCommGetUniqueId")),
    /** {@code ncclCommQueryProperties} with its versioned {@code ncclCommProperties_t}, NCCL 2.29.2. */
    QUERY_PROPERTIES(NcclVersion.of(2, 29, 2), Symbol.of("ncclCommQueryProperties")),
    /** {@code ncclCommSuspend}/{@code ncclCommResume}: release and regain a communicator's memory, NCCL 2.29.7. */
    SUSPEND_RESUME(NcclVersion.of(2, 29, 7), Symbol.of("ncclCommSuspend"), Symbol.of("ncclCommResume")),
    /** {@code ncclCommMemStats}: the GPU memory NCCL's memory manager tracks, NCCL 2.29.7. */
    MEM_STATS(NcclVersion.of(2, 29, 7), Symbol.of("ncclCommMemStats")),
    /**
     * One-sided operations over windows, {@code ncclPutSignal}/{@code ncclSignal}/{@code ncclWaitSignal}, NCCL
     * 2.29.2 (the release tags' headers: absent in 2.28.9, present from 2.29.2).
     */
    SIGNAL(NcclVersion.of(2, 29, 2), Symbol.of("ncclPutSignal"), Symbol.of("ncclSignal"), Symbol.of("ncclWaitSignal")),
    /** {@code ncclWinGetUserPtr}: the buffer a window was registered with, NCCL 2.29.2. */
    WINDOW_USER_PTR(NcclVersion.of(2, 29, 2), Symbol.of("ncclWinGetUserPtr")),
    /**
     * The parameter API, NCCL 2.30.4 (absent in 2.30.3's header): {@code ncclParamBind}, the typed getters, the
     * string and raw getters, {@code ncclParamGetParameter}, {@code ncclParamGetAllParameterKeys},
     * {@code ncclParamDumpAll}.
     */
    PARAMETERS(NcclVersion.of(2, 30, 4), Symbol.of("ncclParamBind"), Symbol.of("ncclParamGetI8"),
            Symbol.of("ncclParamGetI16"), Symbol.of("ncclParamGetI32"), Symbol.of("ncclParamGetI64"),
            Symbol.of("ncclParamGetU8"), Symbol.of("ncclParamGetU16"), Symbol.of("ncclParamGetU32"),
            Symbol.of("ncclParamGetU64"), Symbol.of("ncclParamGetStr"), Symbol.of("ncclParamGet"),
            Symbol.of("ncclParamGetParameter"), Symbol.of("ncclParamGetAllParameterKeys"), Symbol.of("ncclParamDumpAll"));

    /**
     * One C function a feature needs, with every name a library may export it under.
     *
     * @param name         the name nccl.h declares, used in messages
     * @param alternatives other exported names of the same function and signature (RCCL's spelling)
     */
    public record Symbol(String name, List<String> alternatives) {

        public Symbol {
            alternatives = List.copyOf(alternatives);
        }

        static Symbol of(String name, String... alternatives) {
            return new Symbol(name, List.of(alternatives));
        }

        /** Every accepted name, nccl.h's first. */
        public List<String> names() {
            return Stream.concat(Stream.of(name), alternatives.stream()).toList();
        }

        /** The names as a message shows them, e.g. {@code ncclAlltoAll or ncclAllToAll}. */
        public String describe() {
            return String.join(" or ", names());
        }
    }

    private final NcclVersion since;
    private final List<Symbol> functions;

    Feature(NcclVersion since, Symbol... functions) {
        this.since = since;
        this.functions = List.of(functions);
    }

    /** The NCCL release series that introduced the feature. */
    public NcclVersion since() {
        return since;
    }

    /** The C functions the feature needs; each must be exported under one of its names. */
    public List<Symbol> functions() {
        return functions;
    }

    /** The nccl.h names of the functions the feature needs. */
    public List<String> symbols() {
        return functions.stream().map(Symbol::name).toList();
    }
}
