/**
 * The unique-ID rendezvous: how rank 0 hands its 128-byte {@code ncclUniqueId} to the other ranks of a job, which
 * run as separate processes (on loopback) or separate containers (on a per-cell network).
 *
 * <p>Rank 0 creates the ID and runs a {@link io.ncclffm.harness.rendezvous.RendezvousServer}; every other rank calls
 * {@link io.ncclffm.harness.rendezvous.RendezvousClient#fetch RendezvousClient.fetch}. The harness gives every rank the
 * same per-run {@link io.ncclffm.harness.protocol.RendezvousToken}. Failures are
 * {@link io.ncclffm.harness.rendezvous.RendezvousException}s.
 *
 * <h2>Protocol, version 1</h2>
 *
 * One TCP connection per fetch, one frame each way. Integers are big-endian and unsigned unless noted.
 *
 * <p><b>Client hello</b>, exactly 44 bytes, after which the client half-closes ({@code shutdownOutput}). The hello is
 * the whole client-to-server stream: the server reads to end of stream, which is how it tells a complete hello from
 * a truncated or oversized one.
 * <pre>
 * offset size field
 *      0    4 magic     0x4E435248, ASCII "NCRH"
 *      4    2 version   1
 *      6    2 reserved  0
 *      8    4 rank      signed; must be in [1, world)
 *     12   32 token     the run's {@link io.ncclffm.harness.protocol.RendezvousToken}, raw bytes
 * </pre>
 *
 * <p><b>Server reply</b>, 8 bytes, followed by the 128 ID bytes when the status is 0; then the server closes.
 * <pre>
 * offset size field
 *      0    4 magic     0x4E435252, ASCII "NCRR"
 *      4    2 version   1
 *      6    2 status    0 OK, 1 MALFORMED, 2 UNSUPPORTED_VERSION, 3 BAD_TOKEN, 4 BAD_RANK
 *      8  128 id        ncclUniqueId, only when status is 0 (reply of 136 bytes)
 * </pre>
 *
 * <p><b>Server checks</b>, in order, each a {@link io.ncclffm.harness.rendezvous.RejectReason}: the whole hello and
 * end of stream within the read timeout (2 s by default, for the whole hello, not per read), length, magic, version,
 * reserved, token (constant-time), rank. The token comes before the rank, so a peer without the token learns nothing
 * about the world size. A rejection is logged with the peer's address and counted; where the stream allows, the
 * peer gets a reply with the matching status (a timed-out or broken connection is just closed). Then the connection
 * closes and the server goes on serving. A rank that asks again gets the same ID again.
 *
 * <p><b>Client rules</b>: retry, with backoff and until its deadline, everything that produced no well-formed reply
 * (refused, unknown host, reset, timeout, malformed reply); never retry a well-formed rejection.
 *
 * <p>The token keeps stray and stale peers out; it is sent in the clear, so it is no defence against someone who can
 * read the cell network, and the ID it guards is itself a plain bootstrap address for NCCL.
 */
package io.ncclffm.harness.rendezvous;
