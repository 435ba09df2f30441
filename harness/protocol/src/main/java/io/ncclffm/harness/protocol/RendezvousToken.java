package io.ncclffm.harness.protocol;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The per-run secret every rank presents to rank 0's rendezvous server: exactly {@value #BYTES} random bytes,
 * passed to the ranks as {@value #HEX_CHARS} hex digits (e.g. in an environment variable).
 *
 * <p>The token keeps a stray or stale client (another cell, an earlier run reusing the port) from getting this run's
 * {@link io.ncclffm.UniqueId}; it is not a defence against an attacker who can read the cell's network. Comparisons
 * are constant-time, and {@link #toString()} never shows the bytes.
 */
public final class RendezvousToken {

    /** Token length in bytes; the client hello carries exactly this many. */
    public static final int BYTES = 32;

    /** Token length in hex digits. */
    public static final int HEX_CHARS = 2 * BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private RendezvousToken(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A fresh token from {@link SecureRandom}. */
    public static RendezvousToken random() {
        byte[] b = new byte[BYTES];
        RANDOM.nextBytes(b);
        return new RendezvousToken(b);
    }

    /** Copies exactly {@value #BYTES} bytes; any other length is rejected. */
    public static RendezvousToken fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("a rendezvous token has exactly " + BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new RendezvousToken(bytes.clone());
    }

    /**
     * Parses {@value #HEX_CHARS} hex digits (either case; surrounding whitespace, such as a trailing newline, is
     * ignored). The message of a rejection never repeats the input, which is a secret.
     */
    public static RendezvousToken fromHex(String hex) {
        if (hex == null) throw new IllegalArgumentException("a rendezvous token is required, got null");
        String s = hex.strip();
        if (s.length() != HEX_CHARS) {
            throw new IllegalArgumentException("a rendezvous token has exactly " + HEX_CHARS + " hex digits, got "
                    + s.length() + " characters");
        }
        try {
            return new RendezvousToken(HexFormat.of().parseHex(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a rendezvous token has only hex digits [0-9a-fA-F]"); // not chained: e echoes the input
        }
    }

    /** The token as {@value #HEX_CHARS} lower-case hex digits, for handing to a rank. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** A copy of the bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Whether {@code candidate} holds exactly this token, compared in time independent of where they differ. */
    public boolean matches(byte[] candidate) {
        return MessageDigest.isEqual(bytes, candidate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RendezvousToken other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 0; // tokens are not map keys; a content hash would only leak bits
    }

    /** Never the bytes: tokens end up in logs through string concatenation. */
    @Override
    public String toString() {
        return "RendezvousToken[redacted]";
    }
}
