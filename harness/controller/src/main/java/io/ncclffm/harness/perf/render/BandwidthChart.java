package io.ncclffm.harness.perf.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.ncclffm.harness.perf.judge.MessageSize;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;

/**
 * An SVG line chart of bandwidth against message size: x is log2 of the size (8 B to 1 GiB, widened if the data
 * goes beyond), y is GB/s from 0, one line per library and source. Written as plain text so that reports need no
 * plotting library and the output diffs cleanly between runs.
 *
 * <p>Colour tells cells (or libraries) apart and the dash tells sources apart (Java solid, the C process dashed,
 * the in-process C loop dotted, nccl-tests dash-dotted), so a Java line lying on top of its C line, which is the
 * goal, still shows both.
 *
 * <p>A line is one sequence of sizes, so the points must already be narrowed to one placement, mode, world and
 * collective and element type; two points of one line at the same size are rejected rather than drawn as a zigzag.
 */
public final class BandwidthChart {

    /** Which bandwidth to draw. */
    public enum Bandwidth {
        /** nccl-tests' bus bandwidth, comparable across world sizes; 0 for one rank. */
        BUS("bus bandwidth (GB/s)", PerfPoint::busBwGBs),
        /** Bytes over time; the one to draw for a one-rank world. */
        ALGORITHM("algorithm bandwidth (GB/s)", PerfPoint::algBwGBs);

        private final String axisLabel;
        private final ToDoubleFunction<PerfPoint> value;

        Bandwidth(String axisLabel, ToDoubleFunction<PerfPoint> value) {
            this.axisLabel = axisLabel;
            this.value = value;
        }
    }

    static final int WIDTH = 960;
    static final int HEIGHT = 520;
    static final int PLOT_LEFT = 80;
    static final int PLOT_RIGHT = 700;
    static final int PLOT_TOP = 50;
    static final int PLOT_BOTTOM = 450;
    static final int MIN_LOG2 = 3;   // 8 B
    static final int MAX_LOG2 = 30;  // 1 GiB

