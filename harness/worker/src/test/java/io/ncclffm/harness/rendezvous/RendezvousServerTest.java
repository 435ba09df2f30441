package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

@Timeout(60)
class RendezvousServerTest {

    private static final Duration CLIENT_TIMEOUT = Peers.PATIENCE;

    private final RendezvousToken token = RendezvousToken.random();
    private final UniqueId id = Peers.randomId();

    @Test
    void allThreeClientsOfAWorldOfFour_getTheIdenticalId_andAwaitAllRanksReturns() throws Exception {
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 4, token, id);
             ExecutorService ranks = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<UniqueId>> fetched = IntStream.rangeClosed(1, 3)
                    .mapToObj(r -> ranks.submit(() -> RendezvousClient.fetch(LOOPBACK, server.port(), token, r, CLIENT_TIMEOUT)))
                    .toList();
            Set<String> fingerprints = fetched.stream().map(f -> assertTimeoutPreemptively(CLIENT_TIMEOUT, () -> f.get()))
                    .map(UniqueId::fingerprint).collect(Collectors.toSet());

            assertEquals(Set.of(id.fingerprint()), fingerprints);
            server.awaitAllRanks(Duration.ofSeconds(1));
            assertEquals(Set.of(1, 2, 3), server.counters().servedRanks());
            assertEquals(List.of(), server.missingRanks());
            assertEquals(0, server.counters().rejectedTotal());
        }
    }

    @Test
    void aRankThatAsksTwice_getsTheSameIdAgain() {
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 2, token, id)) {
            UniqueId first = RendezvousClient.fetch(LOOPBACK, server.port(), token, 1, CLIENT_TIMEOUT);
            UniqueId second = RendezvousClient.fetch(LOOPBACK, server.port(), token, 1, CLIENT_TIMEOUT);

            assertEquals(id, first);
            assertEquals(id, second);
            assertEquals(Set.of(1), server.counters().servedRanks());
            assertEquals(2, server.counters().replies());
        }
    }

    @Test
    void awaitAllRanks_timesOutNamingTheRanksThatNeverArrived() {
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 4, token, id)) {
            RendezvousClient.fetch(LOOPBACK, server.port(), token, 2, CLIENT_TIMEOUT);

            long start = System.nanoTime();
            RendezvousException e = assertThrows(RendezvousException.class, () -> server.awaitAllRanks(Duration.ofMillis(200)));
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertTrue(e.getMessage().startsWith("rank(s) [1, 3] of world 4 never fetched the unique ID from "), e.getMessage());
            assertTrue(e.getMessage().contains(":" + server.port()), e.getMessage());
            assertTrue(tookMs >= 200 && tookMs < 2_000, "took " + tookMs + " ms");
            assertEquals(List.of(1, 3), server.missingRanks());
        }
    }

    @Test
    void aWorldOfOne_hasNobodyToWaitFor() {
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 1, token, id)) {
            server.awaitAllRanks(Duration.ZERO);
            assertEquals(List.of(), server.missingRanks());
        }
    }

    @Test
    void closing_stopsTheAcceptLoopAndEndsOpenConnections() throws Exception {
        RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 2, token, id);
        int port = server.port();
        try (Socket silent = new Socket(LOOPBACK, port)) {
            silent.setSoTimeout(2_000);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (server.openConnections() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(1, server.openConnections());

            server.close();

            assertFalse(server.isServing());
            assertEquals(0, server.openConnections());
            assertEquals(-1, readOrEof(silent), "the server closed the silent connection");
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, port).close());
            assertTrue(server.toString().contains("closed"), server.toString());
        }
        server.close(); // idempotent
    }

    @Test
    void bindingAnAddressInUse_isARendezvousExceptionNamingTheAddress() {
        try (RendezvousServer first = RendezvousServer.start(RendezvousServer.loopback(0), 2, token, id)) {
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousServer.start(first.address(), 2, token, id));
            assertTrue(e.getMessage().contains("cannot bind the rendezvous server to " + first.address()), e.getMessage());
            assertTrue(e.getCause() instanceof IOException);
        }
    }

    @Test
    void toString_showsTheAddressTheFingerprintAndTheCounters() throws Exception {
        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 3, token, id)) {
            RendezvousClient.fetch(LOOPBACK, server.port(), token, 1, CLIENT_TIMEOUT);
            Peers.exchange(server.port(), new byte[3]);
            Peers.awaitRejected(server, RejectReason.TRUNCATED, 1);

            assertEquals("RendezvousServer[" + server.address() + ", world 3, unique ID " + id.fingerprint()
                    + ", serving, served [1], 1 replies, 1 rejected {TRUNCATED=1}]", server.toString());
        }
    }

    @Test
    void closing_logsTheCountsOnce_asInformationWhenNothingWasRejected() {
        try (RecordedLog serverLog = RecordedLog.of(RendezvousServer.class)) {
            RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(0), 2, token, id);
            RendezvousClient.fetch(LOOPBACK, server.port(), token, 1, CLIENT_TIMEOUT);
            server.close();
            server.close();

            assertEquals(List.of("rendezvous " + server.address() + ": closed; served [1], 1 replies, 0 rejected {}"),
                    serverLog.messages(Level.INFO).stream().filter(Peers.closingSummary(server)).toList());
            assertEquals(List.of(), serverLog.messages(Level.WARNING));
        }
    }

    /** -1 at end of stream; a reset counts as ended too. */
    private static int readOrEof(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (IOException e) {
            return -1;
        }
    }
}
