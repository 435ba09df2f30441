package io.ncclffm.device;

import io.ncclffm.device.cuda.CudaRuntime;
import io.ncclffm.device.hip.HipRuntime;

/** Opens the runtime of a platform. */
public final class DeviceRuntimes {

    public enum Platform { CUDA, HIP }

    private DeviceRuntimes() {
    }

    /**
     * @throws DeviceUnavailableException when the platform's driver or device is missing, with the reason
     */
    public static DeviceRuntime open(Platform platform) {
        return switch (platform) {
            case CUDA -> CudaRuntime.open();
            case HIP -> HipRuntime.open();
        };
    }
}
