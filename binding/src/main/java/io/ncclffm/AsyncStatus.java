package io.ncclffm;

/**
 * What {@code ncclCommGetAsyncError} reported: the result as an enum and the raw code, which matters when a newer
 * release reports a code this binding does not know.
 */
public record AsyncStatus(NcclResult result, int rawCode) {

    public static AsyncStatus of(int rawCode) {
        return new AsyncStatus(NcclResult.fromCode(rawCode), rawCode);
    }

    public boolean isSuccess() {
        return rawCode == NcclResult.SUCCESS.code();
    }

    public boolean inProgress() {
        return rawCode == NcclResult.IN_PROGRESS.code();
    }

    @Override
    public String toString() {
        return result == NcclResult.UNKNOWN ? "ncclResult_t " + rawCode : result.cName();
    }
}
