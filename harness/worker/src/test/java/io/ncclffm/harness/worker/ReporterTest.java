package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ncclffm.NcclException;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.NcclVersion;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckResult;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerEvent;

class ReporterTest {

    @Test
    void outcomeOf_ncclTimeout_isATimeoutFailureThatSaysSo() {
        Outcome o = Reporter.outcomeOf(new NcclTimeoutException("ncclAllReduce", Duration.ofSeconds(60), null));
        assertEquals(CheckStatus.FAILED, o.status());
        assertEquals(Cause.TIMEOUT, o.cause());
        assertTrue(o.message().startsWith("timed out: ncclAllReduce failed"), o.message());
    }

    @Test
    void outcomeOf_streamTimeout_isATimeoutFailure() {
        Outcome o = Reporter.outcomeOf(new DeviceTimeoutException("stream 0x10", Duration.ofSeconds(5)));
        assertEquals(Cause.TIMEOUT, o.cause());
        assertEquals("timed out: stream 0x10 did not complete within 5000 ms", o.message());
    }

    @Test
    void outcomeOf_unsupported_isAReleaseGapSkip() {
        Outcome o = Reporter.outcomeOf(new NcclUnsupportedException("ncclBfloat16", "NCCL 2.8.4 (x.so)", NcclVersion.of(2, 10, 0)));
        assertEquals(CheckStatus.SKIPPED, o.status());
        assertEquals(Cause.RELEASE_GAP, o.cause());
        assertEquals("ncclBfloat16 is not available in NCCL 2.8.4 (x.so); it needs NCCL >= 2.10.0", o.message());
    }

    @Test
    void outcomeOf_ncclError_isAnNcclErrorFailureWithNcclsWords() {
        Outcome o = Reporter.outcomeOf(new NcclException("ncclAllReduce", 5, "invalid usage", "bad root"));
        assertEquals(CheckStatus.FAILED, o.status());
        assertEquals(Cause.NCCL_ERROR, o.cause());
        assertEquals("ncclAllReduce failed: ncclInvalidUsage (5): 'invalid usage'; last error: 'bad root'", o.message());
    }

    @Test
    void outcomeOf_checkFailure_keepsItsCause() {
        Outcome timeout = Reporter.outcomeOf(new CheckFailure(Cause.TIMEOUT, "stream hung; NCCL reported x", null));
        assertEquals(Cause.TIMEOUT, timeout.cause());
        assertEquals("timed out: stream hung; NCCL reported x", timeout.message());
        assertEquals(Cause.NCCL_ERROR, Reporter.outcomeOf(new CheckFailure(Cause.NCCL_ERROR, "m", null)).cause());
    }

    @Test
    void outcomeOf_anythingElse_isBrokenInfrastructure() {
        Outcome o = Reporter.outcomeOf(new IllegalStateException("rendezvous closed"));
        assertEquals(CheckStatus.BROKEN, o.status());
        assertEquals(Cause.INFRASTRUCTURE, o.cause());
        assertEquals("IllegalStateException: rendezvous closed", o.message());
        assertEquals(Cause.INFRASTRUCTURE, Reporter.outcomeOf(new DeviceException("cudaMemcpy", 700, "illegal address")).cause());
    }

    @Test
    void run_writesTheCauseIntoTheResultLine_andATimeoutIsRemembered() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Reporter reporter = new Reporter(3, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        CheckResult r = reporter.run(CheckSpec.of("allreduce/x", "allreduce", Map.of(), () -> {
            throw new NcclTimeoutException("ncclAllReduce", Duration.ofMillis(10), null);
        }));
        assertEquals(Cause.TIMEOUT, r.cause());
        assertTrue(reporter.timedOut());
        String line = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"check\"")).findFirst().orElseThrow();
        assertTrue(line.contains("\"cause\":\"TIMEOUT\""), line);
        WorkerEvent.Check decoded = (WorkerEvent.Check) EventCodec.decode(line);
        assertEquals(Cause.TIMEOUT, decoded.result().cause());
    }

    @Test
    void run_aPass_hasNoCause_andIsNoTimeout() {
        Reporter reporter = new Reporter(0, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        CheckResult r = reporter.run(CheckSpec.of("version", "version", Map.of(), () -> Outcome.passed("ok")));
        assertEquals(CheckStatus.PASSED, r.status());
        assertEquals(null, r.cause());
        assertFalse(reporter.timedOut());
    }
}
