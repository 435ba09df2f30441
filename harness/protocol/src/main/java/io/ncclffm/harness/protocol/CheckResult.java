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
 * @param data       measured values other checks or reports use (e.g. the unique-ID fingerprint)
 * @param cause      why it did not pass (JSON {@code cause}); {@code null} for a pass, and for a result that does
 *                   not state one (a line from a worker that predates causes); otherwise of the same status
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
        Cause cause) {

    public CheckResult {
        params = params == null ? Map.of() : Map.copyOf(params);
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
        data = data == null ? Map.of() : Map.copyOf(data);
        if (cause != null && cause.status() != status) {
            throw new IllegalArgumentException("check " + id + ": cause " + cause + " belongs to status " + cause.status()
                    + ", not " + status);
        }
    }

    /** A result without a stated cause; see {@link #cause()}. */
    public CheckResult(int rank, String id, String group, Map<String, String> params, CheckStatus status,
                       String message, long millis, List<Mismatch> mismatches, Map<String, String> data) {
        this(rank, id, group, params, status, message, millis, mismatches, data, null);
    }
}
