package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.HostConfig;

import io.ncclffm.harness.matrix.GpuAssignment;

/**
 * What a rank's container is given through the NVIDIA Container Toolkit. The command is a stand-in that holds only
 * the host configuration {@link GpuAccess} writes (a real one needs a Docker daemon with GPUs to mean anything).
 */
class GpuAccessTest {

    private static HostConfig applied(GpuAssignment gpu, int hostDevice) {
        HostConfig host = new HostConfig();
        CreateContainerCmd cmd = (CreateContainerCmd) Proxy.newProxyInstance(CreateContainerCmd.class.getClassLoader(),
                new Class<?>[] {CreateContainerCmd.class}, (p, m, a) -> {
                    if (m.getName().equals("getHostConfig")) return host;
                    throw new UnsupportedOperationException(m.getName());
                });
        GpuAccess.apply(cmd, gpu, hostDevice);
        return host;
    }

    @Test
    void withOneGpuPerRank_theContainerIsGivenTheHostGpuItsRunWasPlacedOn() {
        HostConfig h = applied(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.PER_RANK,
                GpuAssignment.Access.TOOLKIT, null), 6);
        assertEquals(1, h.getDeviceRequests().size());
        assertEquals(List.of("6"), h.getDeviceRequests().getFirst().getDeviceIds());
        assertEquals(List.of(List.of("gpu")), h.getDeviceRequests().getFirst().getCapabilities());
    }

    @Test
    void ranksThatShareOrSeeEveryGpu_areGivenThemAll() {
        HostConfig h = applied(new GpuAssignment(GpuAssignment.Vendor.NVIDIA, GpuAssignment.Assign.SHARED,
                GpuAssignment.Access.TOOLKIT, null), 3);
        assertEquals(-1, h.getDeviceRequests().getFirst().getCount());
        assertEquals(null, h.getDeviceRequests().getFirst().getDeviceIds());
    }
}
