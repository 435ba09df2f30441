package io.ncclffm.device;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The little of CUDA or HIP that tests and the harness need around NCCL: devices, memory, streams, events and
 * graph capture. Addresses are raw device pointers, the form the binding takes. Every failure throws
 * {@link DeviceException} with the runtime's own error name and text.
 *
 * <p>Calls that use a device act on the calling thread's current device ({@link #useDevice}).
 */
public interface DeviceRuntime {

    /** e.g. {@code CUDA driver 13.0} */
    String describe();

    int deviceCount();

    /** Makes {@code ordinal} current on the calling thread (the primary context, which NCCL shares). */
    void useDevice(int ordinal);

    String deviceName(int ordinal);

    /** Compute capability as {@code major * 10 + minor}, e.g. 90 for Hopper (sm_90); 0 where it does not apply. */
    int computeCapability(int ordinal);

    /** PCI bus id of the device, e.g. {@code 0000:1B:00.0}. */
    String pciBusId(int ordinal);

    /** The driver API version, e.g. 13000 for CUDA 13.0. */
    int driverVersion();

    /** Free and total memory of the current device, in bytes. */
    MemoryInfo memoryInfo();

    DeviceBuffer allocate(long bytes);

    /** Copies host memory to the device; returns once the bytes have landed, so work on any stream sees them. */
    void copyToDevice(long dst, MemorySegment src, long bytes);

    /** Copies device memory to the host; returns once the bytes are in {@code dst}. */
    void copyToHost(MemorySegment dst, long src, long bytes);

    /** Sets {@code bytes} bytes to {@code value}; returns once they are set. */
    void fill(long dst, byte value, long bytes);

    DeviceStream createStream();

    /** Waits for all work on the current device, e.g. after {@link #fill}, which may run asynchronously. */
    void synchronizeDevice();

    DeviceEvent createEvent();

    /** Starts capturing work submitted to {@code stream} into a graph (thread-local capture mode). */
    void beginCapture(DeviceStream stream);

    /** Ends the capture and instantiates the graph. */
    CapturedGraph endCapture(DeviceStream stream);

    /**
     * Waits for everything on {@code stream}, polling so that a hung kernel (a collective whose peer died) ends
     * in {@link DeviceTimeoutException} instead of blocking forever. Spins first (a collective usually ends within
     * microseconds), then parks briefly between queries.
     */
    default void synchronize(DeviceStream stream, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int spins = 0;
        while (!stream.isIdle()) {
            if (System.nanoTime() - deadline > 0) throw new DeviceTimeoutException(stream.toString(), timeout);
            if (spins++ < 10_000) {
                Thread.onSpinWait();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
    }

    record MemoryInfo(long free, long total) {
        public long used() {
            return total - free;
        }
    }
}
