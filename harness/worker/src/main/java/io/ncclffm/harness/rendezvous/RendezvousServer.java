package io.ncclffm.harness.rendezvous;

import static io.ncclffm.harness.rendezvous.RendezvousProtocol.HELLO_BYTES;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.rendezvous.RendezvousProtocol.Status;

/**
 * Rank 0's side of the rendezvous: serves one {@link UniqueId} to ranks {@code 1..world-1} that prove they know the
 * run's {@link RendezvousToken}, and proves to each that it knows the token too, over the protocol in the
 * {@linkplain io.ncclffm.harness.rendezvous package documentation}.
 *
 * <p>One virtual thread accepts; each connection gets its own virtual thread and a read deadline, so a silent or
 * slow peer holds only itself up. A bad connection is counted under its {@link RejectReason} (see
 * {@link #counters()}) and closed; the server keeps serving. A rank may fetch any number of times and always gets
 * the same ID, which lets a rank whose reply was lost retry. The server therefore keeps answering until
 * {@linkplain #close() closed}: {@link #awaitAllRanks(Duration)} tells the owner when every rank has fetched.
 *
 * <p>Rejections are logged so that a flood of them cannot push rank 0's real errors out of its log: the first
 * {@value #LOGGED_PER_REASON} of each reason get a line each, with the peer's address and what was wrong; one more
 * line then says that the rest of that reason are only counted; and {@link #close()} logs the counts of every
 * reason in one line. However many connections arrive, rejections add at most {@code LOGGED_PER_REASON + 1} lines
 * per reason, plus that closing line. Failures of {@code accept} itself (such as running out of file descriptors
 * under a flood of silent connections) follow the same rule. The owner closes the server once every rank has
 * fetched or its rendezvous timeout has passed, so the counts come within that bound.
 *
 * <p>Where to bind: process mode binds {@code 127.0.0.1} (see {@link #loopback(int)}); container mode binds the
 * cell network's address, or {@code 0.0.0.0} in a container attached to the cell network only.
 */
public final class RendezvousServer implements AutoCloseable {

    /** How long a peer has to send its whole hello and half-close. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);

    /** How many rejections of each {@link RejectReason} are logged one by one; the rest are only counted. */
    public static final int LOGGED_PER_REASON = 5;

    private static final Logger log = System.getLogger(RendezvousServer.class.getName());

    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final int world;
    private final RendezvousToken token;
    private final UniqueId id;
    private final long readTimeoutNanos;
    private final Set<Integer> served = ConcurrentHashMap.newKeySet();
    private final CountDownLatch allServed;
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong acceptFailures = new AtomicLong();
    private final Map<RejectReason, AtomicLong> rejected = new EnumMap<>(RejectReason.class);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService connections;
    private final Thread acceptor;
    private volatile boolean closed;

