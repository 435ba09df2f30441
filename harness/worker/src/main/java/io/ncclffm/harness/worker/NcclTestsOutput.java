package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * Reads the table an nccl-tests binary ({@code all_reduce_perf}, ...) prints into perf points of source
 * {@link PerfPoint#NCCL_TESTS}.
 *
 * <p>A data row is {@code size count type [redop [root]]} then, out of place and in place, {@code time algbw busbw
 * #wrong}; lines starting with {@code #} are headers and the closing summary. Releases differ in the middle columns
 * (v2.13 and newer print {@code redop} and {@code root} for every collective, older ones only where they apply, and
 * the {@code #wrong} of an unchecked run reads {@code -1} or {@code N/A}), so a row is read from both ends: the first
 * three fields and the last eight. Times and bandwidths are taken as printed; nccl-tests' size is the larger buffer
 * of the operation, which is this harness's convention too ({@link PerfPoint#elementsPerRank}).
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
     * @param collective which binary printed it ({@link PerfPoint#COLLECTIVES})
     * @param iterations its {@code -n}
     * @throws IllegalArgumentException on a row whose numbers do not parse, naming the line; when no row was found
     */
    public static List<PerfPoint> points(String output, String library, int world, String collective, int iterations) {
        PerfPoint.busFactor(collective, world);  // rejects an unknown collective before anything is read
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
                String dtype = PerfPoint.fromNcclTestsType(f[2]);
                int first = f.length - 8;
                points.add(point(library, world, collective, bytes, dtype, "out-of-place", iterations, f, first));
                points.add(point(library, world, collective, bytes, dtype, "in-place", iterations, f, first + 4));
            } catch (NumberFormatException e) {
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
                run.stream().filter(q -> q.bytes() == p.bytes() && q.placement().equals(p.placement())
                        && q.dtype().equals(p.dtype()) && Objects.equals(q.collective(), p.collective())).findFirst().ifPresent(same::add);
            }
            if (same.size() == 1) {
                out.add(p);
                continue;
            }
            List<Double> times = same.stream().map(PerfPoint::timeUs).toList();
            PerfPoint median = PerfPoint.medianByTime(same);
            out.add(new PerfPoint(median.library(), median.source(), median.world(), median.collective(), median.bytes(),
                    median.dtype(), median.placement(), median.mode(), median.iterations(), median.timeUs(), median.algBwGBs(),
                    median.busBwGBs(), times, median.cell(), median.run()));
        }
        return out;
    }

    private static PerfPoint point(String library, int world, String collective, long bytes, String dtype,
                                   String placement, int iterations, String[] f, int at) {
        double time = Double.parseDouble(f[at]);
        double alg = Double.parseDouble(f[at + 1]);
        double bus = Double.parseDouble(f[at + 2]);
        return new PerfPoint(library, PerfPoint.NCCL_TESTS, world, collective, bytes, dtype, placement, "launch",
                iterations, time, alg, bus, List.of(time), null, 0);
    }

    /**
     * The arguments for one binary: {@code -b 8 -e max -f 2 -g gpus -n iterations -w warmup -d type -c 0}, doubling
     * from 8 B like perf mode, {@code gpus} GPUs driven by the one process (one per rank), no data check (it would
     * add a verification pass to every size).
     *
     * @throws IllegalArgumentException when {@code gpus} is below 1
     */
    public static List<String> arguments(long maxBytes, int gpus, int iterations, int warmup, String dtype) {
        if (gpus < 1) throw new IllegalArgumentException("nccl-tests -g takes at least 1 GPU, got " + gpus);
        return List.of("-b", "8", "-e", Long.toString(maxBytes), "-f", "2", "-g", Integer.toString(gpus), "-n", Integer.toString(iterations),
                "-w", Integer.toString(warmup), "-d", PerfPoint.ncclTestsType(dtype), "-c", "0");
    }
}
