package io.ncclffm.harness.perf.render;

import static io.ncclffm.harness.perf.judge.Points.NCCL_27;
import static io.ncclffm.harness.perf.judge.Points.NCCL_28;
import static io.ncclffm.harness.perf.judge.Points.c;
import static io.ncclffm.harness.perf.judge.Points.java;
import static io.ncclffm.harness.perf.judge.Points.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

class BandwidthChartTest {

    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static final List<PerfPoint> SWEEP = List.of(
            java(NCCL_28, 8, 10), c(NCCL_28, 8, 10), java(NCCL_28, 1L << 20, 100), c(NCCL_28, 1L << 20, 100),
            java(NCCL_28, 1L << 30, 20_000), c(NCCL_28, 1L << 30, 20_000),
            c(NCCL_27, 8, 11), c(NCCL_27, 1L << 30, 25_000));

    @Test
    void theChartIsWellFormedSvg() throws Exception {
        Document svg = parse(BandwidthChart.svg(SWEEP, "allReduce out-of-place launch, 2 ranks"));
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertEquals(SVG_NS, svg.getDocumentElement().getNamespaceURI());
    }

    @Test
    void everyLibraryAndSourceGetsOnePolylineAndOneLegendEntry() throws Exception {
        Document svg = parse(BandwidthChart.svg(SWEEP, "t"));
        List<String> series = new ArrayList<>();
        NodeList lines = svg.getElementsByTagNameNS(SVG_NS, "polyline");
        for (int i = 0; i < lines.getLength(); i++) series.add(((Element) lines.item(i)).getAttribute("data-series"));
        assertEquals(List.of("NCCL 2.28.9 (java)", "NCCL 2.28.9 (c)", "NCCL 2.27.7 (c)"), series);
        assertEquals(3, count(svg, "line", "legend"));
        assertTrue(texts(svg).containsAll(series), "the legend names every series");
    }

    @Test
    void aPolylineHasOnePointPerSizeRunningFromTheLeftToTheRightEdgeOfTheAxis() throws Exception {
        Element java = polyline(parse(BandwidthChart.svg(SWEEP, "t")), 0);
        String[] points = java.getAttribute("points").split(" ");
        assertEquals(3, points.length);
        assertEquals(BandwidthChart.PLOT_LEFT, Double.parseDouble(points[0].split(",")[0]), 1e-9, "8 B at the left");
        assertEquals(BandwidthChart.PLOT_RIGHT, Double.parseDouble(points[2].split(",")[0]), 1e-9, "1 GiB at the right");
        // 1 MiB is 2^20: (20 - 3) / (30 - 3) of the way along the log2 axis.
        double expected = BandwidthChart.PLOT_LEFT + 17.0 / 27 * (BandwidthChart.PLOT_RIGHT - BandwidthChart.PLOT_LEFT);
        assertEquals(expected, Double.parseDouble(points[1].split(",")[0]), 0.01);
    }

    @Test
    void theHighestBandwidthFitsUnderANiceYAxisMaximum() throws Exception {
        // 2^30 B in 20 ms is 53.69 GB/s; steps of 20 GB/s put the top tick at 60.
        Document svg = parse(BandwidthChart.svg(SWEEP, "t"));
        assertTrue(texts(svg).containsAll(List.of("0", "20", "40", "60")), texts(svg).toString());
        Element java = polyline(svg, 0);
        String[] top = java.getAttribute("points").split(" ")[2].split(",");
        double y = Double.parseDouble(top[1]);
        double expected = BandwidthChart.PLOT_BOTTOM
                - 53.6870912 / 60 * (BandwidthChart.PLOT_BOTTOM - BandwidthChart.PLOT_TOP);
        assertEquals(expected, y, 0.01);
    }

    @Test
    void theXAxisIsLabelledFromEightBytesToOneGibibyte() throws Exception {
        List<String> texts = texts(parse(BandwidthChart.svg(SWEEP, "t")));
        assertTrue(texts.containsAll(List.of("8 B", "64 B", "4 KiB", "2 MiB", "1 GiB", "message size (log2 scale)",
                "bus bandwidth (GB/s)")), texts.toString());
    }

    @Test
    void cRunsAreDashedAndJavaRunsSolidAndLibrariesDifferInColour() throws Exception {
        Document svg = parse(BandwidthChart.svg(SWEEP, "t"));
        Element java28 = polyline(svg, 0);
        Element c28 = polyline(svg, 1);
        Element c27 = polyline(svg, 2);
        assertEquals("", java28.getAttribute("stroke-dasharray"));
        assertEquals("6 4", c28.getAttribute("stroke-dasharray"));
        assertEquals(java28.getAttribute("stroke"), c28.getAttribute("stroke"));
        assertNotEquals(c28.getAttribute("stroke"), c27.getAttribute("stroke"));
    }

    @Test
    void libraryNamesAreEscapedSoTheDocumentStaysValid() throws Exception {
        Document svg = parse(BandwidthChart.svg(List.of(c("NCCL <2.28> & \"friends\"", 8, 1)), "a < b"));
        assertTrue(texts(svg).contains("NCCL <2.28> & \"friends\" (c)"));
    }

    @Test
    void aOneRankWorldCanBeDrawnWithAlgorithmBandwidthSinceItsBusBandwidthIsZero() throws Exception {
        List<PerfPoint> oneRank = List.of(point(NCCL_28, Source.C, 1, 1L << 30, Placement.IN_PLACE, TimingMode.LAUNCH, 10_000));
        Document svg = parse(BandwidthChart.svg(oneRank, "t", BandwidthChart.Bandwidth.ALGORITHM));
        assertTrue(texts(svg).contains("algorithm bandwidth (GB/s)"));
        double y = Double.parseDouble(polyline(svg, 0).getAttribute("points").split(",")[1]);
        assertTrue(y < BandwidthChart.PLOT_BOTTOM, "107 GB/s is drawn above the x axis, at y " + y);
    }

    @Test
    void twoPointsOfOneLineAtOneSizeAreRejected() {
        List<PerfPoint> mixed = List.of(c(NCCL_28, 8, 10), point(NCCL_28, Source.C, 2, 8, Placement.IN_PLACE, TimingMode.LAUNCH, 9));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BandwidthChart.svg(mixed, "t"));
        assertTrue(e.getMessage().contains("narrow the points"), e.getMessage());
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(20.0, BandwidthChart.niceStep(10.7), 1e-12);
        assertEquals(5.0, BandwidthChart.niceStep(3.2), 1e-12);
        assertEquals(0.1, BandwidthChart.niceStep(0.1), 1e-12);
        assertEquals(100.0, BandwidthChart.niceStep(51), 1e-12);
        assertEquals(1.0, BandwidthChart.niceStep(0), 1e-12);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element polyline(Document svg, int index) {
        return (Element) svg.getElementsByTagNameNS(SVG_NS, "polyline").item(index);
    }

    private static int count(Document svg, String tag, String cssClass) {
        NodeList nodes = svg.getElementsByTagNameNS(SVG_NS, tag);
        int n = 0;
        for (int i = 0; i < nodes.getLength(); i++) if (cssClass.equals(((Element) nodes.item(i)).getAttribute("class"))) n++;
        return n;
    }

    private static List<String> texts(Document svg) {
        NodeList nodes = svg.getElementsByTagNameNS(SVG_NS, "text");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) texts.add(nodes.item(i).getTextContent());
        return texts;
    }
}
