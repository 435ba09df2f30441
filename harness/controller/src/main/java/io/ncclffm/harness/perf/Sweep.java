package io.ncclffm.harness.perf;

import java.util.Objects;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * One sweep of a cell: a library's collective in one element type, placement and mode, at one world, over sizes.
 * What the overhead tables, the in-process ratios and the nccl-tests comparison take a row's points from.
 */
public record Sweep(String library, String cell, int world, String collective, String dtype, String placement, String mode) {

    public static Sweep of(PerfPoint p) {
        return new Sweep(Objects.requireNonNull(p.library()), p.cell(), p.world(), p.collective(), p.dtype(), p.placement(), p.mode());
    }
}
