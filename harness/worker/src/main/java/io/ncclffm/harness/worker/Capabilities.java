package io.ncclffm.harness.worker;

import java.util.List;
import java.util.stream.Collectors;

import io.ncclffm.DataType;
import io.ncclffm.Feature;
import io.ncclffm.Nccl;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * Why a planned check cannot run on this library and device, from the requirements it was planned with; or
 * {@code null} when it can. A release's gap comes before the device's: the grid should say what a release lacks
 * on every machine, GPU or not.
 */
final class Capabilities {

    /** float8 reductions need Hopper (sm_90) or newer; NCCL rejects them on older devices. */
    static final int FLOAT8_MIN_COMPUTE_CAPABILITY = 90;

    private Capabilities() {
    }

    /** The first release gap, else the first device gap, among {@code spec}'s requirements. */
    static Gap gap(RankSession s, CheckSpec spec) {
        Gap release = releaseGap(s.nccl, spec.requirements());
        return release != null ? release : deviceGap(s, spec.requirements());
    }

    /**
     * Why a planned GPU check cannot run on a cell that assigns no GPU: the release's own gap when it has one (so
     * that the CPU grid still shows what each release lacks), else that it needs a GPU.
     */
    static Gap withoutGpu(RankSession s, CheckSpec spec) {
        Gap release = releaseGap(s.nccl, spec.requirements());
        return release != null ? release : new Gap(Cause.NO_GPU, "needs a GPU: the cell assigns none");
    }

    static Gap releaseGap(Nccl nccl, List<Requirement> requirements) {
        for (Requirement r : requirements) {
            String why = releaseGap(nccl, r);
            if (why != null) return new Gap(Cause.RELEASE_GAP, why);
        }
        return null;
    }

    private static String releaseGap(Nccl nccl, Requirement r) {
        String library = nccl.flavor().displayName() + " " + nccl.version();
        return switch (r) {
            case Requirement.Type(DataType t) -> nccl.supports(t) ? null
                    : t.shortName() + " needs " + nccl.flavor().displayName() + " >= " + t.since(nccl.flavor())
                            + "; library is " + library;
            case Requirement.Op(var op) -> nccl.supports(op) ? null
                    : op.shortName() + " needs NCCL >= " + op.since() + "; library is " + library;
            case Requirement.Function(Feature f, String purpose) -> nccl.supports(f) ? null
                    : (purpose == null ? "" : purpose + ": ") + functions(f) + " NCCL >= " + f.since()
                            + "; library is " + library;
            case Requirement.Release(var since, String what) -> nccl.version().atLeast(since) ? null
                    : what + " needs NCCL >= " + since + "; library is " + library;
        };
    }

    /** The functions {@code f} needs, with the verb: "ncclSend/ncclRecv need", "ncclAlltoAll or ncclAllToAll needs". */
    private static String functions(Feature f) {
        List<Feature.Symbol> fns = f.functions();
        return fns.stream().map(Feature.Symbol::describe).collect(Collectors.joining("/"))
                + (fns.size() == 1 ? " needs" : " need");
    }

    /** float8 on a CUDA device older than sm_90; needs the device, so only once the communicator's GPU is open. */
    static Gap deviceGap(RankSession s, List<Requirement> requirements) {
        if (s.device == null || s.config.identity().gpu() != WorkerConfig.Gpu.CUDA) return null;
        for (Requirement r : requirements) {
            if (r instanceof Requirement.Type(DataType t) && (t == DataType.FLOAT8_E4M3 || t == DataType.FLOAT8_E5M2)) {
                int cc = s.device.computeCapability(s.config.identity().device());
                if (cc < FLOAT8_MIN_COMPUTE_CAPABILITY) {
                    return new Gap(Cause.DEVICE_GAP, t.shortName() + " reductions need sm_" + FLOAT8_MIN_COMPUTE_CAPABILITY
                            + " or newer; device is sm_" + cc);
                }
            }
        }
        return null;
    }
}
