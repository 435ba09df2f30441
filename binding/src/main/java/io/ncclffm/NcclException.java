package io.ncclffm;

/**
 * A call into NCCL returned something other than {@code ncclSuccess}. The message carries the operation, the
 * result as NCCL names it, the raw code, and NCCL's own words: {@code ncclGetErrorString} and, where the release
 * has it, {@code ncclGetLastError}.
 */
public class NcclException extends RuntimeException {

    private final String operation;
    private final NcclResult result;
    private final int rawResult;
    private final String errorString;
    private final String lastError;

    public NcclException(String operation, int rawResult, String errorString, String lastError) {
        this(operation, rawResult, errorString, lastError, null);
    }

    protected NcclException(String operation, int rawResult, String errorString, String lastError, String detail) {
        super(format(operation, rawResult, errorString, lastError, detail));
        this.operation = operation;
        this.result = NcclResult.fromCode(rawResult);
        this.rawResult = rawResult;
        this.errorString = errorString;
        this.lastError = lastError;
    }

    private static String format(String operation, int raw, String errorString, String lastError, String detail) {
        NcclResult r = NcclResult.fromCode(raw);
        StringBuilder sb = new StringBuilder(operation).append(" failed: ")
                .append(r == NcclResult.UNKNOWN ? "ncclResult_t " + raw : r.cName() + " (" + raw + ")");
        if (detail != null) sb.append(": ").append(detail);
        if (errorString != null && !errorString.isBlank()) sb.append(": '").append(errorString).append('\'');
        if (lastError != null && !lastError.isBlank()) sb.append("; last error: '").append(lastError.strip()).append('\'');
        return sb.toString();
    }

    /** The C function that failed, e.g. {@code ncclCommInitRank}. */
    public String operation() {
        return operation;
    }

    public NcclResult result() {
        return result;
    }

    /** The {@code ncclResult_t} exactly as returned, also when {@link #result()} is {@link NcclResult#UNKNOWN}. */
    public int rawResult() {
        return rawResult;
    }

    /** {@code ncclGetErrorString(result)}. */
    public String errorString() {
        return errorString;
    }

    /** {@code ncclGetLastError(comm)}, or {@code null} where the release lacks it or it said nothing. */
    public String lastError() {
        return lastError;
    }
}
