package io.ncclffm.harness.matrix;

/**
 * Which GPUs the ranks of a cell get.
 *
 * @param vendor     whose GPUs, or none
 * @param assign     how ranks and GPUs pair up
 * @param access     NVIDIA containers: how they reach the GPU
 * @param driverLibs {@link Access#DEVICES} access: the host folder with libcuda.so.1 and friends; {@code null} = find it
 */
public record GpuAssignment(Vendor vendor, Assign assign, Access access, String driverLibs) {

    public enum Vendor { NONE, NVIDIA, AMD }

    public enum Assign {
        /** Every rank sees every GPU and uses device {@code rank % n}. */
        ALL,
        /** Rank i sees only GPU i. */
        PER_RANK,
        /** Every rank uses GPU 0; NCCL then needs a distinct {@code NCCL_HOSTID} per rank, which the launchers set. */
        SHARED
    }

    public enum Access {
        /** A DeviceRequest through the NVIDIA container toolkit. */
        TOOLKIT,
        /** Pass {@code /dev/nvidia*} and bind-mount the driver's libraries, for hosts without the toolkit. */
        DEVICES
    }

    public static final GpuAssignment NONE = new GpuAssignment(Vendor.NONE, Assign.ALL, Access.TOOLKIT, null);

    public GpuAssignment {
        if (vendor == null || assign == null || access == null) {
            throw new IllegalArgumentException("a GPU assignment names its vendor, assignment and access");
        }
    }

    public boolean present() {
        return vendor != Vendor.NONE;
    }

    public boolean nvidia() {
        return vendor == Vendor.NVIDIA;
    }

    public boolean amd() {
        return vendor == Vendor.AMD;
    }

    /** e.g. {@code nvidia/per-rank/devices}, {@code amd/all}, {@code none}, in the matrix file's words. */
    @Override
    public String toString() {
        if (!present()) return "none";
        return Words.of(vendor) + "/" + Words.of(assign) + (nvidia() ? "/" + Words.of(access) : "");
    }
}
