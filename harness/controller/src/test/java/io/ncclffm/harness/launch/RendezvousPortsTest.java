package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RendezvousPortsTest {

    @TempDir
    Path dir;

    @Test
    void theEphemeralRange_isReadFromTheKernelsFile_andAnUnreadableOneGivesNone() throws IOException {
        Path f = dir.resolve("ip_local_port_range");
        Files.writeString(f, "32768\t60999\n");
        assertEquals(32768, RendezvousPorts.ephemeralFloor(f));
        Files.writeString(f, "not a range\n");
        assertEquals(-1, RendezvousPorts.ephemeralFloor(f));
        assertEquals(-1, RendezvousPorts.ephemeralFloor(dir.resolve("missing")));
    }

    /** The kernel's range as another reader sees it: {@code cat}, not Java's file API. */
    private static int floorByCat() throws Exception {
        Process p = new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_local_port_range").start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "cat read the range");
        return Integer.parseInt(out.split("\\s+")[0]);
    }

    @Test
    void theRealRangeFile_isReadAsTheKernelWritesIt() throws Exception {
        int floor = RendezvousPorts.ephemeralFloor(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        assertEquals(floorByCat(), floor);
        assertTrue(floor > 1024, "a real ephemeral range starts above the privileged ports: " + floor);
    }

    @Test
    void cellRunsGetDisjointRanges_belowTheEphemeralOnesWhereTheyFit_thatCanBeBound() throws Exception {
        int floor = floorByCat();
        int a = RendezvousPorts.next();
        int b = RendezvousPorts.next();
        assertTrue(Math.abs(a - b) >= RendezvousPorts.SPAN, a + " and " + b + " overlap");
        boolean below = floor - RendezvousPorts.WINDOW >= 1024;
        for (int port : new int[] {a, b}) {
            if (below) {
                assertTrue(port >= floor - RendezvousPorts.WINDOW && port + RendezvousPorts.SPAN <= floor,
                        port + " is not below the ephemeral range from " + floor);
            } else {
                assertTrue(port >= floor, "with no room below the ephemeral range from " + floor + ", " + port + " is an ephemeral one");
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            }
        }
    }
}
