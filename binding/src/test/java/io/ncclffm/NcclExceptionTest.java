package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class NcclExceptionTest {

    @Test
    void message_carriesOperationResultCodeAndNcclsWords() {
        NcclException e = new NcclException("ncclCommInitRank", 1,
                "unhandled cuda error (run with NCCL_DEBUG=INFO for details)",
                "Cuda failure 35 'CUDA driver version is insufficient for CUDA runtime version'\n");
        assertEquals("ncclCommInitRank failed: ncclUnhandledCudaError (1): "
                + "'unhandled cuda error (run with NCCL_DEBUG=INFO for details)'; "
                + "last error: 'Cuda failure 35 'CUDA driver version is insufficient for CUDA runtime version''", e.getMessage());
        assertEquals(NcclResult.UNHANDLED_CUDA_ERROR, e.result());
        assertEquals(1, e.rawResult());
        assertEquals("ncclCommInitRank", e.operation());
    }

    @Test
    void unknownResult_keepsTheRawCode() {
        NcclException e = new NcclException("ncclAllReduce", 42, "unknown result code", null);
        assertEquals(NcclResult.UNKNOWN, e.result());
        assertEquals(42, e.rawResult());
        assertTrue(e.getMessage().startsWith("ncclAllReduce failed: ncclResult_t 42: 'unknown result code'"), e.getMessage());
        assertNull(e.lastError());
    }

    @Test
    void everyKnownResult_isNamedAsInNcclH() {
        for (NcclResult r : NcclResult.values()) {
            if (r == NcclResult.UNKNOWN || r == NcclResult.SUCCESS) continue;
            NcclException e = new NcclException("op", r.code(), "text", null);
            assertEquals(r, e.result());
            assertTrue(e.getMessage().contains(r.cName() + " (" + r.code() + ")"), e.getMessage());
        }
    }

    @Test
    void timeout_saysTheCommunicatorWasAborted() {
        NcclTimeoutException e = new NcclTimeoutException("ncclCommInitRankConfig", Duration.ofSeconds(3), null);
        assertTrue(e.getMessage().contains("3000 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("ncclCommAbort"), e.getMessage());
        assertEquals(NcclResult.IN_PROGRESS, e.result());
    }

    @Test
    void unsupported_namesTheReleaseThatIntroducedIt() {
        NcclUnsupportedException e = new NcclUnsupportedException("ncclBfloat16", "NCCL 2.8.4 (libnccl.so.2)",
                DataType.BFLOAT16.since(Flavor.NCCL));
        assertEquals("ncclBfloat16 is not available in NCCL 2.8.4 (libnccl.so.2); it needs NCCL >= 2.10.0", e.getMessage());
    }
}
