package io.ncclffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@code ncclUniqueId}: the 128 opaque bytes rank 0 creates with {@code ncclGetUniqueId} and every rank passes,
 * by value, to {@code ncclCommInitRank}. A value type: equality is byte equality.
 *
 * <p>The bytes embed rank 0's bootstrap address, so {@link #toString()} shows only the fingerprint.
 */
public final class UniqueId {

    /** {@code NCCL_UNIQUE_ID_BYTES}. */
    public static final int BYTES = 128;

    private final byte[] bytes;

    private UniqueId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies exactly {@value #BYTES} bytes; any other length is rejected. */
    public static UniqueId fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("an ncclUniqueId has exactly " + BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new UniqueId(bytes.clone());
    }

    static UniqueId fromSegment(MemorySegment segment) {
        return new UniqueId(segment.asSlice(0, BYTES).toArray(ValueLayout.JAVA_BYTE));
    }

    /** A copy of the 128 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    MemorySegment toSegment(Arena arena) {
        MemorySegment s = arena.allocate(BYTES, 8);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, BYTES);
        return s;
    }

    /** The first 16 hex digits of the SHA-256 of the bytes: short enough for logs, long enough to compare ranks. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether all bytes are zero, which {@code ncclGetUniqueId} never produces. */
    public boolean isZero() {
        for (byte b : bytes) if (b != 0) return false;
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UniqueId other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "UniqueId[" + fingerprint() + "]";
    }
}
