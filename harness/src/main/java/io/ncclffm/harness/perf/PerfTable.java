package io.ncclffm.harness.perf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Markdown tables of a perf run: one per library (and world and element type, which are never mixed in a row),
 * with one row per message size and, for every placement and mode measured, the Java and C time, the Java and C
 * bus bandwidth, and the Java/C time ratio.
 *
 * <p>Java and C share a cell ({@code java / c}) because the point of the table is reading the two side by side;
 * four placement/mode pairs of five separate columns each would push the ratio off any screen. A value that was
 * not measured shows as {@code —} rather than being dropped, so a missing C run is visible.
 */
public final class PerfTable {

    static final String JAVA = PerfPoint.JAVA;
    static final String C = PerfPoint.C;
    static final String MISSING = "—";

    private PerfTable() {
    }

    /** The tables for every library in {@code points}, in the order the libraries first appear. */
    public static String markdown(List<PerfPoint> points) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Group, List<PerfPoint>> group : groups(points).entrySet()) {
            if (!out.isEmpty()) out.append('\n');
            out.append(table(group.getKey(), group.getValue()));
        }
        return out.toString();
    }

    /** Run groups a table may hold: one library, one world, one element type. */
    record Group(String library, int world, String dtype) {
        static Group of(PerfPoint p) {
            return new Group(p.library(), p.world(), p.dtype());
        }
    }

    /** One column block of the table. */
    record Variant(String placement, String mode) {
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
     * prints them; anything else the data holds follows alphabetically.
     */
    static final Comparator<Variant> READING_ORDER = Comparator
            .comparingInt((Variant v) -> rank(v.placement(), "out-of-place", "in-place"))
            .thenComparing(Variant::placement)
            .thenComparingInt(v -> rank(v.mode(), "launch", "graph"))
            .thenComparing(Variant::mode);

    private static int rank(String value, String... known) {
        for (int i = 0; i < known.length; i++) if (known[i].equals(value)) return i;
        return known.length;
    }

    private static String table(Group group, List<PerfPoint> points) {
        TreeSet<Variant> variants = new TreeSet<>(READING_ORDER);
        TreeSet<Long> sizes = new TreeSet<>();
        for (PerfPoint p : points) {
            variants.add(new Variant(p.placement(), p.mode()));
            sizes.add(p.bytes());
        }
        StringBuilder out = new StringBuilder();
        out.append("### ").append(group.library()).append(", world ").append(group.world()).append(", ")
                .append(group.dtype()).append("\n\n");

        StringBuilder header = new StringBuilder("| Size |");
        StringBuilder rule = new StringBuilder("|---:|");
        for (Variant v : variants) {
            header.append(' ').append(v.title()).append(": time µs (java / c) | busbw GB/s (java / c) | java/c |");
            rule.append("---:|---:|---:|");
        }
        out.append(header).append('\n').append(rule).append('\n');

        for (long bytes : sizes) {
            out.append("| ").append(MessageSize.label(bytes)).append(" |");
            for (Variant v : variants) {
                PerfPoint java = find(points, bytes, v, JAVA);
                PerfPoint c = find(points, bytes, v, C);
                out.append(' ').append(pair(java == null ? null : java.timeUs(), c == null ? null : c.timeUs()))
                        .append(" | ")
                        .append(pair(java == null ? null : java.busBwGBs(), c == null ? null : c.busBwGBs()))
                        .append(" | ")
                        .append(java == null || c == null ? MISSING : format("%.3f", timeRatio(java, c)))
                        .append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Java time over C time for the same collective: above 1 the binding is slower. Time rather than bandwidth,
     * so that the ratio reads as "how much longer" at every size and stays defined for a one-rank world, whose bus
     * bandwidth is 0.
     */
    public static double timeRatio(PerfPoint java, PerfPoint c) {
        if (c.timeUs() <= 0) throw new IllegalArgumentException("C time must be positive to divide by: " + c);
        return java.timeUs() / c.timeUs();
    }

    private static PerfPoint find(List<PerfPoint> points, long bytes, Variant v, String source) {
        PerfPoint found = null;
        for (PerfPoint p : points) {
            if (p.bytes() == bytes && p.placement().equals(v.placement()) && p.mode().equals(v.mode())
                    && p.source().equals(source)) {
                if (found != null) {
                    throw new IllegalArgumentException("two " + source + " points for one table cell; a report takes "
                            + "one run per library: " + found + " and " + p);
                }
                found = p;
            }
        }
        return found;
    }

    private static String pair(Double java, Double c) {
        return (java == null ? MISSING : format("%.2f", java)) + " / " + (c == null ? MISSING : format("%.2f", c));
    }

    static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
