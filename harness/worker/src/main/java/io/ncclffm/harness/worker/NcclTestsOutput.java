package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.List;

import io.ncclffm.DataType;
import io.ncclffm.harness.protocol.Collective;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Placement;
import io.ncclffm.harness.protocol.Source;
import io.ncclffm.harness.protocol.TimingMode;

/**
 * Reads the table an nccl-tests binary ({@code all_reduce_perf}, ...) prints into perf points of source
 * {@link Source#NCCL_TESTS}.
 *
 * <p>A data row is {@code size count type [redop [root]]} then, out of place and in place, {@code time algbw busbw
 * #wrong}; lines starting with {@code #} are headers and the closing summary. Releases differ in the middle columns
 * (v2.13 and newer print {@code redop} and {@code root} for every collective, older ones only where they apply, and
 * the {@code #wrong} of an unchecked run reads {@code -1} or {@code N/A}), so a row is read from both ends: the first
 * three fields and the last eight. Times and bandwidths are taken as printed; nccl-tests' size is the larger buffer
 * of the operation, which is this harness's convention too ({@link Collective#elementsPerRank}).
 */
public final class NcclTestsOutput {

    private NcclTestsOutput() {
    }

    /**
     * The points of one run's output.
     *
     * @param output     the binary's standard output
     * @param library    the library it ran against, e.g. {@code NCCL 2.28.9}
     * @param world      ranks of the run (nccl-tests' {@code -g} times processes)
     * @param collective which binary printed it
     * @param iterations its {@code -n}
     * @throws IllegalArgumentException on a row whose numbers do not parse, naming the line; when no row was found
     */
    public static List<PerfPoint> points(String output, String library, int world, Collective collective, int iterations) {
        List<PerfPoint> points = new ArrayList<>();
        int lineNumber = 0;
        for (String line : output.split("\\R")) {
            lineNumber++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] f = t.split("\\s+");
            if (f.length < 11 || !f[0].chars().allMatch(Character::isDigit)) continue;  // NCCL INFO lines, warnings
            try {
                long bytes = Long.parseLong(f[0]);
                // nccl-tests sizes a gather or scatter in whole elements per rank and prints a row of 0 bytes where
                // -b is below that; such a row moves nothing and has no time per byte to compare.
                if (bytes == 0) continue;
                DataType dtype = dataType(f[2]);
                int first = f.length - 8;
                points.add(point(library, world, collective, bytes, dtype, Placement.OUT_OF_PLACE, iterations, f, first));
                points.add(point(library, world, collective, bytes, dtype, Placement.IN_PLACE, iterations, f, first + 4));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("nccl-tests output line " + lineNumber + " is not a row of size, count, "
                        + "type, ..., time, algbw, busbw, #wrong (twice): '" + t + "' (" + e.getMessage() + ")", e);
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no result rows in the nccl-tests output of " + collective + " ("
                    + output.lines().count() + " lines; rows start with the size in bytes)");
        }
        return points;
    }

    /**
     * One sweep's points with the small sizes of further runs folded in: each point of {@code full} that a further
     * run also measured becomes the point of the run whose time is the median, carrying every run's time as its
     * trials (the first being {@code full}'s); the others stay as they are. The spread of those times is how much
     * separate nccl-tests processes differ at that size.
     *
     * @param again further runs of the same binary, typically stopped at a small size
     */
    public static List<PerfPoint> withRepeats(List<PerfPoint> full, List<List<PerfPoint>> again) {
        List<PerfPoint> out = new ArrayList<>();
        for (PerfPoint p : full) {
            List<PerfPoint> same = new ArrayList<>();
            same.add(p);
            for (List<PerfPoint> run : again) {
                run.stream().filter(q -> q.bytes() == p.bytes() && q.placement() == p.placement()
                        && q.dtype() == p.dtype() && q.collective() == p.collective()).findFirst().ifPresent(same::add);
            }
            if (same.size() == 1) {
                out.add(p);
                continue;
            }
            List<Double> times = same.stream().map(PerfPoint::timeUs).toList();
            PerfPoint median = PerfPoint.medianByTime(same);
            out.add(median.withTrials(times));
        }
        return out;
    }

    private static PerfPoint point(String library, int world, Collective collective, long bytes, DataType dtype,
                                   Placement placement, int iterations, String[] f, int at) {
        double time = Double.parseDouble(f[at]);
        double alg = Double.parseDouble(f[at + 1]);
        double bus = Double.parseDouble(f[at + 2]);
        return new PerfPoint(library, Source.NCCL_TESTS, world, collective, bytes, dtype, placement, TimingMode.LAUNCH,
                iterations, time, alg, bus, List.of(time), null, 0);
    }

    /**
     * The arguments for one binary: {@code -b 8 -e max -f 2 -g gpus -n iterations -w warmup -d type -c 0}, doubling
     * from 8 B like perf mode, {@code gpus} GPUs driven by the one process (one per rank), no data check (it would
     * add a verification pass to every size).
     *
     * @throws IllegalArgumentException when {@code gpus} is below 1
     */
    public static List<String> arguments(long maxBytes, int gpus, int iterations, int warmup, DataType dtype) {
        if (gpus < 1) throw new IllegalArgumentException("nccl-tests -g takes at least 1 GPU, got " + gpus);
        return List.of("-b", "8", "-e", Long.toString(maxBytes), "-f", "2", "-g", Integer.toString(gpus), "-n", Integer.toString(iterations),
                "-w", Integer.toString(warmup), "-d", typeName(dtype), "-c", "0");
    }

    /** nccl-tests' name for an element type ({@code -d}, and its {@code type} column): {@code float}, {@code bfloat16}, ... */
    public static String typeName(DataType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float";
            case FLOAT16 -> "half";
            case FLOAT64 -> "double";
            case INT8, UINT8, INT32, UINT32, INT64, UINT64, BFLOAT16 -> dtype.shortName();
            default -> throw new IllegalArgumentException("nccl-tests has no name for element type '" + dtype.shortName() + "'");
        };
    }

    /** The element type of nccl-tests' {@code type} column ({@code float} is float32, {@code half} float16). */
    public static DataType dataType(String type) {
        return switch (type) {
            case "float" -> DataType.FLOAT32;
            case "half" -> DataType.FLOAT16;
            case "double" -> DataType.FLOAT64;
            default -> DataType.fromName(type);
        };
    }
}
