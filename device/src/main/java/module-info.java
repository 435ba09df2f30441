/**
 * A small device runtime: device memory, streams, events and graph capture, through JCuda on CUDA and FFM on
 * HIP. It does not depend on the binding; hand {@link io.ncclffm.device.DeviceBuffer#address()} and
 * {@link io.ncclffm.device.DeviceStream#address()} to it.
 */
module io.ncclffm.device {
    // JCuda's jar names no Automatic-Module-Name; its file name makes the automatic module 'jcuda'.
    requires jcuda;
    exports io.ncclffm.device;
}
