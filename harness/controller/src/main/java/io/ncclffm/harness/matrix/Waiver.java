package io.ncclffm.harness.matrix;

/**
 * A known gap or a waived failure, declared next to its reason and a link. A waived check that fails is reported
 * as waived (skipped, with the reason) instead of failing the gate; one that passes is reported as passing and
 * the waiver as stale.
 *
 * @param cell   cell name, or a glob such as {@code rccl-*}
 * @param check  check id glob, e.g. {@code graph/*} ({@code *} also spans {@code /})
 * @param worlds the world sizes it applies to; empty for all
 * @param kind   what is accepted, and why it is not a failure
 */
public record Waiver(String cell, String check, java.util.List<Integer> worlds, String reason, String link, Kind kind,
                     int line) {

    /** What a waiver accepts; the matrix file writes {@code waiver}, {@code known-gap}, {@code no-kernel-image}. */
    public enum Kind {
        /** A failure accepted for now. */
        WAIVER,
        /** The library lacks it. */
        KNOWN_GAP,
        /**
         * The build has no code the GPU at hand can run (NCCL says "no kernel image is available"), e.g. an
         * architecture the build lacks: a gap of that build on that device, kept apart from the library's own gaps.
         */
        NO_KERNEL_IMAGE;

        @Override
        public String toString() {
            return Words.of(this);
        }
    }

    public Waiver {
        worlds = worlds == null ? java.util.List.of() : java.util.List.copyOf(worlds);
    }

    /** Whether this waiver covers the check at this world size ({@code worlds} empty: every world). */
    public boolean covers(String cellName, int world, String checkId) {
        return Glob.matches(cell, cellName) && Glob.matches(check, checkId) && (worlds.isEmpty() || worlds.contains(world));
    }
}
