package io.ncclffm.harness.protocol;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-run secret shared by every rank of a run: exactly {@value #BYTES} random bytes, passed to the ranks as
 * {@value #HEX_CHARS} hex digits (e.g. in an environment variable).
 *
 * <p>The rendezvous never sends it: each side proves it knows the token with an HMAC-SHA256 under it ({@link #mac}),
 * so a stray or stale client (another cell, an earlier run reusing the port) does not get this run's
 * {@link io.ncclffm.UniqueId}, and a process that took rank 0's port first cannot hand out an ID of its own. MACs are
 * compared in constant time, and {@link #toString()} never shows the bytes.
 */
public final class RendezvousToken {

    /** Token length in bytes. */
    public static final int BYTES = 32;

    /** Token length in hex digits. */
    public static final int HEX_CHARS = 2 * BYTES;

    /** Length of a {@linkplain #mac MAC} in bytes (HMAC-SHA256). */
    public static final int MAC_BYTES = 32;

    private static final String HMAC = "HmacSHA256";

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

    /** HMAC-SHA256 under this token of {@code parts}, one after the other: {@value #MAC_BYTES} bytes. */
    public byte[] mac(byte[]... parts) {
        Mac mac;
        try {
            mac = Mac.getInstance(HMAC); // a fresh one per call: a Mac is not thread-safe, and this is cheap
            mac.init(new SecretKeySpec(bytes, HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java SE runtime has " + HMAC, e);
        }
        for (byte[] p : parts) mac.update(p);
        return mac.doFinal();
    }

    /**
     * Whether {@code mac} is this token's {@linkplain #mac MAC} of {@code parts}, compared in time independent of
     * where they differ (a forger must not learn how many leading bytes it got right).
     */
    public boolean verifies(byte[] mac, byte[]... parts) {
        return mac != null && MessageDigest.isEqual(mac(parts), mac);
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
