package io.ncclffm.harness.rendezvous;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The frames of protocol version 2 as the package documentation lays them out, built here with javax.crypto and
 * without {@link RendezvousProtocol}, so that tests which fuzz the server or play a squatter do not check the
 * encoder against itself.
 */
final class Frames {

    static final int HELLO = 76;
    static final int HELLO_SIGNED = 44;
    static final int OK_REPLY = 168;

    private Frames() {}

    /** HMAC-SHA256 of {@code parts}, one after the other, keyed with {@code key}. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) mac.update(p);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** "NCRH", version 2, reserved 0, rank, nonce, then the MAC of those 44 bytes under {@code key}. */
    static byte[] hello(int rank, byte[] nonce, byte[] key) {
        byte[] signed = ByteBuffer.allocate(HELLO_SIGNED).putInt(0x4E435248).putShort((short) 2).putShort((short) 0)
                .putInt(rank).put(nonce).array();
        return ByteBuffer.allocate(HELLO).put(signed).put(hmac(key, signed)).array();
    }

    /** The rank field of a hello. */
    static int rank(byte[] hello) {
        return ByteBuffer.wrap(hello).getInt(8);
    }

    /** The nonce field of a hello. */
    static byte[] nonce(byte[] hello) {
        return Arrays.copyOfRange(hello, 12, 44);
    }

    /** "NCRR", version 2, {@code status}. */
    static byte[] replyHeader(int status) {
        return ByteBuffer.allocate(8).putInt(0x4E435252).putShort((short) 2).putShort((short) status).array();
    }

    /** An OK reply with {@code id} and whatever {@code mac} is given. */
    static byte[] okReply(byte[] id, byte[] mac) {
        return ByteBuffer.allocate(8 + id.length + mac.length).put(replyHeader(0)).put(id).put(mac).array();
    }

    /**
     * The reply with {@code status} (0 OK, 4 BAD_RANK or 5 NO_ID) that a server knowing {@code key} sends to
     * {@code hello}: the header, {@code id} (empty but for OK), and the MAC over header, nonce, rank and {@code id}.
     */
    static byte[] genuineAnswer(byte[] hello, int status, byte[] id, byte[] key) {
        byte[] rank = ByteBuffer.allocate(4).putInt(rank(hello)).array();
        byte[] mac = hmac(key, replyHeader(status), nonce(hello), rank, id);
        return ByteBuffer.allocate(8 + id.length + mac.length).put(replyHeader(status)).put(id).put(mac).array();
    }

    /** Whether {@code frame} is a hello signed with {@code key}, whatever its rank. */
    static boolean signedWith(byte[] frame, byte[] key) {
        return frame.length == HELLO && Arrays.equals(frame, hello(rank(frame), nonce(frame), key));
    }
}
