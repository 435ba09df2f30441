package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.NcclResult;
import io.ncclffm.ReduceOp;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceTimeoutException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;

/**
 * A collective that failed reports NCCL's own error: after the stream sync, one ncclCommGetAsyncError; if NCCL
 * holds an error, the check fails with it first and the value comparison after it.
 */
class WorkerAsyncErrorTest {

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    @AfterEach
    void clear() {
        stub.load(22203);
    }

    private static final String SYSTEM_ERROR = "NCCL reported ncclSystemError (2) asynchronously: 'unhandled system error"
            + " (run with NCCL_DEBUG=INFO for details)'; last error: 'Socket recv failed'";

    /** A device whose stream sync ends as {@code failure}; nothing else of it is used. */
    private static DeviceRuntime deviceWhoseSyncThrows(DeviceException failure) {
        return (DeviceRuntime) Proxy.newProxyInstance(DeviceRuntime.class.getClassLoader(), new Class<?>[] {DeviceRuntime.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("synchronize")) throw failure;
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Outcome int8Sum(byte got, byte expected) {
        return AllReduceChecks.compare(DataType.INT8, ReduceOp.SUM, 1, 1, new byte[] {got}, new byte[] {expected}, "out of place");
    }

    @Test
    void asyncError_carriesTheResultAndNcclsWords() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            assertNull(s.asyncError(), "no error before one happened");
            stub.setAsyncError(2, "Socket recv failed");
            NcclException e = s.asyncError();
            assertEquals(NcclResult.SYSTEM_ERROR, e.result());
            assertEquals("unhandled system error (run with NCCL_DEBUG=INFO for details)", e.errorString());
            assertEquals("Socket recv failed", e.lastError());
        }
    }

    @Test
    void wrongValuesWithAnAsyncError_failAsNcclErrorWithBoth() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            stub.setAsyncError(2, "Socket recv failed");
            Outcome o = int8Sum((byte) 0xa5, (byte) 16).withAsyncError(s.asyncError());
            assertEquals(CheckStatus.FAILED, o.status());
            assertEquals(Cause.NCCL_ERROR, o.cause());
            assertEquals(SYSTEM_ERROR + "; and 1 of 1 elements differ; first: [0] got -91 (0xa5), expected 16 (0x10)", o.message());
            assertEquals(1, o.mismatches().size());
        }
    }

    @Test
    void rightValuesWithAnAsyncError_stillFail() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            stub.setAsyncError(6, "peer 1 closed the connection");
            Outcome o = int8Sum((byte) 16, (byte) 16).withAsyncError(s.asyncError());
            assertEquals(Cause.NCCL_ERROR, o.cause());
            assertEquals("NCCL reported ncclRemoteError (6) asynchronously: 'remote process exited or there was a network error';"
                    + " last error: 'peer 1 closed the connection'; yet the values match: " + int8Sum((byte) 16, (byte) 16).message(),
                    o.message());
        }
    }

    @Test
    void withoutAnAsyncError_theComparisonStands() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            Outcome wrong = int8Sum((byte) 1, (byte) 16);
            assertSame(wrong, wrong.withAsyncError(s.asyncError()));
            assertEquals(Cause.WRONG_VALUES, wrong.cause());
        }
    }

    @Test
    void aStreamTimeoutWithAnAsyncError_isATimeoutThatNamesNcclsError() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            s.device = deviceWhoseSyncThrows(new DeviceTimeoutException("stream 0x1", Duration.ofSeconds(60)));
            stub.setAsyncError(2, "Socket recv failed");
            CheckFailure f = assertThrows(CheckFailure.class, s::awaitCollective);
            Outcome o = Reporter.outcomeOf(f);
            assertEquals(Cause.TIMEOUT, o.cause());
            assertEquals("timed out: stream 0x1 did not complete within 60000 ms; " + SYSTEM_ERROR, o.message());
        }
    }

    @Test
    void aFailedSyncWithAnAsyncError_isAnNcclError() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            s.device = deviceWhoseSyncThrows(new DeviceException("cudaStreamQuery", 700, "an illegal memory access"));
            stub.setAsyncError(1, "Cuda failure 'an illegal memory access'");
            Outcome o = Reporter.outcomeOf(assertThrows(CheckFailure.class, s::awaitCollective));
            assertEquals(Cause.NCCL_ERROR, o.cause());
            assertEquals("NCCL reported ncclUnhandledCudaError (1) asynchronously: 'unhandled cuda error (run with NCCL_DEBUG=INFO"
                    + " for details)'; last error: 'Cuda failure 'an illegal memory access''; and the stream sync failed:"
                    + " cudaStreamQuery failed: 700 (an illegal memory access)", o.message());
        }
    }

    @Test
    void aFailedSyncWithoutAnAsyncError_isTheDevicesOwnException() {
        try (RankSession s = WorkerSessions.withCommunicator(stub, WorkerSessions.config())) {
            DeviceTimeoutException hang = new DeviceTimeoutException("stream 0x1", Duration.ofSeconds(60));
            s.device = deviceWhoseSyncThrows(hang);
            assertSame(hang, assertThrows(DeviceTimeoutException.class, s::awaitCollective));
        }
    }
}
