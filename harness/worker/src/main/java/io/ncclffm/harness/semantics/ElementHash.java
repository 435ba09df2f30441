package io.ncclffm.harness.semantics;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * Deterministic pseudo-random bits per (cell, element, rank), so that every rank can generate every other rank's
 * input without communicating, and a rerun reproduces a failure exactly. SplitMix64's finalizer: cheap enough for
 * millions of elements and well mixed in every bit, which the bulk of the pattern relies on to vary all bytes.
 */
final class ElementHash {
    private static final long GOLDEN = 0x9e37_79b9_7f4a_7c15L;

    private ElementHash() {
    }

    static long cell(DataType t, ReduceOp op, int world) {
        return mix(((long) t.code() << 40) ^ ((long) op.code() << 20) ^ world ^ 0x6e63_636cL);
    }

    static long element(long cell, long i) {
        return mix(cell + i * GOLDEN);
    }

    static long rank(long element, int rank) {
        return mix(element ^ (rank + 1L) * 0xbf58_476d_1ce4_e5b9L);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return z ^ (z >>> 31);
    }

    /** A value in {@code [lo, hi]} from the top bits of {@code h}. */
    static int between(long h, int lo, int hi) {
        return lo + (int) (((h >>> 33) * (hi - lo + 1L)) >>> 31);
    }
}
