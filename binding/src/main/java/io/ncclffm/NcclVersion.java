package io.ncclffm;

/**
 * A library version as {@code ncclGetVersion} reports it, decoded exactly like nccl.h's {@code NCCL_VERSION} macro.
 *
 * <p>nccl.h encodes {@code X.Y.Z} as {@code X*1000 + Y*100 + Z} while {@code X <= 2 && Y <= 8}, and as
 * {@code X*10000 + Y*100 + Z} from 2.9 on. A code below 10000 therefore belongs to the first era. (vLLM's
 * Python wrapper slices the decimal string instead, which turns 2.19.0 into "2.19." and 2.8.4 into "2.80.4".)
 *
 * <p>RCCL reports the NCCL API level it implements: RCCL of ROCm 5.4.3 reports 21304, that is 2.13.4.
 */
public record NcclVersion(int major, int minor, int patch) implements Comparable<NcclVersion> {

    public NcclVersion {
        if (major < 0 || minor < 0 || patch < 0 || minor > 99 || patch > 99) {
            throw new IllegalArgumentException(
                    "version parts must be 0..99 (minor, patch) and non-negative: " + major + "." + minor + "." + patch);
        }
    }

    /** Decodes a {@code ncclGetVersion} code; a code that no release can produce is rejected with its value. */
    public static NcclVersion decode(int code) {
        if (code <= 0) {
            throw new IllegalArgumentException("NCCL version code must be positive, got " + code);
        }
        if (code < 10000) {
            // First era: X*1000 + Y*100 + Z, only ever used for releases up to 2.8.
            NcclVersion v = new NcclVersion(code / 1000, code % 1000 / 100, code % 100);
            if (v.major > 2 || (v.major == 2 && v.minor > 8)) {
                throw new IllegalArgumentException("NCCL version code " + code
                        + " decodes to " + v + " in the X*1000+Y*100+Z scheme, which nccl.h uses only up to 2.8");
            }
            return v;
        }
        return new NcclVersion(code / 10000, code % 10000 / 100, code % 100);
    }

    /** Parses {@code "2.28.9"} (the patch may be omitted: {@code "2.28"} means 2.28.0). */
    public static NcclVersion parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("expected a version like 2.28.9, got '" + text + "'");
        }
        try {
            return new NcclVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                    parts.length == 3 ? Integer.parseInt(parts[2]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a version like 2.28.9, got '" + text + "'", e);
        }
    }

    public static NcclVersion of(int major, int minor, int patch) {
        return new NcclVersion(major, minor, patch);
    }

    /** The code nccl.h's {@code NCCL_VERSION(X,Y,Z)} macro gives for this version. */
    public int code() {
        return major <= 2 && minor <= 8 ? major * 1000 + minor * 100 + patch : major * 10000 + minor * 100 + patch;
    }

    public boolean atLeast(NcclVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(NcclVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        if (c == 0) c = Integer.compare(patch, o.patch);
        return c;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
