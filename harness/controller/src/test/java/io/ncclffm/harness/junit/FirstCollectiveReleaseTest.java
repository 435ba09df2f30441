package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.launch.RankObserver;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.WorkerEvent;

/** When a build's first run lets its other runs start: at its first passed collective, not before. */
class FirstCollectiveReleaseTest {

    private static WorkerEvent.Check check(String id, String group, CheckStatus status) {
        return new WorkerEvent.Check(0, new CheckResult(0, id, group, Map.of(), status, "", 1, List.of(), Map.of()));
    }

    @Test
    void hostChecks_init_andFailures_doNotRelease_aPassedCollectiveDoes() {
        AtomicInteger released = new AtomicInteger();
        RankObserver o = CompatibilityMatrix.releasingOnFirstCollective(released::incrementAndGet);
        o.onEvent(null, new WorkerEvent.Progress(0, "comm-init"));
        o.onEvent(null, check("version", "version", CheckStatus.PASSED));
        o.onEvent(null, check("unique-id", "unique-id", CheckStatus.PASSED));
        o.onEvent(null, check("comm-init", "comm-init", CheckStatus.PASSED));
        o.onEvent(null, check("allreduce/float32/sum/1/in-place", "allreduce float32", CheckStatus.FAILED));
        o.onEvent(null, check("allreduce/float32/sum/1/in-place", "allreduce float32", CheckStatus.SKIPPED));
        assertEquals(0, released.get(), "nothing ran on the GPU yet");
        o.onEvent(null, check("self-test", "features", CheckStatus.PASSED));
        assertEquals(1, released.get());
    }
}
