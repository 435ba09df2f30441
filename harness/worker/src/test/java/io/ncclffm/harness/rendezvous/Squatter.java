package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.Peers.LOOPBACK;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A process that took the rendezvous port without knowing the run's token: a plain {@link ServerSocket} that reads
 * each client's whole hello, records it, and answers with whatever {@code answer} makes of it. After
 * {@code connections} connections it stops listening, which frees the port for a real server.
 */
final class Squatter implements AutoCloseable {

    private final ServerSocket socket;
    private final List<byte[]> hellos = new CopyOnWriteArrayList<>();
    private final CountDownLatch gone = new CountDownLatch(1);

    private Squatter(ServerSocket socket) {
        this.socket = socket;
    }

    /** Listens on a free loopback port until closed or {@code connections} connections have been answered. */
    static Squatter start(int connections, UnaryOperator<byte[]> answer) throws IOException {
        Squatter s = new Squatter(new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK)));
        Thread.ofVirtual().name("squatter-" + s.port()).start(() -> s.serve(connections, answer));
        return s;
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Every hello received so far, in order. */
    List<byte[]> hellos() {
        return List.copyOf(hellos);
    }

    /** Waits until the squatter has stopped listening; false when {@link Peers#PATIENCE} passed first. */
    boolean awaitGone() throws InterruptedException {
        return gone.await(Peers.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void serve(int connections, UnaryOperator<byte[]> answer) {
        try (socket) {
            for (int n = 0; n < connections; n++) {
                try (Socket s = socket.accept()) {
                    s.setSoTimeout((int) Peers.PATIENCE.toMillis());
                    byte[] hello = s.getInputStream().readNBytes(Frames.HELLO + 1); // the client half-closes
                    hellos.add(hello);
                    s.getOutputStream().write(answer.apply(hello));
                } catch (IOException e) {
                    if (socket.isClosed()) return;
                }
            }
        } catch (IOException ignored) {
            // closing to stop
        } finally {
            gone.countDown();
        }
    }
}
