package io.ncclffm.harness.protocol;

import java.util.List;
import java.util.Map;

/**
 * One check as one rank reports it: a line of the worker's JSON output.
 *
 * @param id         stable identifier, e.g. {@code allreduce/bfloat16/avg/1021/out-of-place}
 * @param group      the family the grid rolls it up into, e.g. {@code allreduce bfloat16}
 * @param params     every axis of the check (dtype, op, count, placement, world, ...)
 * @param status     outcome on this rank
 * @param message    why, for anything but a pass; the evidence summary for a pass
 * @param millis     wall time of the check on this rank
 * @param mismatches the first differing elements, if any
 * @param data       measured values a reader may show (e.g. the loaded library's path)
 * @param cause      why it did not pass (JSON {@code cause}); {@code null} for a pass, and for a result that does
 *                   not state one (a line from a worker that predates causes); otherwise of the same status
 * @param ncclResult the code of the NCCL call that failed the check, or {@code null} when no NCCL call returned an error
 * @param fingerprint the unique-ID exchange: the fingerprint of the ID this rank will use; {@code null} elsewhere
 */
public record CheckResult(
        int rank,
        String id,
        String group,
        Map<String, String> params,
        CheckStatus status,
        String message,
        long millis,
        List<Mismatch> mismatches,
        Map<String, String> data,
        Cause cause,
        NcclResultCode ncclResult,
        UniqueIdFingerprint fingerprint) {

    public CheckResult {
        params = params == null ? Map.of() : Map.copyOf(params);
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
        data = data == null ? Map.of() : Map.copyOf(data);
        if (cause != null && cause.status() != status) {
            throw new IllegalArgumentException("check " + id + ": cause " + cause + " belongs to status " + cause.status()
                    + ", not " + status);
        }
    }

    /** A result with neither an NCCL result code nor a fingerprint. */
    public CheckResult(int rank, String id, String group, Map<String, String> params, CheckStatus status,
                       String message, long millis, List<Mismatch> mismatches, Map<String, String> data, Cause cause) {
        this(rank, id, group, params, status, message, millis, mismatches, data, cause, null, null);
    }

    /** A result without a stated cause; see {@link #cause()}. */
    public CheckResult(int rank, String id, String group, Map<String, String> params, CheckStatus status,
                       String message, long millis, List<Mismatch> mismatches, Map<String, String> data) {
        this(rank, id, group, params, status, message, millis, mismatches, data, null);
    }
}
