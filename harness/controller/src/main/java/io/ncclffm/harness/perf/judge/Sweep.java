package io.ncclffm.harness.perf.judge;

import java.util.Objects;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * One sweep of a cell: a library's collective in one element type, placement and mode, at one world, over sizes.
 * What the overhead tables, the in-process ratios and the nccl-tests comparison take a row's points from.
 */
public record Sweep(String library, String cell, int world, Collective collective, DataType dtype, Placement placement,
                    TimingMode mode) {

    public static Sweep of(PerfPoint p) {
        return new Sweep(Objects.requireNonNull(p.library()), p.cell(), p.world(), p.collective(), p.dtype(), p.placement(), p.mode());
    }
}
