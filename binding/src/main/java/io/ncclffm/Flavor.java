package io.ncclffm;

/** Which implementation of the NCCL API a library is. */
public enum Flavor {
    /** NVIDIA's NCCL. */
    NCCL("NCCL"),
    /** AMD's RCCL, which implements the NCCL API over HIP and reports the NCCL API level it follows. */
    RCCL("RCCL");

    private final String displayName;

    Flavor(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
