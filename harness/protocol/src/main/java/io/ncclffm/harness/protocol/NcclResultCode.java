package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.ncclffm.NcclResult;

/**
 * The {@code ncclResult_t} an NCCL call returned, as the raw number: a release newer than this build may return a
 * code the binding does not name ({@link NcclResult#UNKNOWN}), and the number is what its documentation looks up. It
 * travels as a JSON number.
 *
 * @param raw the code as the library returned it
 */
public record NcclResultCode(@JsonValue int raw) {

    @JsonCreator
    public static NcclResultCode of(int raw) {
        return new NcclResultCode(raw);
    }

    /** The binding's name for it; {@link NcclResult#UNKNOWN} for a code this build does not know. */
    public NcclResult result() {
        return NcclResult.fromCode(raw);
    }

    /**
     * Whether NCCL rejected the call outright ({@code ncclInvalidArgument} or {@code ncclInvalidUsage}): that says
     * nothing about whether the next, different call on the same communicator can work.
     */
    public boolean rejectedTheCall() {
        return raw == NcclResult.INVALID_ARGUMENT.code() || raw == NcclResult.INVALID_USAGE.code();
    }

    @Override
    public String toString() {
        NcclResult r = result();
        return r == NcclResult.UNKNOWN ? "ncclResult_t " + raw : r.cName() + " (" + raw + ")";
    }
}