    private static final String[] COLOURS =
            {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

    private final String title;
    private final Bandwidth bandwidth;
    private final int minLog2;
    private final int maxLog2;
    private final double yMax;
    private final double yStep;

    private BandwidthChart(String title, Bandwidth bandwidth, List<PerfPoint> points) {
        this.title = title;
        this.bandwidth = bandwidth;
        int lo = MIN_LOG2;
        int hi = MAX_LOG2;
        double max = 0;
        for (PerfPoint p : points) {
            lo = Math.min(lo, (int) Math.floor(MessageSize.log2(p.bytes())));
            hi = Math.max(hi, (int) Math.ceil(MessageSize.log2(p.bytes())));
            max = Math.max(max, bandwidth.value.applyAsDouble(p));
        }
        this.minLog2 = lo;
        this.maxLog2 = hi;
        this.yStep = niceStep(max / 5);
        this.yMax = max <= 0 ? yStep * 5 : yStep * Math.ceil(max / yStep);
    }

    /** Bus bandwidth against size. */
    public static String svg(List<PerfPoint> points, String title) {
        return svg(points, title, Bandwidth.BUS);
    }

    /** The chosen bandwidth against size; a one-rank run needs {@link Bandwidth#ALGORITHM} to show anything. */
    public static String svg(List<PerfPoint> points, String title, Bandwidth bandwidth) {
        return new BandwidthChart(title, bandwidth, points).render(series(points));
    }

    /** A line of the chart. */
    record Series(String library, Source source) {
        String label() {
            return library + " (" + source + ")";
        }
    }

    /** Points per line, each line sorted by size; libraries and sources keep the order they first appear in. */
    static Map<Series, List<PerfPoint>> series(List<PerfPoint> points) {
        Map<Series, List<PerfPoint>> lines = new LinkedHashMap<>();
        for (PerfPoint p : points) {
            // Two cells of one library (an A/A run) are two lines: the cell names the line when there is one.
            String name = p.cell() == null ? p.library() : p.cell();
            List<PerfPoint> line = lines.computeIfAbsent(new Series(name, p.source()), s -> new ArrayList<>());
            for (PerfPoint q : line) {
                if (q.bytes() == p.bytes()) {
                    throw new IllegalArgumentException("two points of " + name + " (" + p.source() + ") at "
                            + MessageSize.label(p.bytes()) + "; narrow the points to one placement, mode, world and"
                            + " dtype before charting: " + q + " and " + p);
                }
            }
            line.add(p);
        }
        lines.values().forEach(line -> line.sort(Comparator.comparingLong(PerfPoint::bytes)));
        return lines;
    }

    /** 1, 2 or 5 times a power of ten: steps a reader can add up in their head. */
    static double niceStep(double rough) {
        if (!(rough > 0)) return 1;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double fraction = rough / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    double x(long bytes) {
        return PLOT_LEFT + (MessageSize.log2(bytes) - minLog2) / (maxLog2 - minLog2) * (PLOT_RIGHT - PLOT_LEFT);
    }

    double y(double value) {
        return PLOT_BOTTOM - value / yMax * (PLOT_BOTTOM - PLOT_TOP);
    }

    private String render(Map<Series, List<PerfPoint>> lines) {
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, (PLOT_LEFT + PLOT_RIGHT) / 2.0, 28, "middle", "font-size=\"16\"", title);
        axes(svg);
        List<String> libraries = new ArrayList<>();
        for (Series s : lines.keySet()) if (!libraries.contains(s.library())) libraries.add(s.library());
        int row = 0;
        for (Map.Entry<Series, List<PerfPoint>> line : lines.entrySet()) {
            Series s = line.getKey();
            String colour = COLOURS[libraries.indexOf(s.library()) % COLOURS.length];
            String dash = switch (s.source()) {
                case C -> " stroke-dasharray=\"6 4\"";
                case IN_PROCESS_C -> " stroke-dasharray=\"2 3\"";
                case NCCL_TESTS -> " stroke-dasharray=\"10 3 2 3\"";
                case JAVA -> "";
            };
            StringBuilder coordinates = new StringBuilder();
            for (PerfPoint p : line.getValue()) {
                if (!coordinates.isEmpty()) coordinates.append(' ');
                coordinates.append(number(x(p.bytes()))).append(',')
                        .append(number(y(bandwidth.value.applyAsDouble(p))));
            }
            svg.append("<polyline class=\"series\" data-series=\"").append(escape(s.label()))
                    .append("\" fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\"").append(dash)
                    .append(" points=\"").append(coordinates).append("\"/>\n");
            legend(svg, row++, colour, dash, s.label());
        }
        return svg.append("</svg>\n").toString();
    }

    private void axes(StringBuilder svg) {
        svg.append("<g class=\"axes\" stroke=\"black\" stroke-width=\"1\">\n");
        line(svg, PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM);
        line(svg, PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM);
        svg.append("</g>\n");
        // x: a tick at every power of two, a label at every third (8 B, 64 B, 512 B, 4 KiB, ...) to stay legible.
        for (int k = minLog2; k <= maxLog2; k++) {
            double x = x(1L << k);
            boolean labelled = Math.floorMod(k - MIN_LOG2, 3) == 0;
            line(svg, x, PLOT_BOTTOM, x, PLOT_BOTTOM + (labelled ? 6 : 3));
            if (labelled) {
                svg.append("<line x1=\"").append(number(x)).append("\" y1=\"").append(PLOT_TOP)
                        .append("\" x2=\"").append(number(x)).append("\" y2=\"").append(PLOT_BOTTOM)
                        .append("\" stroke=\"#e0e0e0\"/>\n");
                text(svg, x, PLOT_BOTTOM + 20, "middle", "", MessageSize.label(1L << k));
            }
        }
        text(svg, (PLOT_LEFT + PLOT_RIGHT) / 2.0, PLOT_BOTTOM + 45, "middle", "",
                "message size (log2 scale)");
        // y: from 0 in nice steps, with light grid lines so values can be read off.
        for (int i = 0; i * yStep <= yMax + yStep / 1e6; i++) {
            double value = i * yStep;
            double y = y(value);
            line(svg, PLOT_LEFT - 5, y, PLOT_LEFT, y);
            if (i > 0) {
                svg.append("<line x1=\"").append(PLOT_LEFT).append("\" y1=\"").append(number(y)).append("\" x2=\"")
                        .append(PLOT_RIGHT).append("\" y2=\"").append(number(y)).append("\" stroke=\"#e0e0e0\"/>\n");
            }
            text(svg, PLOT_LEFT - 8, y + 4, "end", "", tickLabel(value));
        }
        double middle = (PLOT_TOP + PLOT_BOTTOM) / 2.0;
        text(svg, 22, middle, "middle", "transform=\"rotate(-90 22 " + number(middle) + ")\"", bandwidth.axisLabel);
    }

    private void legend(StringBuilder svg, int row, String colour, String dash, String label) {
        double y = PLOT_TOP + 10 + row * 20;
        int x = PLOT_RIGHT + 20;
        svg.append("<line class=\"legend\" x1=\"").append(x).append("\" y1=\"").append(number(y)).append("\" x2=\"")
                .append(x + 30).append("\" y2=\"").append(number(y)).append("\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"").append(dash).append("/>\n");
        text(svg, x + 38, y + 4, "start", "", label);
    }

    private String tickLabel(double value) {
        return yStep >= 1 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%." + (int) Math.ceil(-Math.log10(yStep)) + "f", value);
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2) {
        svg.append("<line x1=\"").append(number(x1)).append("\" y1=\"").append(number(y1)).append("\" x2=\"")
                .append(number(x2)).append("\" y2=\"").append(number(y2)).append("\" stroke=\"black\"/>\n");
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String extra, String content) {
        svg.append("<text x=\"").append(number(x)).append("\" y=\"").append(number(y)).append("\" text-anchor=\"")
                .append(anchor).append('"').append(extra.isEmpty() ? "" : " " + extra).append('>')
                .append(escape(content)).append("</text>\n");
    }

    /** Two decimals are sub-pixel; more would only make the file noisier to diff. */
    static String number(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** Library names come from the libraries themselves, so they are escaped like any untrusted text. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? ' ' : ch);
            }
        }
        return out.toString();
    }
}
