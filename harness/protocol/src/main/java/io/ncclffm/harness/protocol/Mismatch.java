package io.ncclffm.harness.protocol;

/** One element that differs: where, what the device produced, what the host model says NCCL must produce. */
public record Mismatch(long index, String got, String expected) {

    @Override
    public String toString() {
        return "[" + index + "] got " + got + ", expected " + expected;
    }
}
