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

    /**
     * Why a planned GPU check cannot run on a machine without a GPU: the release's own gap when it has one (so the
     * CPU grid still shows what each release lacks), else that it needs a GPU.
     */
    static String withoutGpu(RankSession s, io.ncclffm.harness.model.WorkerEvent.PlannedCheck check) {
        String dtype = check.params().get("dtype");
        String op = check.params().get("op");
        String why = null;
        if (dtype != null) why = whyNot(s, DataType.fromName(dtype));
        if (why == null && op != null) why = whyNot(s, ReduceOp.fromName(op));
        if (why == null && check.id().startsWith("alltoall/") && !s.nccl.supports(io.ncclffm.Feature.ALL_TO_ALL)) {
            why = "ncclAlltoAll needs NCCL >= " + io.ncclffm.Feature.ALL_TO_ALL.since() + "; library is " + s.nccl.version();
        }
        if (why == null && check.id().startsWith("sendrecv/") && !s.nccl.supports(io.ncclffm.Feature.SEND_RECV)) {
            why = "ncclSend/ncclRecv need NCCL >= " + io.ncclffm.Feature.SEND_RECV.since() + "; library is " + s.nccl.version();
        }
        if (why == null && check.id().equals("abort-hung-init") && !s.nccl.supports(io.ncclffm.Feature.INIT_RANK_CONFIG)) {
            why = "aborting a hung init needs ncclCommInitRankConfig (NCCL >= " + io.ncclffm.Feature.INIT_RANK_CONFIG.since()
                    + "); library is " + s.nccl.flavor().displayName() + " " + s.nccl.version();
        }
        return why != null ? why : "needs a GPU: the cell assigns none";
    }

    static String whyNot(RankSession s, DataType t, ReduceOp op) {
        String why = whyNot(s, t);
        return why != null ? why : whyNot(s, op);
    }
}
