package io.ncclffm.harness.worker;

import java.util.List;
import java.util.Map;

import io.ncclffm.NcclException;
import io.ncclffm.NcclResult;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.Mismatch;
import io.ncclffm.harness.protocol.NcclResultCode;
import io.ncclffm.harness.protocol.UniqueIdFingerprint;

/**
 * What a check body concluded; {@code cause} is {@code null} exactly for a pass. {@code ncclResult} is the code of the
 * NCCL call that failed it, {@code fingerprint} the unique ID's of the exchange; each {@code null} elsewhere.
 */
record Outcome(CheckStatus status, Cause cause, String message, List<Mismatch> mismatches, Map<String, String> data,
               NcclResultCode ncclResult, UniqueIdFingerprint fingerprint) {

    Outcome {
        if ((status == CheckStatus.PASSED) != (cause == null) || cause != null && cause.status() != status) {
            throw new IllegalArgumentException("status " + status + " with cause " + cause);
        }
    }

    Outcome(CheckStatus status, Cause cause, String message, List<Mismatch> mismatches, Map<String, String> data) {
        this(status, cause, message, mismatches, data, null, null);
    }

    /** The unique-ID exchange passed: this rank will use the ID of {@code fingerprint}. */
    static Outcome exchanged(String how, UniqueIdFingerprint fingerprint) {
        return new Outcome(CheckStatus.PASSED, null, how, List.of(), Map.of(), null, fingerprint);
    }

    /** NCCL returned an error where success was due; its code travels with the result. */
    static Outcome ncclError(NcclException e) {
        return new Outcome(CheckStatus.FAILED, Cause.NCCL_ERROR, e.getMessage(), List.of(), Map.of(),
                NcclResultCode.of(e.rawResult()), null);
    }

    static Outcome passed(String message) {
        return new Outcome(CheckStatus.PASSED, null, message, List.of(), Map.of());
    }

    static Outcome passed(String message, Map<String, String> data) {
        return new Outcome(CheckStatus.PASSED, null, message, List.of(), data);
    }

    static Outcome failed(Cause cause, String message) {
        return new Outcome(CheckStatus.FAILED, cause, message, List.of(), Map.of());
    }

    static Outcome failed(Cause cause, String message, List<Mismatch> mismatches) {
        return new Outcome(CheckStatus.FAILED, cause, message, mismatches, Map.of());
    }

    static Outcome failed(Cause cause, String message, Map<String, String> data) {
        return new Outcome(CheckStatus.FAILED, cause, message, List.of(), data);
    }

    /**
     * A call that did not return within its bound ({@code hung}): a timeout, with the call and its bound as data
     * ({@link Reporter#HUNG_CALL}), for which the rank ends after reporting it.
     */
    static Outcome callHung(CallGuard.HungCall hung, String message) {
        return new Outcome(CheckStatus.FAILED, Cause.TIMEOUT, message, List.of(), Map.of(Reporter.HUNG_CALL, hung.call(),
                Reporter.HUNG_CALL_BOUND_MS, Long.toString(hung.bound().toMillis())));
    }

    static Outcome skipped(Cause cause, String reason) {
        return new Outcome(CheckStatus.SKIPPED, cause, reason, List.of(), Map.of());
    }

    static Outcome skipped(Gap gap) {
        return skipped(gap.cause(), gap.reason());
    }

    static Outcome broken(String message) {
        return new Outcome(CheckStatus.BROKEN, Cause.INFRASTRUCTURE, message, List.of(), Map.of());
    }

    /**
     * This outcome of a value comparison, as it stands after NCCL reported {@code asyncError} for the same
     * collective ({@code null}: it reported none): NCCL's error comes first and decides the cause, the comparison's
     * summary follows, its mismatches are kept.
     */
    Outcome withAsyncError(NcclException asyncError) {
        if (asyncError == null) return this;
        String values = status == CheckStatus.PASSED ? "yet the values match: " + message : "and " + message;
        return new Outcome(CheckStatus.FAILED, Cause.NCCL_ERROR, describeAsync(asyncError) + "; " + values, mismatches, data,
                ncclResult, fingerprint);
    }

    /** E.g. {@code NCCL reported ncclSystemError (2) asynchronously: 'unhandled system error ...'; last error: '...'}. */
    static String describeAsync(NcclException e) {
        StringBuilder sb = new StringBuilder("NCCL reported ")
                .append(e.result() == NcclResult.UNKNOWN ? "ncclResult_t " + e.rawResult()
                        : e.result().cName() + " (" + e.rawResult() + ")")
                .append(" asynchronously");
        if (e.errorString() != null && !e.errorString().isBlank()) sb.append(": '").append(e.errorString()).append('\'');
        if (e.lastError() != null && !e.lastError().isBlank()) sb.append("; last error: '").append(e.lastError().strip()).append('\'');
        return sb.toString();
    }
}
