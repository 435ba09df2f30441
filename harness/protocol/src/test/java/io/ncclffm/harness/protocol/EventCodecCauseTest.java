package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EventCodecCauseTest {

    private static CheckResult result(CheckStatus status, Cause cause) {
        return new CheckResult(1, "alltoall/float32", "alltoall", Map.of("dtype", "float32"), status, "m", 3, List.of(),
                Map.of(), cause);
    }

    @Test
    void cause_travelsAsItsName_andComesBackTheSame() {
        String line = EventCodec.encode(new WorkerEvent.Check(1, result(CheckStatus.SKIPPED, Cause.RELEASE_GAP)));
        assertTrue(line.contains("\"cause\":\"RELEASE_GAP\""), line);
        WorkerEvent.Check back = (WorkerEvent.Check) EventCodec.decode(line);
        assertEquals(result(CheckStatus.SKIPPED, Cause.RELEASE_GAP), back.result());
    }

    @Test
    void aLineWithoutCause_decodesWithNoCause() {
        String line = "{\"event\":\"check\",\"rank\":0,\"result\":{\"rank\":0,\"id\":\"version\",\"group\":\"version\","
                + "\"params\":{},\"status\":\"FAILED\",\"message\":\"m\",\"millis\":1,\"mismatches\":[],\"data\":{}}}";
        WorkerEvent.Check back = (WorkerEvent.Check) EventCodec.decode(line);
        assertEquals(CheckStatus.FAILED, back.result().status());
        assertNull(back.result().cause());
    }

    @Test
    void theConstructorWithoutCause_statesNone() {
        CheckResult r = new CheckResult(0, "x", "x", Map.of(), CheckStatus.BROKEN, "m", 0, List.of(), Map.of());
        assertNull(r.cause());
    }

    @Test
    void aCauseOfAnotherStatus_isRejectedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> result(CheckStatus.PASSED, Cause.TIMEOUT));
        assertEquals("check alltoall/float32: cause TIMEOUT belongs to status FAILED, not PASSED", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> result(CheckStatus.SKIPPED, Cause.WRONG_VALUES));
    }

    @Test
    void everyCause_belongsToANonPassingStatus() {
        for (Cause c : Cause.values()) assertTrue(c.status() != CheckStatus.PASSED, c.name());
        assertEquals(Cause.INFRASTRUCTURE.status(), CheckStatus.BROKEN);
    }
}
