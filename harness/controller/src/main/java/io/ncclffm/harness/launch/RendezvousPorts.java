package io.ncclffm.harness.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Loopback ports for the rendezvous of cell runs that share this host's network, handed out so that no two cell
 * runs of this harness get overlapping ranges: a port is free when probed, but rank 0 binds it only once its JVM has
 * started, and cells running in parallel probe in that window too. Each run gets {@link #SPAN} ports, one per
 * communicator generation (a re-created communicator uses the next port).
 */
final class RendezvousPorts {

    /** Ports per cell run: the first for generation 0, the next ones for re-created communicators. */
    static final int SPAN = 80;

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private RendezvousPorts() {
    }

    static synchronized int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (IOException e) {
                throw new HarnessException("cannot find a free loopback port for the rendezvous", e);
            }
            if (port + SPAN > 65535) continue;
            boolean clash = false;
            for (int p = port; p < port + SPAN && !clash; p++) clash = HANDED_OUT.contains(p);
            if (clash) continue;
            for (int p = port; p < port + SPAN; p++) HANDED_OUT.add(p);
            return port;
        }
        throw new HarnessException("no loopback port range of " + SPAN + " free for the rendezvous after 200 tries");
    }
}
