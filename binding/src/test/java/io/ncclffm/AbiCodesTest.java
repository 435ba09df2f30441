package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The enumerators of the newest nccl.h (2.29/2.30), written out as the header has them. The harness's
 * {@code NcclHeaderIT} compares the same enums against a real nccl.h from Debian's libnccl-dev.
 */
class AbiCodesTest {

    @Test
    void dataTypes_matchNcclH() {
        Map<String, Integer> header = new LinkedHashMap<>();
        header.put("ncclInt8", 0);
        header.put("ncclUint8", 1);
        header.put("ncclInt32", 2);
        header.put("ncclUint32", 3);
        header.put("ncclInt64", 4);
        header.put("ncclUint64", 5);
        header.put("ncclFloat16", 6);
        header.put("ncclFloat32", 7);
        header.put("ncclFloat64", 8);
        header.put("ncclBfloat16", 9);
        header.put("ncclFloat8e4m3", 10);
        header.put("ncclFloat8e5m2", 11);
        Map<String, Integer> binding = new LinkedHashMap<>();
        Arrays.stream(DataType.values()).filter(t -> t != DataType.UNKNOWN).forEach(t -> binding.put(t.cName(), t.code()));
        assertEquals(header, binding);
    }

    @Test
    void dataTypes_haveTheirElementSizes() {
        assertEquals("int8=1 uint8=1 int32=4 uint32=4 int64=8 uint64=8 float16=2 float32=4 float64=8 bfloat16=2 "
                        + "float8e4m3=1 float8e5m2=1",
                String.join(" ", Arrays.stream(DataType.values()).filter(t -> t != DataType.UNKNOWN)
                        .map(t -> t.shortName() + "=" + t.size()).toList()));
    }

    @Test
    void reduceOps_matchNcclH() {
        assertEquals("ncclSum=0 ncclProd=1 ncclMax=2 ncclMin=3 ncclAvg=4",
                String.join(" ", Arrays.stream(ReduceOp.values()).filter(o -> o != ReduceOp.UNKNOWN)
                        .map(o -> o.cName() + "=" + o.code()).toList()));
    }

    @Test
    void results_matchNcclH() {
        assertEquals("ncclSuccess=0 ncclUnhandledCudaError=1 ncclSystemError=2 ncclInternalError=3 "
                        + "ncclInvalidArgument=4 ncclInvalidUsage=5 ncclRemoteError=6 ncclInProgress=7 ncclTimeout=8",
                String.join(" ", Arrays.stream(NcclResult.values()).filter(r -> r != NcclResult.UNKNOWN)
                        .map(r -> r.cName() + "=" + r.code()).toList()));
    }

    @Test
    void unknownCodes_mapToUnknown() {
        assertEquals(DataType.UNKNOWN, DataType.fromCode(12));
        assertEquals(DataType.UNKNOWN, DataType.fromCode(-1));
        assertEquals(ReduceOp.UNKNOWN, ReduceOp.fromCode(5), "5 is ncclNumOps, the first user-created operator");
        assertEquals(NcclResult.UNKNOWN, NcclResult.fromCode(9));
        assertEquals(DataType.BFLOAT16, DataType.fromCode(9));
    }

    @Test
    void releaseGates_followNcclHistory() {
        NcclVersion v2_9 = NcclVersion.of(2, 9, 9);
        NcclVersion v2_10 = NcclVersion.of(2, 10, 3);
        NcclVersion v2_22 = NcclVersion.of(2, 22, 3);
        NcclVersion v2_24 = NcclVersion.of(2, 24, 3);
        assertEquals(false, DataType.BFLOAT16.supportedBy(Flavor.NCCL, v2_9));
        assertEquals(true, DataType.BFLOAT16.supportedBy(Flavor.NCCL, v2_10));
        assertEquals(false, ReduceOp.AVG.supportedBy(v2_9));
        assertEquals(true, ReduceOp.AVG.supportedBy(v2_10));
        assertEquals(false, DataType.FLOAT8_E4M3.supportedBy(Flavor.NCCL, v2_22));
        assertEquals(true, DataType.FLOAT8_E5M2.supportedBy(Flavor.NCCL, v2_24));
        // RCCL of ROCm 5.4.3 (API 2.13.4) has bf16 and avg, but no fp8
        NcclVersion rocm543 = NcclVersion.decode(21304);
        assertEquals(true, DataType.BFLOAT16.supportedBy(Flavor.RCCL, rocm543));
        assertEquals(false, DataType.FLOAT8_E4M3.supportedBy(Flavor.RCCL, rocm543));
        assertEquals(false, DataType.UNKNOWN.supportedBy(Flavor.NCCL, v2_24));
    }
}
