package io.ncclffm.harness.matrix;

/**
 * Which GPUs the ranks of a cell get.
 *
 * @param vendor     {@code none}, {@code nvidia} or {@code amd}
 * @param assign     {@code all} (every rank sees every GPU and uses device {@code rank % n}), {@code per-rank} (rank
 *                   i sees only GPU i), or {@code shared} (every rank uses GPU 0; NCCL then needs a distinct
 *                   {@code NCCL_HOSTID} per rank, which the launchers set)
 * @param access     NVIDIA containers: {@code toolkit} (a DeviceRequest through the NVIDIA container toolkit) or
 *                   {@code devices} (pass {@code /dev/nvidia*} and bind-mount the driver's libraries, for hosts
 *                   without the toolkit)
 * @param driverLibs {@code devices} access: the host folder with libcuda.so.1 and friends; {@code null} = find it
 */
public record GpuAssignment(String vendor, String assign, String access, String driverLibs) {

    public static final GpuAssignment NONE = new GpuAssignment("none", "all", "toolkit", null);

    public boolean present() {
        return !"none".equals(vendor);
    }

    public boolean nvidia() {
        return "nvidia".equals(vendor);
    }

    public boolean amd() {
        return "amd".equals(vendor);
    }

    @Override
    public String toString() {
        if (!present()) return "none";
        return vendor + "/" + assign + (nvidia() ? "/" + access : "");
    }
}
