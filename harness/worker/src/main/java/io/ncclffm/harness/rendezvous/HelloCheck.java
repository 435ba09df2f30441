package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.RendezvousProtocol.HELLO_BYTES;

import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Hello;

/** The server's checks of a client hello, without I/O: in {@link RejectReason}'s order, the MAC before the rank. */
final class HelloCheck {

    /**
     * The outcome: accepted, or rejected with a reason and a detail for the log.
     *
     * @param reason {@code null} when accepted
     * @param detail what was wrong, for the log; never a MAC
     * @param hello  the hello once its MAC verified (accepted, or {@link RejectReason#BAD_RANK}), so that the reply
     *               can be bound to its nonce and rank; {@code null} before that
     */
    record Decision(RejectReason reason, String detail, Hello hello) {
        boolean accepted() {
            return reason == null;
        }

        static Decision reject(RejectReason reason, String detail) {
            return new Decision(reason, detail, null);
        }
    }

    private HelloCheck() {}

    /** Judges the whole client-to-server stream, {@code frame}, against the run's token and world size. */
    static Decision judge(byte[] frame, RendezvousToken token, int world) {
        if (frame.length < HELLO_BYTES) {
            return Decision.reject(RejectReason.TRUNCATED, frame.length + " of " + HELLO_BYTES + " bytes before end of stream");
        }
        if (frame.length > HELLO_BYTES) return Decision.reject(RejectReason.OVERSIZED, "more than " + HELLO_BYTES + " bytes");
        Hello h = RendezvousProtocol.decodeHello(frame);
        if (h.magic() != RendezvousProtocol.HELLO_MAGIC) {
            return Decision.reject(RejectReason.BAD_MAGIC, String.format("magic 0x%08x", h.magic()));
        }
        if (h.version() != RendezvousProtocol.VERSION) return Decision.reject(RejectReason.BAD_VERSION, "version " + h.version());
        if (h.reserved() != 0) return Decision.reject(RejectReason.BAD_RESERVED, "reserved field " + h.reserved());
        if (!token.verifies(h.mac(), h.signed())) {
            return Decision.reject(RejectReason.BAD_TOKEN, "MAC does not verify under this run's token (claimed rank " + h.rank() + ")");
        }
        if (h.rank() < 1 || h.rank() >= world) {
            return new Decision(RejectReason.BAD_RANK, "rank " + h.rank() + " not in [1, " + world + ")", h);
        }
        return new Decision(null, null, h);
    }
}
