package io.ncclffm.harness.worker;

import java.util.Objects;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;

/** Why a check is skipped: a cause of status SKIPPED and the reason in words. */
record Gap(Cause cause, String reason) {

    Gap {
        Objects.requireNonNull(reason, "reason");
        if (cause.status() != CheckStatus.SKIPPED) throw new IllegalArgumentException("a gap is a skip, not " + cause);
    }
}
