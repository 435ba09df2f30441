package io.ncclffm.harness.matrix;

/**
 * A known gap or a waived failure, declared next to its reason and a link. A waived check that fails is reported
 * as waived (skipped, with the reason) instead of failing the gate; one that passes is reported as passing and
 * the waiver as stale.
 *
 * @param cell   cell name, or a glob such as {@code rccl-*}
 * @param check  check id glob, e.g. {@code graph/*} ({@code *} also spans {@code /})
 * @param worlds the world sizes it applies to; empty for all
 * @param kind   {@code known-gap} (the library lacks it), {@code no-kernel-image} (the build has no code the GPU at
 *               hand can run, e.g. an architecture the build lacks) or {@code waiver} (a failure accepted for now)
 */
public record Waiver(String cell, String check, java.util.List<Integer> worlds, String reason, String link, String kind,
                     int line) {

    public Waiver {
        worlds = worlds == null ? java.util.List.of() : java.util.List.copyOf(worlds);
    }

    /** Whether this waiver covers the check at this world size ({@code worlds} empty: every world). */
    public boolean covers(String cellName, int world, String checkId) {
        return Glob.matches(cell, cellName) && Glob.matches(check, checkId) && (worlds.isEmpty() || worlds.contains(world));
    }
}
