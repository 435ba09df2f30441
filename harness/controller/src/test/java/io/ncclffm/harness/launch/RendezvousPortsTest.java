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

    @Test
    void cellRunsGetDisjointRangesBelowTheEphemeralOnes_thatCanBeBound() throws IOException {
        int floor = RendezvousPorts.ephemeralFloor(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        int a = RendezvousPorts.next();
        int b = RendezvousPorts.next();
        assertTrue(Math.abs(a - b) >= RendezvousPorts.SPAN, a + " and " + b + " overlap");
        for (int port : new int[] {a, b}) {
            if (floor > RendezvousPorts.WINDOW + 1024) {
                assertTrue(port >= floor - RendezvousPorts.WINDOW && port + RendezvousPorts.SPAN <= floor,
                        port + " is not below the ephemeral range from " + floor);
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            }
        }
    }
}
