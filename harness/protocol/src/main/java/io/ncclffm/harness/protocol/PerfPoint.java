package io.ncclffm.harness.protocol;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.ncclffm.DataType;

/**
 * One collective's timing: the median over trials of the average over {@code iterations} back-to-back calls, with
 * every trial's value so that two runs can be compared by more than their medians.
 *
 * <p>A point travels as one JSON object whose fields are the components, the enums written as their labels
 * ({@code "source":"c-inproc"}, {@code "placement":"out-of-place"}) and the element type as its short name: the
 * format the worker, the C baseline and every stored {@code points.jsonl} share.
 *
 * @param library    e.g. {@code NCCL 2.28.9}
 * @param source     who measured: the binding, the separate C baseline, the same calls from C in the worker's
 *                   process, or nccl-tests
 * @param world      ranks
 * @param collective which collective; allReduce when a line written before the field existed lacks it
 * @param bytes      message size in bytes, as nccl-tests prints it: for allGather the whole receive buffer, for
 *                   reduceScatter the whole send buffer, for alltoall either buffer; for the rest one rank's buffer
 * @param dtype      element type, written as its short name, e.g. {@code float32}
 * @param placement  in place or out of place
 * @param mode       one call per iteration, or replayed from a CUDA graph
 * @param iterations calls per trial
 * @param timeUs     microseconds per call, the median of {@code trialsUs}
 * @param algBwGBs   bytes / time, in GB/s (1e9)
 * @param busBwGBs   algBw times the collective's bus factor ({@link Collective#busFactor(int)}), nccl-tests' convention
 * @param trialsUs   every trial's microseconds per call, in the order measured; empty when the writer kept only the
 *                   median (such a point can never show a significant change)
 * @param cell       the matrix cell that measured it, when it came from a matrix run; else {@code null}
 * @param run        which run of its cell measured it (1, 2, ...) when the matrix runs each perf cell in several
 *                   processes (a process can be slower than the next for its whole life, C and NCCL included); 0
 *                   when it is not numbered
 * @param pairedBaseline whether the point was measured from the perf baseline's library inside the candidate cell's
 *                   own process ({@code perf.pairing: in-process}): its trials alternate, one by one, with the
 *                   cell's own point of the same measurement, so that trial {@code t} of the two was taken seconds
 *                   apart on one host state; its {@code library} is the baseline's, its {@code cell} the candidate's.
 *                   {@code false} for a cell's own points
 */
public record PerfPoint(
        String library,
        Source source,
        int world,
        Collective collective,
        long bytes,
        @JsonSerialize(using = DtypeName.Write.class) @JsonDeserialize(using = DtypeName.Read.class) DataType dtype,
        Placement placement,
        TimingMode mode,
        int iterations,
        double timeUs,
        double algBwGBs,
        double busBwGBs,
        List<Double> trialsUs,
        String cell,
        int run,
        boolean pairedBaseline) {

    public PerfPoint {
        if (collective == null) collective = Collective.ALL_REDUCE;
        trialsUs = trialsUs == null ? List.of() : List.copyOf(trialsUs);
        if (run < 0) throw new IllegalArgumentException("a point's run is 1, 2, ... (0 when not numbered), got " + run);
    }

    /** A cell's own point (not a paired baseline's). */
    public PerfPoint(String library, Source source, int world, Collective collective, long bytes, DataType dtype,
                     Placement placement, TimingMode mode, int iterations, double timeUs, double algBwGBs, double busBwGBs,
                     List<Double> trialsUs, String cell, int run) {
        this(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs, algBwGBs, busBwGBs,
                trialsUs, cell, run, false);
    }

    /** The element type as the JSON lines write it: its short name ({@code float32}), read back by that name. */
    static final class DtypeName {
        private DtypeName() {
        }

        public static final class Write extends StdSerializer<DataType> {
            public Write() {
                super(DataType.class);
            }

            @Override
            public void serialize(DataType value, JsonGenerator out, SerializerProvider provider) throws IOException {
                out.writeString(value.shortName());
            }
        }

        public static final class Read extends StdDeserializer<DataType> {
            public Read() {
                super(DataType.class);
            }

            @Override
            public DataType deserialize(JsonParser in, DeserializationContext context) throws IOException {
                String name = in.getValueAsString();
                try {
                    return DataType.fromName(name);
                } catch (IllegalArgumentException e) {
                    return (DataType) context.handleWeirdStringValue(DataType.class, name, e.getMessage());
                }
            }
        }
    }

    /** The same point, attributed to the matrix cell that measured it. */
    public PerfPoint inCell(String cellName) {
        return inCell(cellName, run);
    }

    /** The same point, attributed to the matrix cell and the run of it (1, 2, ...) that measured it. */
    public PerfPoint inCell(String cellName, int cellRun) {
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs,
                algBwGBs, busBwGBs, trialsUs, cellName, cellRun, pairedBaseline);
    }

    /** The same point, marked as measured from the perf baseline's library in the candidate's process. */
    public PerfPoint asPairedBaseline() {
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs,
                algBwGBs, busBwGBs, trialsUs, cell, run, true);
    }

    /** The same point with other trials: every run's time, of a point taken as the median of several runs. */
    public PerfPoint withTrials(List<Double> trials) {
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs,
                algBwGBs, busBwGBs, trials, cell, run, pairedBaseline);
    }

    /** The trials, or the median alone for a point that carries none. */
    public double[] trials() {
        return trialsUs.isEmpty() ? new double[] {timeUs} : trialsUs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** An allReduce point from its median alone. */
    public static PerfPoint of(String library, Source source, int world, long bytes, DataType dtype, Placement placement,
                               TimingMode mode, int iterations, double timeUs) {
        return of(library, source, world, Collective.ALL_REDUCE, bytes, dtype, placement, mode, iterations, timeUs, List.of());
    }

    /** A point of any collective, its median computed from {@code trialsUs} when there are trials. */
    public static PerfPoint of(String library, Source source, int world, Collective collective, long bytes, DataType dtype,
                               Placement placement, TimingMode mode, int iterations, double timeUs, List<Double> trialsUs) {
        double alg = timeUs <= 0 ? 0 : bytes / (timeUs * 1e-6) / 1e9;
        return new PerfPoint(library, source, world, collective, bytes, dtype, placement, mode, iterations, timeUs, alg,
                alg * collective.busFactor(world), trialsUs, null, 0);
    }

    /** A point whose time is the median of {@code trialsUs}. */
    public static PerfPoint ofTrials(String library, Source source, int world, Collective collective, long bytes,
                                     DataType dtype, Placement placement, TimingMode mode, int iterations, List<Double> trialsUs) {
        if (trialsUs.isEmpty()) throw new IllegalArgumentException("a point needs at least one trial");
        return of(library, source, world, collective, bytes, dtype, placement, mode, iterations,
                median(trialsUs.stream().mapToDouble(Double::doubleValue).toArray()), trialsUs);
    }

    /**
     * Of several points of one measurement (separate runs of it), the one whose time is the median: for an even
     * count the faster of the two middle ones; equal times in run order, then in the order given.
     */
    public static PerfPoint medianByTime(List<PerfPoint> points) {
        if (points.isEmpty()) throw new IllegalArgumentException("the median of no points");
        List<PerfPoint> sorted = points.stream()
                .sorted(Comparator.comparingDouble(PerfPoint::timeUs).thenComparingInt(PerfPoint::run)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The middle value; for an even count, the mean of the two middle ones (as the C baseline computes it). */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
