package io.ncclffm.harness.perf.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import io.ncclffm.DataType;
import io.ncclffm.harness.perf.judge.MessageSize;
import io.ncclffm.harness.perf.judge.OverheadSummary;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * The Markdown tables of a perf run: one per cell (or library), world, collective and element type, which are never
 * mixed in a row, with one row per message size and, for every placement and mode measured, the time, algorithm
 * bandwidth and bus bandwidth of every source that measured it (the binding, and whichever of the separate C
 * process, the in-process C loop and nccl-tests were run), and the Java/reference time ratio.
 *
 * <p>The sources share a cell ({@code java / c}) because the point of the table is reading them side by side;
 * four placement/mode pairs of a column per source would push the ratio off any screen. A value that was not
 * measured shows as {@code —} rather than being dropped, so a missing run is visible. At world 1 busbw is 0 by
 * definition (nothing crosses a bus), so algbw is the bandwidth to read there.
 *
 * <p>Sizes follow nccl-tests: the total bytes of the operation as its {@code size} column prints them (for
 * allGather the whole receive buffer, for reduceScatter the whole send buffer, n times one rank's share; for
 * alltoall one rank's whole buffer); each table says which under its title ({@link Collective#sizeConvention}).
 */
public final class PerfTable {

    static final String MISSING = "—";
    /** Sources in column order; the first reference present is the one the ratio divides by. */
    static final List<Source> SOURCES = List.of(Source.JAVA, Source.C, Source.IN_PROCESS_C, Source.NCCL_TESTS);
    static final List<Source> RATIO_REFERENCES = List.of(Source.IN_PROCESS_C, Source.C, Source.NCCL_TESTS);

    private PerfTable() {
    }

    /** The tables for every group in {@code points}, in the order the groups first appear. */
    public static String markdown(List<PerfPoint> points) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Group, List<PerfPoint>> group : groups(points).entrySet()) {
            if (!out.isEmpty()) out.append('\n');
            out.append(table(group.getKey(), group.getValue()));
        }
        return out.toString();
    }

    /** Run groups a table may hold: one library (one cell of it, in a matrix run), world, collective and element type. */
    record Group(String library, String cell, int world, Collective collective, DataType dtype) {
        static Group of(PerfPoint p) {
            return new Group(p.library(), p.cell(), p.world(), p.collective(), p.dtype());
        }

        String title() {
            return (cell == null ? library : cell + " (" + library + ")") + ", world " + world + ", " + collective + " " + dtype.shortName();
        }
    }

    /** One column block of the table. */
    record Variant(Placement placement, TimingMode mode) {
        String title() {
            return placement + " " + mode;
        }
    }

    static Map<Group, List<PerfPoint>> groups(List<PerfPoint> points) {
        Map<Group, List<PerfPoint>> groups = new LinkedHashMap<>();
        for (PerfPoint p : points) groups.computeIfAbsent(Group.of(p), g -> new ArrayList<>()).add(p);
        return groups;
    }

    /**
     * Placements and modes in reading order: out-of-place before in-place and launch before graph, as nccl-tests
     * prints them (the order the enums declare).
     */
    static final Comparator<Variant> READING_ORDER = Comparator.comparing(Variant::placement).thenComparing(Variant::mode);

    private static String table(Group group, List<PerfPoint> points) {
        TreeSet<Variant> variants = new TreeSet<>(READING_ORDER);
        TreeSet<Long> sizes = new TreeSet<>();
        java.util.Set<Source> present = java.util.EnumSet.noneOf(Source.class);
        for (PerfPoint p : points) {
            variants.add(new Variant(p.placement(), p.mode()));
            sizes.add(p.bytes());
            present.add(p.source());
        }
        List<Source> sources = new ArrayList<>(SOURCES.stream().filter(s -> s == Source.JAVA || present.contains(s)).toList());
        if (sources.size() == 1) sources.add(Source.C);  // a lone Java run still shows where C would go
        Source reference = RATIO_REFERENCES.stream().filter(present::contains).findFirst().orElse(Source.C);
        String names = sources.stream().map(Source::label).collect(java.util.stream.Collectors.joining(" / "));
        StringBuilder out = new StringBuilder();
        out.append("### ").append(group.title()).append("\n\n");
        out.append("Size: ").append(group.collective().sizeConvention()).append(".\n\n");

        StringBuilder header = new StringBuilder("| Size |");
        StringBuilder rule = new StringBuilder("|---:|");
        for (Variant v : variants) {
            header.append(' ').append(v.title()).append(": time µs (").append(names).append(") | algbw GB/s (")
                    .append(names).append(") | busbw GB/s (").append(names).append(") | java/").append(reference).append(" |");
            rule.append("---:|---:|---:|---:|");
        }
        out.append(header).append('\n').append(rule).append('\n');

        for (long bytes : sizes) {
            out.append("| ").append(MessageSize.label(bytes)).append(" |");
            for (Variant v : variants) {
                List<PerfPoint> row = sources.stream().map(s -> find(points, bytes, v, s)).toList();
                PerfPoint java = row.getFirst();
                PerfPoint ref = find(points, bytes, v, reference);
                out.append(' ').append(values(row, PerfPoint::timeUs)).append(" | ")
                        .append(values(row, PerfPoint::algBwGBs)).append(" | ")
                        .append(values(row, PerfPoint::busBwGBs)).append(" | ")
                        .append(java == null || ref == null ? MISSING : format("%.3f", OverheadSummary.timeRatio(java, ref)))
                        .append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String values(List<PerfPoint> row, java.util.function.ToDoubleFunction<PerfPoint> value) {
        StringBuilder out = new StringBuilder();
        for (PerfPoint p : row) {
            if (!out.isEmpty()) out.append(" / ");
            out.append(p == null ? MISSING : format("%.2f", value.applyAsDouble(p)));
        }
        return out.toString();
    }

    private static PerfPoint find(List<PerfPoint> points, long bytes, Variant v, Source source) {
        PerfPoint found = null;
        for (PerfPoint p : points) {
            if (p.bytes() == bytes && p.placement() == v.placement() && p.mode() == v.mode() && p.source() == source) {
                if (found != null) {
                    throw new IllegalArgumentException("two " + source + " points for one table cell; a report takes "
                            + "one run per cell: " + found + " and " + p);
                }
                found = p;
            }
        }
        return found;
    }

    static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
