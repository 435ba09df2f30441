package io.ncclffm.harness.rendezvous;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
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
    /** The only protocol version there is. */
    static final short VERSION = 1;

    /** magic (4) + version (2) + reserved (2) + rank (4) + token (32). */
    static final int HELLO_BYTES = 4 + 2 + 2 + 4 + RendezvousToken.BYTES;
    /** magic (4) + version (2) + status (2). */
    static final int REPLY_HEADER_BYTES = 4 + 2 + 2;
    /** A reply carrying the ID: the header and the 128 ID bytes. */
    static final int REPLY_OK_BYTES = REPLY_HEADER_BYTES + UniqueId.BYTES;

    /** The status word of a reply. Anything but {@link #OK} is final: retrying the same hello cannot help. */
    enum Status {
        OK(0, "the ID follows"),
        MALFORMED(1, "the hello was not a well-formed frame"),
        UNSUPPORTED_VERSION(2, "the server speaks protocol version " + VERSION + " only"),
        BAD_TOKEN(3, "the token does not match the server's; every rank must get this run's token"),
        BAD_RANK(4, "the rank is outside [1, world)"),
        NO_ID(5, "rank 0 could not create the unique ID: ncclGetUniqueId failed there");

        final short code;
        final String meaning;

        Status(int code, String meaning) {
            this.code = (short) code;
            this.meaning = meaning;
        }

        static Status fromCode(short code) {
            for (Status s : values()) if (s.code == code) return s;
            return null;
        }
    }

    /** The fields of a hello of the right length, unchecked. */
    record Hello(int magic, short version, short reserved, int rank, byte[] token) {}

    private RendezvousProtocol() {}

    static byte[] encodeHello(int rank, RendezvousToken token) {
        return ByteBuffer.allocate(HELLO_BYTES)
                .putInt(HELLO_MAGIC).putShort(VERSION).putShort((short) 0).putInt(rank).put(token.toBytes())
                .array();
    }

    /** Splits a frame of exactly {@link #HELLO_BYTES} into its fields; checking them is the server's business. */
    static Hello decodeHello(byte[] frame) {
        if (frame.length != HELLO_BYTES) throw new IllegalArgumentException("a hello has " + HELLO_BYTES + " bytes");
        ByteBuffer b = ByteBuffer.wrap(frame);
        int magic = b.getInt();
        short version = b.getShort();
        short reserved = b.getShort();
        int rank = b.getInt();
        byte[] token = new byte[RendezvousToken.BYTES];
        b.get(token);
        return new Hello(magic, version, reserved, rank, token);
    }

    /** A reply: the header, and the ID's bytes when {@code status} is {@link Status#OK}. */
    static byte[] encodeReply(Status status, UniqueId id) {
        ByteBuffer b = ByteBuffer.allocate(status == Status.OK ? REPLY_OK_BYTES : REPLY_HEADER_BYTES)
                .putInt(REPLY_MAGIC).putShort(VERSION).putShort(status.code);
        if (status == Status.OK) b.put(id.toBytes());
        return b.array();
    }

    /** A decoded reply: the status, and the ID when the status is {@link Status#OK}. */
    record Reply(Status status, UniqueId id) {}

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
        int expected = status == Status.OK ? REPLY_OK_BYTES : REPLY_HEADER_BYTES;
        if (stream.length != expected) {
            throw new ProtocolException("a " + status + " reply has " + expected + " bytes, got " + stream.length
                    + (stream.length > expected ? " or more" : ""));
        }
        return new Reply(status, status == Status.OK ? UniqueId.fromBytes(Arrays.copyOfRange(stream, REPLY_HEADER_BYTES, expected)) : null);
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
