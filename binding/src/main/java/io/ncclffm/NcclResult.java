package io.ncclffm;

/**
 * {@code ncclResult_t}. Codes a newer release adds map to {@link #UNKNOWN}; callers that receive a code from
 * NCCL keep the raw int beside it (see {@link NcclException#rawResult()}).
 */
public enum NcclResult {
    SUCCESS(0, "ncclSuccess"),
    UNHANDLED_CUDA_ERROR(1, "ncclUnhandledCudaError"),
    SYSTEM_ERROR(2, "ncclSystemError"),
    INTERNAL_ERROR(3, "ncclInternalError"),
    INVALID_ARGUMENT(4, "ncclInvalidArgument"),
    INVALID_USAGE(5, "ncclInvalidUsage"),
    /** Since NCCL 2.12. */
    REMOTE_ERROR(6, "ncclRemoteError"),
    /** Since NCCL 2.14: a non-blocking operation has not finished yet. */
    IN_PROGRESS(7, "ncclInProgress"),
    /** Since NCCL 2.29. */
    TIMEOUT(8, "ncclTimeout"),
    UNKNOWN(-1, "unknown ncclResult_t");

    private final int code;
    private final String cName;

    NcclResult(int code, String cName) {
        this.code = code;
        this.cName = cName;
    }

    public int code() {
        return code;
    }

    /** The enumerator's name in nccl.h. */
    public String cName() {
        return cName;
    }

    public static NcclResult fromCode(int code) {
        for (NcclResult r : values()) {
            if (r.code == code && r != UNKNOWN) return r;
        }
        return UNKNOWN;
    }
}
