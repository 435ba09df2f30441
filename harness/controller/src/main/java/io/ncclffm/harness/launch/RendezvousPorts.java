package io.ncclffm.harness.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loopback ports for the rendezvous of cell runs that share this host's network, handed out so that no two cell
 * runs of this harness get overlapping ranges. Each run gets {@link #SPAN} ports, one per communicator generation
 * (a re-created communicator uses the next port).
 *
 * <p>The ports come from below the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), which
 * the kernel never hands out by itself: a port is free when probed, but rank 0 binds it only once its JVM has
 * started, and in that window the NCCL of cells running in parallel opens sockets on ephemeral ports, as does every
 * outgoing connection, so a probed ephemeral port can be taken before rank 0 binds it ("Address already in use").
 * Below that range only an explicit bind can take a port, and each range handed out is probed whole first. Where the
 * range cannot be read, or leaves no room below it, ephemeral ports are probed instead.
 */
final class RendezvousPorts {

    /** Ports per cell run: the first for generation 0, the next ones for re-created communicators. */
    static final int SPAN = 80;
    /** How far below the ephemeral range the ports are taken from. */
    static final int WINDOW = 16000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static int cursor = -1;

    private RendezvousPorts() {
    }

    /** The first port of a free range of {@link #SPAN}, handed out to no other cell run of this harness. */
    static synchronized int next() {
        int floor = ephemeralFloor(EPHEMERAL_RANGE);
        if (floor - WINDOW >= 1024) {
            int low = floor - WINDOW;
            int slots = WINDOW / SPAN;
            // A random first slot: harnesses side by side start apart, and no other local user can tell in advance
            // which port rank 0 will bind (and bind it first).
            if (cursor < 0) cursor = RANDOM.nextInt(slots);
            for (int i = 0; i < slots; i++) {
                int port = low + ((cursor + i) % slots) * SPAN;
                if (overlaps(port) || !free(port, SPAN)) continue;
                cursor = (cursor + i + 1) % slots;
                return handOut(port);
            }
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (IOException e) {
                throw new HarnessException("cannot find a free loopback port for the rendezvous", e);
            }
            if (port + SPAN > 65535 || overlaps(port)) continue;
            return handOut(port);
        }
        throw new HarnessException("no loopback port range of " + SPAN + " free for the rendezvous after 200 tries");
    }

    /**
     * The lowest ephemeral port of the range file ({@code low high}), or -1 when it cannot be read. The file is read
     * line by line: a sysctl file reports a size of 0, and a whole-file read that trusts the size gets a wrong answer.
     */
    static int ephemeralFloor(Path rangeFile) {
        try {
            List<String> lines = Files.readAllLines(rangeFile);
            String[] f = lines.getFirst().strip().split("\\s+");
            int low = Integer.parseInt(f[0]);
            return low > 0 && low <= 65535 ? low : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean overlaps(int port) {
        for (int p = port; p < port + SPAN; p++) if (HANDED_OUT.contains(p)) return true;
        return false;
    }

    private static boolean free(int port, int span) {
        for (int p = port; p < port + span; p++) {
            try (ServerSocket probe = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                // bound and closed at once: nothing is left behind on the port
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static int handOut(int port) {
        for (int p = port; p < port + SPAN; p++) HANDED_OUT.add(p);
        return port;
    }
}
