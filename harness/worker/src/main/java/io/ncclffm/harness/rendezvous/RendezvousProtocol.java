package io.ncclffm.harness.rendezvous;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

/**
 * The wire format of the rendezvous, as laid out in the {@linkplain io.ncclffm.harness.rendezvous package
 * documentation}: encoding and decoding of the client hello and the server reply, and a deadline-bounded read.
 * All integers are big-endian ({@link ByteBuffer}'s default order).
 */
final class RendezvousProtocol {

    /** {@code "NCRH"}: the first four bytes of every client hello. */
    static final int HELLO_MAGIC = 0x4E43_5248;
    /** {@code "NCRR"}: the first four bytes of every server reply. */
    static final int REPLY_MAGIC = 0x4E43_5252;
    /** The only protocol version spoken; version 1 sent the token itself and is gone. */
    static final short VERSION = 2;

    /** Length of the client's nonce. */
    static final int NONCE_BYTES = 32;
    /** magic (4) + version (2) + reserved (2) + rank (4) + nonce (32): what the client's MAC covers. */
    static final int HELLO_SIGNED_BYTES = 4 + 2 + 2 + 4 + NONCE_BYTES;
    /** The signed part and the client's MAC (32). */
    static final int HELLO_BYTES = HELLO_SIGNED_BYTES + RendezvousToken.MAC_BYTES;
    /** magic (4) + version (2) + status (2). */
    static final int REPLY_HEADER_BYTES = 4 + 2 + 2;
    /** A reply carrying the ID: the header, the 128 ID bytes and the server's MAC (32). */
    static final int REPLY_OK_BYTES = REPLY_HEADER_BYTES + UniqueId.BYTES + RendezvousToken.MAC_BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The status word of a reply. Anything but {@link #OK} is final: retrying the same hello cannot help.
     * {@code authenticated} statuses answer a hello whose MAC verified and carry the server's MAC; the others answer
     * a peer the server could not authenticate, so they cannot carry one a client would accept.
     */
    enum Status {
        OK(0, true, "the ID follows"),
        MALFORMED(1, false, "the hello was not a well-formed frame"),
        UNSUPPORTED_VERSION(2, false, "the server speaks protocol version " + VERSION + " only"),
        BAD_TOKEN(3, false, "the hello's MAC does not verify under the server's token; every rank must get this run's token"),
        BAD_RANK(4, true, "the rank is outside [1, world)"),
        NO_ID(5, true, "rank 0 could not create the unique ID: ncclGetUniqueId failed there");

        final short code;
        final boolean authenticated;
        final String meaning;

        Status(int code, boolean authenticated, String meaning) {
            this.code = (short) code;
            this.authenticated = authenticated;
            this.meaning = meaning;
        }

        static Status fromCode(short code) {
            for (Status s : values()) if (s.code == code) return s;
            return null;
        }

        /** The length of a whole reply with this status. */
        int replyBytes() {
            if (this == OK) return REPLY_OK_BYTES;
            return authenticated ? REPLY_HEADER_BYTES + RendezvousToken.MAC_BYTES : REPLY_HEADER_BYTES;
        }
    }

    /** The fields of a hello of the right length, unchecked; {@code signed} is what {@code mac} claims to cover. */
    record Hello(int magic, short version, short reserved, int rank, byte[] nonce, byte[] mac, byte[] signed) {}

    private RendezvousProtocol() {}

    /** A fresh nonce from {@link SecureRandom}; the client uses one per connection. */
    static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The hello for {@code rank}, bound to {@code nonce} and signed with the token, which itself is not sent. */
    static byte[] encodeHello(int rank, byte[] nonce, RendezvousToken token) {
        if (nonce.length != NONCE_BYTES) throw new IllegalArgumentException("a nonce has " + NONCE_BYTES + " bytes");
        byte[] signed = ByteBuffer.allocate(HELLO_SIGNED_BYTES)
                .putInt(HELLO_MAGIC).putShort(VERSION).putShort((short) 0).putInt(rank).put(nonce)
                .array();
        return ByteBuffer.allocate(HELLO_BYTES).put(signed).put(token.mac(signed)).array();
    }

    /** Splits a frame of exactly {@link #HELLO_BYTES} into its fields; checking them is the server's business. */
    static Hello decodeHello(byte[] frame) {
        if (frame.length != HELLO_BYTES) throw new IllegalArgumentException("a hello has " + HELLO_BYTES + " bytes");
        ByteBuffer b = ByteBuffer.wrap(frame);
        int magic = b.getInt();
        short version = b.getShort();
        short reserved = b.getShort();
        int rank = b.getInt();
        byte[] nonce = new byte[NONCE_BYTES];
        b.get(nonce);
        byte[] mac = new byte[RendezvousToken.MAC_BYTES];
        b.get(mac);
        return new Hello(magic, version, reserved, rank, nonce, mac, Arrays.copyOf(frame, HELLO_SIGNED_BYTES));
    }

    /** A reply to a peer the server could not authenticate: the header alone. */
    static byte[] encodeRejection(Status status) {
        if (status.authenticated) throw new IllegalArgumentException(status + " answers an authenticated hello");
        return header(status);
    }

    /**
     * A reply to an authenticated hello: the header, the ID's bytes when {@code status} is {@link Status#OK}, then
     * the server's MAC over the header, the client's nonce and rank, and the ID, which proves to the client that this
     * server knows the token and answers this very hello.
     */
    static byte[] encodeAnswer(Status status, byte[] nonce, int rank, UniqueId id, RendezvousToken token) {
        if (!status.authenticated) throw new IllegalArgumentException(status + " answers an unauthenticated peer");
        byte[] header = header(status);
        byte[] idBytes = status == Status.OK ? id.toBytes() : new byte[0];
        return ByteBuffer.allocate(status.replyBytes())
                .put(header).put(idBytes).put(token.mac(header, nonce, rankBytes(rank), idBytes))
                .array();
    }

    /**
     * A decoded reply: the status, the ID when the status is {@link Status#OK}, and the server's MAC when the status
     * is authenticated. Nothing in it is to be trusted before {@link #verifies} says so.
     */
    record Reply(Status status, UniqueId id, byte[] mac) {

        /**
         * Whether the server that sent this knows {@code token} and answered the hello with {@code nonce} and
         * {@code rank}; always false for a status that cannot be authenticated.
         */
        boolean verifies(byte[] nonce, int rank, RendezvousToken token) {
            if (!status.authenticated) return false;
            byte[] idBytes = status == Status.OK ? id.toBytes() : new byte[0];
            return token.verifies(mac, header(status), nonce, rankBytes(rank), idBytes);
        }
    }

    /**
     * Decodes the whole server-to-client stream. Anything that is not exactly one well-formed reply is a
     * {@link ProtocolException}: a corrupted or cut-off reply, or something that is not a rendezvous server.
     */
    static Reply decodeReply(byte[] stream) throws ProtocolException {
        if (stream.length < REPLY_HEADER_BYTES) {
            throw new ProtocolException("reply truncated: " + stream.length + " of " + REPLY_HEADER_BYTES + " header bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(stream);
        int magic = b.getInt();
        short version = b.getShort();
        short code = b.getShort();
        if (magic != REPLY_MAGIC) throw new ProtocolException(String.format("reply magic 0x%08x is not 0x%08x", magic, REPLY_MAGIC));
        if (version != VERSION) throw new ProtocolException("reply version " + version + " is not " + VERSION);
        Status status = Status.fromCode(code);
        if (status == null) throw new ProtocolException("reply status " + code + " is unknown");
        int expected = status.replyBytes();
        if (stream.length != expected) {
            throw new ProtocolException("a " + status + " reply has " + expected + " bytes, got " + stream.length
                    + (stream.length > expected ? " or more" : ""));
        }
        UniqueId id = null;
        if (status == Status.OK) {
            byte[] idBytes = new byte[UniqueId.BYTES];
            b.get(idBytes);
            id = UniqueId.fromBytes(idBytes);
        }
        byte[] mac = status.authenticated ? Arrays.copyOfRange(stream, b.position(), expected) : null;
        return new Reply(status, id, mac);
    }

    private static byte[] header(Status status) {
        return ByteBuffer.allocate(REPLY_HEADER_BYTES).putInt(REPLY_MAGIC).putShort(VERSION).putShort(status.code).array();
    }

    private static byte[] rankBytes(int rank) {
        return ByteBuffer.allocate(4).putInt(rank).array();
    }

    /**
     * Reads until end of stream, {@code limit} bytes, or {@code deadlineNanos} ({@link System#nanoTime()}), whichever
     * comes first, and returns what arrived. Reading one byte past a frame's size is how an oversized frame shows.
     * {@link InputStream#readNBytes(int)} alone would bound each read, not the whole, which lets a client that trickles
     * a byte at a time hold the connection far past the timeout.
     *
     * @throws SocketTimeoutException when the deadline passes before end of stream or {@code limit} bytes
     */
    static byte[] readUntilEof(Socket socket, int limit, long deadlineNanos) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[limit];
        int n = 0;
        try {
            while (n < limit) {
                socket.setSoTimeout(millisLeft(deadlineNanos));
                int r = in.read(buf, n, limit - n);
                if (r < 0) break;
                n += r;
            }
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no end of stream within the deadline; " + n + " bytes arrived");
        }
        return Arrays.copyOf(buf, n);
    }

    /**
     * Milliseconds to the deadline, at least 1 (a socket timeout of 0 would mean none at all).
     *
     * @throws SocketTimeoutException when the deadline has passed
     */
    static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) throw new SocketTimeoutException("deadline passed");
        return (int) Math.clamp((left + 999_999) / 1_000_000, 1, Integer.MAX_VALUE);
    }
}
