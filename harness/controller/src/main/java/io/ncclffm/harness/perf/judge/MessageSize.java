package io.ncclffm.harness.perf.judge;

import java.util.Locale;

/**
 * How reports name message sizes. The sweep doubles from 8 B, so every size is a power of two and binary units
 * give exact short labels ({@code 64 MiB} rather than {@code 67.1 MB}), the way nccl-tests' {@code 64M} does.
 */
public final class MessageSize {

    /** From here on a message is bandwidth-bound on every transport the matrix uses; the overhead goal changes. */
    public static final long LARGE = 64L << 20;

    private MessageSize() {
    }

    /** {@code 8 B}, {@code 1 KiB}, {@code 64 MiB}, {@code 1 GiB}; a size that is not a whole unit keeps decimals. */
    public static String label(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value == Math.rint(value)) return (long) value + " " + units[unit];
        return String.format(Locale.ROOT, "%.2f %s", value, units[unit]);
    }

    /** log2 of the size, for the chart's axis. */
    public static double log2(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("message size must be positive, got " + bytes);
        return Math.log(bytes) / Math.log(2);
    }
}
