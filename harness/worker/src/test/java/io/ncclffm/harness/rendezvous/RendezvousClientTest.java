package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;

@Timeout(10)
class RendezvousClientTest {

    private static final Pattern ATTEMPTS = Pattern.compile("after (\\d+) attempts");

    private final RendezvousToken token = RendezvousToken.random();
    private final UniqueId id = Peers.randomId();

    @Test
    void aClientStartedBeforeTheServer_retriesUntilTheServerIsUp() throws Exception {
        int port = Peers.freePort();
        CompletableFuture<UniqueId> fetched = CompletableFuture.supplyAsync(
                () -> RendezvousClient.fetch(LOOPBACK, port, token, 1, Duration.ofSeconds(5)),
                runnable -> Thread.ofVirtual().start(runnable));
        Thread.sleep(300);
        assertFalse(fetched.isDone(), "nothing to fetch from yet");

        try (RendezvousServer server = RendezvousServer.start(RendezvousServer.loopback(port), 2, token, id)) {
            assertEquals(id, fetched.get(3, TimeUnit.SECONDS));
            server.awaitAllRanks(Duration.ofSeconds(1));
        }
    }

    @Test
    void whenTheServerNeverStarts_fetchFailsWithinTheDeadline_namingAddressRankAndAttempts() throws Exception {
        int port = Peers.freePort();
        long start = System.nanoTime();
        RendezvousException e = assertThrows(RendezvousException.class,
                () -> RendezvousClient.fetch(LOOPBACK, port, token, 3, Duration.ofMillis(600)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(e.getMessage().startsWith("rank 3 could not fetch the unique ID from 127.0.0.1:" + port + " within PT0.6S after "),
                e.getMessage());
        assertTrue(attempts(e) >= 3, "retried with backoff: " + e.getMessage());
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(e.getMessage().endsWith("last cause: " + e.getCause()), e.getMessage());
        assertTrue(tookMs >= 600 - RendezvousClient.LAST_TRY_MS && tookMs < 1_500, "gave up at the deadline: " + tookMs + " ms");
    }

    @Test
    void anUnknownHost_isRetriedUntilTheDeadline() {
        RendezvousException e = assertThrows(RendezvousException.class,
                () -> RendezvousClient.fetch("rank0.rendezvous.invalid", 29500, token, 1, Duration.ofMillis(300)));

        assertTrue(e.getMessage().contains("from rank0.rendezvous.invalid:29500 within PT0.3S"), e.getMessage());
        assertInstanceOf(UnknownHostException.class, e.getCause());
        assertTrue(attempts(e) >= 2, e.getMessage());
    }

    @Test
    void somethingThatIsNotARendezvousServer_isRetriedAndReportedAsAProtocolError() throws Exception {
        try (ServerSocket impostor = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK))) {
            Thread answering = Thread.ofVirtual().start(() -> {
                while (!impostor.isClosed()) {
                    try (Socket s = impostor.accept()) {
                        s.getInputStream().readAllBytes();
                        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (SocketException closed) {
                        return;
                    } catch (Exception ignored) {
                        // next connection
                    }
                }
            });
            RendezvousException e = assertThrows(RendezvousException.class,
                    () -> RendezvousClient.fetch(LOOPBACK, impostor.getLocalPort(), token, 1, Duration.ofMillis(300)));
            impostor.close();
            answering.join(2_000);

            assertInstanceOf(ProtocolException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("reply magic 0x48545450 is not 0x4e435252"), e.getCause().getMessage());
            assertTrue(attempts(e) >= 2, e.getMessage());
        }
    }

    @Test
    void argumentsAreCheckedBeforeAnyConnection() {
        assertThrows(IllegalArgumentException.class, () -> RendezvousClient.fetch(LOOPBACK, 0, token, 1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> RendezvousClient.fetch(LOOPBACK, 29500, token, 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> RendezvousClient.fetch(LOOPBACK, 29500, token, 1, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> RendezvousClient.fetch(LOOPBACK, 29500, null, 1, Duration.ofSeconds(1)));
    }

    private static int attempts(RendezvousException e) {
        Matcher m = ATTEMPTS.matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        return Integer.parseInt(m.group(1));
    }
}
