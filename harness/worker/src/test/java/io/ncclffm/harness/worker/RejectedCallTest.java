package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.NcclException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;

/**
 * Which failures count towards giving up on fresh communicators: a call NCCL rejected outright (fp8 avg at one
 * rank returns ncclInvalidArgument) is that call's gap; a call NCCL accepted and then failed is not.
 */
class RejectedCallTest {

    private static CheckResult fromException(NcclException e) {
        Outcome o = Reporter.outcomeOf(e);
        return new CheckResult(0, "allreduce/x", "allreduce", Map.of(), o.status(), o.message(), 1, List.of(), o.data(), o.cause(),
                o.ncclResult(), o.fingerprint());
    }

    @Test
    void invalidArgumentAndInvalidUsage_areRejectedCalls() {
        assertTrue(RankWorker.rejectedCall(fromException(new NcclException("ncclAllReduce", 4, "invalid argument", null))));
        assertTrue(RankWorker.rejectedCall(fromException(new NcclException("ncclAllReduce", 5, "invalid usage", null))));
    }

    @Test
    void systemAndInternalErrors_wrongValuesAndTimeouts_areNot() {
        assertFalse(RankWorker.rejectedCall(fromException(new NcclException("ncclAllReduce", 2, "unhandled system error", "Socket recv failed"))));
        assertFalse(RankWorker.rejectedCall(fromException(new NcclException("ncclAllReduce", 3, "internal error", null))));
        assertFalse(RankWorker.rejectedCall(new CheckResult(0, "a", "a", Map.of(), CheckStatus.FAILED, "1 of 1 differ", 1, List.of(),
                Map.of(), Cause.WRONG_VALUES)));
        assertFalse(RankWorker.rejectedCall(new CheckResult(0, "a", "a", Map.of(), CheckStatus.FAILED, "timed out", 1, List.of(),
                Map.of(), Cause.TIMEOUT)));
    }
}
