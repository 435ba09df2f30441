/**
 * The unique-ID rendezvous: how rank 0 hands its 128-byte {@code ncclUniqueId} to the other ranks of a job, which
 * run as separate processes (on loopback) or separate containers (on a per-cell network).
 *
 * <p>Rank 0 creates the ID and runs a {@link io.ncclffm.harness.rendezvous.RendezvousServer}; every other rank calls
 * {@link io.ncclffm.harness.rendezvous.RendezvousClient#fetch RendezvousClient.fetch}. The harness gives every rank the
 * same per-run {@link io.ncclffm.harness.protocol.RendezvousToken}. Failures are
 * {@link io.ncclffm.harness.rendezvous.RendezvousException}s.
 *
 * <h2>Protocol, version 2</h2>
 *
 * One TCP connection per fetch attempt, one frame each way. Integers are big-endian and unsigned unless noted. A MAC
 * is HMAC-SHA256 keyed with the run's token (32 bytes); the token itself is never sent. Worker and controller always
 * come from one build, so there is no negotiation: version 1, which sent the token in the clear, is gone (its
 * 44-byte hello is rejected as truncated, since the length is checked first).
 *
 * <p><b>Client hello</b>, exactly 76 bytes, after which the client half-closes ({@code shutdownOutput}). The hello is
 * the whole client-to-server stream: the server reads to end of stream, which is how it tells a complete hello from
 * a truncated or oversized one.
 * <pre>
 * offset size field
 *      0    4 magic     0x4E435248, ASCII "NCRH"
 *      4    2 version   2
 *      6    2 reserved  0
 *      8    4 rank      signed; must be in [1, world)
 *     12   32 nonce     fresh random bytes for each connection
 *     44   32 mac       MAC over bytes 0..43 (magic, version, reserved, rank, nonce)
 * </pre>
 *
 * <p><b>Server reply</b>, an 8-byte header, then what the status calls for; then the server closes.
 * <pre>
 * offset size field
 *      0    4 magic     0x4E435252, ASCII "NCRR"
 *      4    2 version   2
 *      6    2 status    0 OK, 1 MALFORMED, 2 UNSUPPORTED_VERSION, 3 BAD_TOKEN, 4 BAD_RANK, 5 NO_ID
 *      8  128 id        ncclUniqueId; OK only
 *    136   32 mac       OK: MAC over the header (bytes 0..7), the hello's nonce and rank, then the 128 ID bytes
 *      8   32 mac       BAD_RANK and NO_ID: MAC over the header, the hello's nonce and rank
 * </pre>
 * So an OK reply has 168 bytes, a BAD_RANK or NO_ID reply 40, and a MALFORMED, UNSUPPORTED_VERSION or BAD_TOKEN
 * reply 8. The two MACs cannot stand in for each other: one covers bytes that start with "NCRH", the other "NCRR".
 *
 * <p><b>Server checks</b>, in order, each a {@link io.ncclffm.harness.rendezvous.RejectReason}: the whole hello and
 * end of stream within the read timeout (2 s by default, for the whole hello, not per read), length, magic, version,
 * reserved, MAC (constant-time), rank. The MAC comes before the rank, so a peer without the token learns nothing
 * about the world size. A rejection is counted, and logged with the peer's address while its reason has had no more
 * than {@link io.ncclffm.harness.rendezvous.RendezvousServer#LOGGED_PER_REASON} (then one line says the rest are
 * counted; the counts of every reason come in one line when the server closes). Where the stream allows, the peer
 * gets a reply with the matching status (a timed-out or broken connection is just closed). Then the connection
 * closes and the server goes on serving. A rank that asks again gets the same ID again.
 *
 * <p><b>Client rules</b>: a fresh nonce for every attempt. Retry, with backoff and until its deadline, everything
 * that produced no trustworthy reply: refused, unknown host, reset, timeout, malformed reply, and a well-formed
 * reply whose MAC does not verify for this attempt's nonce and rank (a process that does not know the token, or a
 * reply recorded from another connection); the deadline's error says that a process on the port answered without
 * knowing the token. Never retry a well-formed rejection: BAD_RANK is verified like OK; MALFORMED,
 * UNSUPPORTED_VERSION and BAD_TOKEN go to peers the server could not authenticate and carry no MAC, so the client's
 * error says they may come from a process that is not this run's server.
 *
 * <p><b>What it defends.</b> A stray or stale client (another cell, an earlier run reusing the port) gets no ID, and
 * a process that binds rank 0's port first neither learns the token nor gets a rank to accept an ID of its choice.
 * It does not hide the ID: rank, nonce and ID travel in the clear, so whoever can read the cell network reads the ID
 * (which is itself a plain bootstrap address for NCCL's unauthenticated bootstrap); replaying a recorded hello gets
 * that same ID and nothing more. Such a process can still keep the ranks from meeting (it holds the port), which
 * ends in the rendezvous timeout with an error that names it.
 */
package io.ncclffm.harness.rendezvous;
