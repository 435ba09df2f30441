package io.ncclffm.harness.perf.render;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.perf.judge.MessageSize;

/** The table of what each communicator cost to make ({@code init.md}). */
public final class InitMarkdown {

    private InitMarkdown() {
    }

    /** One row per library, world and source, in that order. */
    public static String of(List<InitPoint> points) {
        StringBuilder out = new StringBuilder("| Library | World | Source | Init (ms) | Device memory |\n|---|---:|---|---:|---:|\n");
        points.stream()
                .sorted(Comparator.comparing(InitPoint::library).thenComparingInt(InitPoint::world)
                        .thenComparing(p -> p.source().label()))
                .forEach(p -> out.append("| ").append(p.library()).append(" | ").append(p.world()).append(" | ").append(p.source())
                        .append(" | ").append(String.format(Locale.ROOT, "%.0f", p.initMillis())).append(" | ")
                        .append(p.memoryBytes() < 0 ? "n/a (free memory grew)" : MessageSize.label(p.memoryBytes() >> 20 << 20))
                        .append(" |\n"));
        out.append("\njava: rank 0's free device memory across ncclCommInitRank(Config); c: from every rank ready (context and ")
                .append("buffers made) until after a first allReduce. Device-wide: ranks sharing one GPU count together.\n");
        return out.toString();
    }
}