    private RendezvousServer(ServerSocket serverSocket, int world, RendezvousToken token, UniqueId id, Duration readTimeout) {
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.world = world;
        this.token = token;
        this.id = id;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.allServed = new CountDownLatch(world - 1);
        for (RejectReason r : RejectReason.values()) rejected.put(r, new AtomicLong());
        this.connections = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("rendezvous-" + address.getPort() + "-conn-", 0).factory());
        this.acceptor = Thread.ofVirtual().name("rendezvous-" + address.getPort() + "-accept").unstarted(this::acceptLoop);
    }

    /** {@code 127.0.0.1:port}, the bind address for process mode; port 0 picks a free one. */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** {@link #start(InetSocketAddress, int, RendezvousToken, UniqueId, Duration)} with {@link #DEFAULT_READ_TIMEOUT}. */
    public static RendezvousServer start(InetSocketAddress bindAddress, int world, RendezvousToken token, UniqueId id) {
        return start(bindAddress, world, token, id, DEFAULT_READ_TIMEOUT);
    }

    /**
     * Binds and starts serving.
     *
     * @param bindAddress where to listen; port 0 picks a free port, see {@link #address()}
     * @param world       ranks in the job, rank 0 (this process) included; at least 1
     * @param id          the ID to serve, or {@code null} when rank 0 could not create one: every rank then gets
     *                    {@code NO_ID}
     * @param readTimeout how long each connection may take to deliver its hello
     * @throws RendezvousException when the address cannot be bound (the cause says why)
     */
    public static RendezvousServer start(InetSocketAddress bindAddress, int world, RendezvousToken token, UniqueId id,
                                         Duration readTimeout) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(token, "token");
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        if (readTimeout.isNegative() || readTimeout.isZero()) throw new IllegalArgumentException("readTimeout must be positive");
        ServerSocket ss = null;
        try {
            ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(bindAddress, 64);
        } catch (IOException e) {
            closeQuietly(ss);
            throw new RendezvousException("cannot bind the rendezvous server to " + bindAddress + ": " + e.getMessage(), e);
        }
        RendezvousServer server = new RendezvousServer(ss, world, token, id, readTimeout);
        server.acceptor.start();
        log.log(Level.INFO, () -> "rendezvous: serving " + server.describeId() + " to ranks 1.." + (world - 1) + " on " + server.address);
        return server;
    }

    /** The address actually bound, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return address;
    }

    /** The port actually bound. */
    public int port() {
        return address.getPort();
    }

    /**
     * Waits until every rank {@code 1..world-1} has fetched the ID; returns at once for a world of 1.
     *
     * @throws RendezvousException naming the ranks still missing when {@code timeout} passes first, or on interrupt
     */
    public void awaitAllRanks(Duration timeout) {
        try {
            if (allServed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RendezvousException("interrupted while waiting for ranks " + missingRanks() + " on " + address, e);
        }
        throw new RendezvousException("rank(s) " + missingRanks() + " of world " + world
                + " never fetched the unique ID from " + address + " within " + timeout + "; " + counters());
    }

    /** The ranks that have not fetched the ID yet, in order. */
    public List<Integer> missingRanks() {
        return IntStream.range(1, world).filter(r -> !served.contains(r)).boxed().toList();
    }

    /** A snapshot of served ranks, replies and rejections. */
    public RendezvousCounters counters() {
        Map<RejectReason, Long> r = new EnumMap<>(RejectReason.class);
        rejected.forEach((reason, n) -> r.put(reason, n.get()));
        return new RendezvousCounters(new TreeSet<>(served), replies.get(), r);
    }

    /** Whether the accept loop is still running: true from {@code start} until {@link #close()}. */
    public boolean isServing() {
        return !closed && acceptor.isAlive();
    }

    /** Connections being handled right now. */
    int openConnections() {
        return open.size();
    }

    /**
     * Stops accepting, closes every open connection, and waits (briefly) for the accept loop and all connection
     * threads to end; then logs one line with the counts, as a warning when anything was rejected or an accept
     * failed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        closeQuietly(serverSocket);
        open.forEach(RendezvousServer::closeQuietly);
        connections.shutdownNow();
        try {
            acceptor.join(Duration.ofSeconds(2));
            if (!connections.awaitTermination(2, TimeUnit.SECONDS)) {
                log.log(Level.WARNING, () -> "rendezvous " + address + ": connection threads still running after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RendezvousCounters c = counters();
        long failedAccepts = acceptFailures.get();
        boolean unlogged = c.rejected().values().stream().anyMatch(n -> n > LOGGED_PER_REASON);
        log.log(c.rejectedTotal() > 0 || failedAccepts > 0 ? Level.WARNING : Level.INFO, () -> "rendezvous " + address
                + ": closed; " + c + (failedAccepts > 0 ? ", " + failedAccepts + " failed accepts" : "")
                + (unlogged ? "; only the first " + LOGGED_PER_REASON + " rejections of each reason were logged one by one" : ""));
    }

    @Override
    public String toString() {
        return "RendezvousServer[" + address + ", world " + world + ", " + describeId() + ", "
                + (closed ? "closed" : "serving") + ", " + counters() + "]";
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                acceptOne();
            } catch (IOException e) {
                if (closed) return;
                long n = acceptFailures.incrementAndGet();
                if (n <= LOGGED_PER_REASON) log.log(Level.WARNING, () -> "rendezvous " + address + ": accept failed, continuing: " + e);
                if (n == LOGGED_PER_REASON) {
                    log.log(Level.WARNING, () -> "rendezvous " + address + ": further accept failures are counted, not"
                            + " logged; the count follows when the server closes");
                }
                pause();
            } catch (RuntimeException e) { // a bug; the loop must outlive it
                reject(null, RejectReason.INTERNAL_ERROR, "accept loop failed, continuing: " + e, e);
            }
        }
    }

    private void acceptOne() throws IOException {
        Socket socket = serverSocket.accept();
        open.add(socket);
        try {
            if (closed) throw new RejectedExecutionException("closing"); // close() may have swept open already
            connections.execute(() -> handle(socket));
        } catch (RejectedExecutionException e) { // only while closing
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    private void handle(Socket socket) {
        SocketAddress peer = socket.getRemoteSocketAddress();
        try (socket) {
            byte[] frame = RendezvousProtocol.readUntilEof(socket, HELLO_BYTES + 1, System.nanoTime() + readTimeoutNanos);
            HelloCheck.Decision v = HelloCheck.judge(frame, token, world);
            if (!v.accepted()) {
                reject(peer, v.reason(), v.detail(), null);
                if (v.reason().reply != null) tellQuietly(socket, reply(v.reason().reply, v.hello()));
                return;
            }
            // Without an ID (ncclGetUniqueId failed on rank 0) every rank is told so at once instead of waiting out its timeout.
            socket.getOutputStream().write(reply(id == null ? Status.NO_ID : Status.OK, v.hello()));
            served(v.hello().rank(), peer);
        } catch (SocketTimeoutException e) {
            reject(peer, RejectReason.TIMEOUT, e.getMessage(), null);
        } catch (IOException e) {
            if (closed) log.log(Level.DEBUG, () -> "rendezvous " + address + ": connection from " + peer + " ended by close");
            else reject(peer, RejectReason.IO_ERROR, e.toString(), null);
        } catch (RuntimeException e) {
            reject(peer, RejectReason.INTERNAL_ERROR, "handler failed: " + e, e);
        } finally {
            open.remove(socket);
        }
    }

    private String describeId() {
        return id == null ? "no unique ID (rank 0 could not create one)" : "unique ID " + id.fingerprint();
    }

    private void served(int rank, SocketAddress peer) {
        replies.incrementAndGet();
        if (served.add(rank)) {
            allServed.countDown();
            log.log(Level.INFO, () -> "rendezvous " + address + ": served " + describeId() + " to rank "
                    + rank + " at " + peer);
        } else {
            log.log(Level.DEBUG, () -> "rendezvous " + address + ": served rank " + rank + " at " + peer + " again");
        }
    }

    /**
     * A reply bound to {@code hello} when it authenticated (its nonce and rank, under the token); the bare header
     * for a peer that did not, which gets no proof that this server knows the token.
     */
    private byte[] reply(Status status, RendezvousProtocol.Hello hello) {
        return status.authenticated ? RendezvousProtocol.encodeAnswer(status, hello.nonce(), hello.rank(), id, token)
                : RendezvousProtocol.encodeRejection(status);
    }

    /**
     * Counts a rejection, and logs it while its reason has had no more than {@link #LOGGED_PER_REASON}.
     * {@code bug}, where the rejection is a fault of the server, is logged with its stack as an error.
     */
    private void reject(SocketAddress peer, RejectReason reason, String detail, Throwable bug) {
        long n = rejected.get(reason).incrementAndGet();
        if (n > LOGGED_PER_REASON) return;
        String line = "rendezvous " + address + ": rejected " + reason + " from " + peer + ": " + detail;
        if (bug == null) log.log(Level.WARNING, line);
        else log.log(Level.ERROR, line, bug);
        if (n == LOGGED_PER_REASON) {
            log.log(Level.WARNING, () -> "rendezvous " + address + ": further " + reason
                    + " rejections are counted, not logged; the counts follow when the server closes");
        }
    }

    /** Best effort: the peer is already rejected and counted, so a failed write changes nothing. */
    private static void tellQuietly(Socket socket, byte[] reply) {
        try {
            socket.getOutputStream().write(reply);
        } catch (IOException ignored) {
            // e.g. reset by a peer whose unread oversized frame made our close an RST
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // closing to stop; nothing left to do with the error
        }
    }
}
