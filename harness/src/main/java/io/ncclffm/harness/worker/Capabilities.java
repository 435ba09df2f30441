package io.ncclffm.harness.worker;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/** Why a dtype or op cannot be checked on this library and device, or {@code null} when it can. */
final class Capabilities {

    private Capabilities() {
    }

    static String whyNot(RankSession s, DataType t) {
        if (!s.nccl.supports(t)) {
            return t.shortName() + " needs " + s.nccl.flavor().displayName() + " >= " + t.since(s.nccl.flavor())
                    + "; library is " + s.nccl.version();
        }
        boolean fp8 = t == DataType.FLOAT8_E4M3 || t == DataType.FLOAT8_E5M2;
        if (fp8 && s.device != null && s.config.gpu() == WorkerConfig.Gpu.CUDA) {
            int cc = s.device.computeCapability(s.config.deviceOrdinal());
            if (cc < 90) return t.shortName() + " reductions need sm_90 or newer; device is sm_" + cc;
        }
        return null;
    }

    static String whyNot(RankSession s, ReduceOp op) {
        if (!s.nccl.supports(op)) {
            return op.shortName() + " needs NCCL >= " + op.since() + "; library is " + s.nccl.version();
        }
        return null;
    }

    static String whyNot(RankSession s, DataType t, ReduceOp op) {
        String why = whyNot(s, t);
        return why != null ? why : whyNot(s, op);
    }
}
