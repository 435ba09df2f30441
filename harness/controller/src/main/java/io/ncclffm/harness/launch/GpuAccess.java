package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;

import io.ncclffm.harness.matrix.GpuAssignment;

/**
 * How a rank container gets its GPU, decided from the matrix's explicit configuration (never from Docker's runtime
 * list, which can claim {@code nvidia} on machines without an NVIDIA GPU):
 * <ul>
 *   <li>NVIDIA with the container toolkit: a {@link DeviceRequest} (all GPUs, or the rank's own);</li>
 *   <li>NVIDIA without it: the {@code /dev/nvidia*} devices plus the driver's user-space libraries bind-mounted
 *       read-only;</li>
 *   <li>AMD: {@code /dev/kfd} and {@code /dev/dri}, the group owning them, and seccomp unconfined (ROCm needs it).</li>
 * </ul>
 */
final class GpuAccess {

    /** Where the driver's libraries appear inside the container; the worker's LD_LIBRARY_PATH includes it. */
    static final String CONTAINER_DRIVER_DIR = "/usr/local/nvidia/lib64";
    static final List<String> DRIVER_LIBRARIES = List.of("libcuda.so.1", "libnvidia-ml.so.1",
            "libnvidia-ptxjitcompiler.so.1", "libnvidia-nvvm.so.4");
    private static final List<String> DRIVER_SEARCH = List.of("/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64", "/usr/lib/wsl/lib");

    private GpuAccess() {
    }

    /**
     * Applies the assignment to the container about to be created for a rank.
     *
     * @param hostDevice with one GPU per rank, the host GPU this rank is given (the only one its container sees)
     */
    static void apply(CreateContainerCmd cmd, GpuAssignment gpu, int hostDevice) {
        if (!gpu.present()) return;
        HostConfig host = cmd.getHostConfig();
        if (gpu.nvidia() && gpu.access() == GpuAssignment.Access.TOOLKIT) {
            DeviceRequest request = new DeviceRequest().withCapabilities(List.of(List.of("gpu")));
            request = gpu.assign() == GpuAssignment.Assign.PER_RANK ? request.withDeviceIds(List.of(Integer.toString(hostDevice))) : request.withCount(-1);
            host.withDeviceRequests(List.of(request));
        } else if (gpu.nvidia()) {
            List<Device> devices = new ArrayList<>();
            for (String d : List.of("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools")) {
                if (Files.exists(Path.of(d))) devices.add(Device.parse(d + ":" + d + ":rwm"));
            }
            for (Path card : GpuInventory.host().devices(gpu)) {
                boolean mine = gpu.assign() != GpuAssignment.Assign.PER_RANK || card.getFileName().toString().equals("nvidia" + hostDevice);
                if (mine) devices.add(Device.parse(card + ":" + card + ":rwm"));
            }
            if (devices.stream().noneMatch(d -> d.getPathOnHost().matches("/dev/nvidia\\d+"))) {
                throw new HarnessException("the cell asks for NVIDIA devices but this host has no /dev/nvidia<N>"
                        + (gpu.assign() == GpuAssignment.Assign.PER_RANK ? " (/dev/nvidia" + hostDevice + ", this rank's)" : ""));
            }
            host.withDevices(devices);
            host.withBinds(driverBinds(gpu.driverLibs()));
        } else if (gpu.amd()) {
            List<Device> devices = new ArrayList<>();
            devices.add(Device.parse("/dev/kfd:/dev/kfd:rwm"));
            devices.add(Device.parse("/dev/dri:/dev/dri:rwm"));
            host.withDevices(devices);
            host.withGroupAdd(List.of(Integer.toString(groupOf(Path.of("/dev/kfd")))));
            List<String> opts = new ArrayList<>(host.getSecurityOpts() == null ? List.of() : host.getSecurityOpts());
            opts.add("seccomp=unconfined");
            host.withSecurityOpts(opts);
        }
    }

    /** Read-only binds of the driver's libraries, found in {@code configured} or the usual places. */
    static List<Bind> driverBinds(String configured) {
        List<String> dirs = configured != null ? List.of(configured) : DRIVER_SEARCH;
        for (String dir : dirs) {
            Path cuda = Path.of(dir, "libcuda.so.1");
            if (!Files.exists(cuda)) continue;
            List<Bind> binds = new ArrayList<>();
            for (String lib : DRIVER_LIBRARIES) {
                Path p = Path.of(dir, lib);
                if (!Files.exists(p)) continue;
                try {
                    binds.add(new Bind(p.toRealPath().toString(), new Volume(CONTAINER_DRIVER_DIR + "/" + lib), AccessMode.ro));
                } catch (IOException e) {
                    throw new HarnessException("cannot resolve driver library " + p, e);
                }
            }
            return binds;
        }
        throw new HarnessException("no NVIDIA driver libraries (libcuda.so.1) in " + dirs
                + "; set gpu.driverLibs in the matrix to the folder that has them");
    }

    private static int groupOf(Path device) {
        try {
            return (int) Files.getAttribute(device, "unix:gid");
        } catch (IOException | UnsupportedOperationException e) {
            try {
                PosixFileAttributes a = Files.readAttributes(device, PosixFileAttributes.class);
                throw new HarnessException("cannot read the group id of " + device + " (group " + a.group() + ")", e);
            } catch (IOException ex) {
                throw new HarnessException("the cell asks for AMD GPUs but " + device + " does not exist", ex);
            }
        }
    }
}
