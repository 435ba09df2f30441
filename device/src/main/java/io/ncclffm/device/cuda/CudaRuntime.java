package io.ncclffm.device.cuda;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceBuffer;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceStream;
import io.ncclffm.device.DeviceUnavailableException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * CUDA through JCuda's driver API, which needs only {@code libcuda.so.1}. The primary context of a device is made
 * current, so NCCL (which links the CUDA runtime statically) works on the same context and sees the same streams.
 * JCuda hides raw pointers; the small subclasses here expose them, as the binding takes raw addresses.
 */
public final class CudaRuntime implements DeviceRuntime {

    private static final int CUDA_SUCCESS = 0;
    private static final int CUDA_ERROR_NOT_READY = 600;
    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    private final int driverVersion;

    private CudaRuntime(int driverVersion) {
        this.driverVersion = driverVersion;
    }

    /**
     * Loads JCuda's driver binding and initialises CUDA.
     *
     * @throws DeviceUnavailableException when libcuda.so.1 is missing or {@code cuInit} fails (no GPU, old driver)
     */
    public static CudaRuntime open() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (Throwable t) {
            throw new DeviceUnavailableException("no CUDA driver: JCuda's driver library does not load ("
                    + t.getMessage() + "); libcuda.so.1 is needed", t);
        }
        int rc = JCudaDriver.cuInit(0);
        if (rc != CUDA_SUCCESS) {
            throw new DeviceUnavailableException("no usable CUDA device: cuInit failed with " + errorText(rc), null);
        }
        int[] version = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(version));
        CudaRuntime runtime = new CudaRuntime(version[0]);
        if (runtime.deviceCount() == 0) {
            throw new DeviceUnavailableException("no CUDA device: cuDeviceGetCount returned 0", null);
        }
        return runtime;
    }

    static String errorText(int rc) {
        String[] name = new String[1];
        String[] text = new String[1];
        JCudaDriver.cuGetErrorName(rc, name);
        JCudaDriver.cuGetErrorString(rc, text);
        return rc + " " + (name[0] == null ? "?" : name[0]) + " (" + (text[0] == null ? "unknown error" : text[0]) + ")";
    }

    static void check(String operation, int rc) {
        if (rc != CUDA_SUCCESS) {
            String[] name = new String[1];
            String[] text = new String[1];
            JCudaDriver.cuGetErrorName(rc, name);
            JCudaDriver.cuGetErrorString(rc, text);
            throw new DeviceException(operation, rc, (name[0] == null ? "?" : name[0]) + ": " + text[0]);
        }
    }

    @Override
    public String describe() {
        return "CUDA driver API " + driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    @Override
    public int deviceCount() {
        int[] count = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        return count[0];
    }

    private static CUdevice device(int ordinal) {
        CUdevice d = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", JCudaDriver.cuDeviceGet(d, ordinal));
        return d;
    }

    @Override
    public void useDevice(int ordinal) {
        CUcontext ctx = new CUcontext();
        check("cuDevicePrimaryCtxRetain(" + ordinal + ")", JCudaDriver.cuDevicePrimaryCtxRetain(ctx, device(ordinal)));
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(ctx));
    }

    @Override
    public String deviceName(int ordinal) {
        byte[] name = new byte[256];
        check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, device(ordinal)));
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        return new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public int computeCapability(int ordinal) {
        int[] major = new int[1];
        int[] minor = new int[1];
        check("cuDeviceGetAttribute(major)", JCudaDriver.cuDeviceGetAttribute(major,
                CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device(ordinal)));
        check("cuDeviceGetAttribute(minor)", JCudaDriver.cuDeviceGetAttribute(minor,
                CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device(ordinal)));
        return major[0] * 10 + minor[0];
    }

    @Override
    public String pciBusId(int ordinal) {
        String[] id = new String[1];
        check("cuDeviceGetPCIBusId", JCudaDriver.cuDeviceGetPCIBusId(id, 64, device(ordinal)));
        return id[0];
    }

    @Override
    public int driverVersion() {
        return driverVersion;
    }

    @Override
    public MemoryInfo memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new MemoryInfo(free[0], total[0]);
    }

    @Override
    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        RawDevicePtr ptr = new RawDevicePtr();
        check("cuMemAlloc(" + bytes + ")", JCudaDriver.cuMemAlloc(ptr, bytes));
        return DeviceBuffer.owned(ptr.address(), bytes, address -> check("cuMemFree", JCudaDriver.cuMemFree(RawDevicePtr.at(address))));
    }

    private static Pointer host(MemorySegment segment, long bytes) {
        if (!segment.isNative()) throw new IllegalArgumentException("host buffers must be native memory segments");
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("host segment has " + segment.byteSize() + " bytes, copy needs " + bytes);
        }
        ByteBuffer direct = segment.asSlice(0, bytes).asByteBuffer();
        return Pointer.to(direct);
    }

    /**
     * Returns once the bytes are on the device. A copy from pageable memory returns when the data is staged, not
     * when it has landed, and the legacy stream it runs on does not order work on non-blocking streams; so the
     * legacy stream is drained before returning (without it, a collective launched next can race the copy).
     */
    @Override
    public void copyToDevice(long dst, MemorySegment src, long bytes) {
        check("cuMemcpyHtoD", JCudaDriver.cuMemcpyHtoD(RawDevicePtr.at(dst), host(src, bytes), bytes));
        check("cuStreamSynchronize(legacy stream)", JCudaDriver.cuStreamSynchronize(new CUstream()));
    }

    @Override
    public void copyToHost(MemorySegment dst, long src, long bytes) {
        check("cuMemcpyDtoH", JCudaDriver.cuMemcpyDtoH(host(dst, bytes), RawDevicePtr.at(src), bytes));
    }

    /** Returns once the memory is set (cuMemsetD8 may return before it is). */
    @Override
    public void fill(long dst, byte value, long bytes) {
        check("cuMemsetD8", JCudaDriver.cuMemsetD8(RawDevicePtr.at(dst), value, bytes));
        check("cuStreamSynchronize(legacy stream)", JCudaDriver.cuStreamSynchronize(new CUstream()));
    }

    @Override
    public DeviceStream createStream() {
        RawStream stream = new RawStream();
        check("cuStreamCreate", JCudaDriver.cuStreamCreate(stream, CU_STREAM_NON_BLOCKING));
        return new CudaStream(stream);
    }

    @Override
    public void synchronizeDevice() {
        check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    @Override
    public DeviceEvent createEvent() {
        CUevent event = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(event, 0));
        return new CudaEvent(event);
    }

    @Override
    public void beginCapture(DeviceStream stream) {
        check("cuStreamBeginCapture", JCudaDriver.cuStreamBeginCapture(((CudaStream) stream).stream,
                CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    }

    @Override
    public CapturedGraph endCapture(DeviceStream stream) {
        CUgraph graph = new CUgraph();
        check("cuStreamEndCapture", JCudaDriver.cuStreamEndCapture(((CudaStream) stream).stream, graph));
        CUgraphExec exec = new CUgraphExec();
        int rc = JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        if (rc != CUDA_SUCCESS) {
            JCudaDriver.cuGraphDestroy(graph);
            check("cuGraphInstantiate", rc);
        }
        return new CudaGraph(graph, exec);
    }


    /**
     * A {@code CUdeviceptr} whose address is visible. JCuda passes a pointer as its base plus byte offset, so an
     * address that came from elsewhere (the binding's callers hold raw {@code long}s) is an offset from null.
     */
    static final class RawDevicePtr extends CUdeviceptr {
        RawDevicePtr() {
        }

        private RawDevicePtr(long address) {
            super(new CUdeviceptr(), address);
        }

        static RawDevicePtr at(long address) {
            return new RawDevicePtr(address);
        }

        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** A {@code CUstream} whose address is visible. */
    static final class RawStream extends CUstream {
        long address() {
            return getNativePointer();
        }
    }


    private static final class CudaStream implements DeviceStream {
        private final RawStream stream;
        private boolean destroyed;

        CudaStream(RawStream stream) {
            this.stream = stream;
        }

        @Override
        public long address() {
            return stream.address();
        }

        @Override
        public boolean isIdle() {
            int rc = JCudaDriver.cuStreamQuery(stream);
            if (rc == CUDA_SUCCESS) return true;
            if (rc == CUDA_ERROR_NOT_READY) return false;
            check("cuStreamQuery", rc);
            return false;
        }

        @Override
        public void close() {
            if (destroyed) return;
            destroyed = true;
            check("cuStreamDestroy", JCudaDriver.cuStreamDestroy(stream));
        }

        @Override
        public String toString() {
            return "DeviceStream[0x" + Long.toHexString(address()) + "]";
        }
    }

    private static final class CudaEvent implements DeviceEvent {
        private final CUevent event;

        CudaEvent(CUevent event) {
            this.event = event;
        }

        @Override
        public void record(DeviceStream stream) {
            check("cuEventRecord", JCudaDriver.cuEventRecord(event, ((CudaStream) stream).stream));
        }

        @Override
        public float elapsedSince(DeviceEvent start) {
            check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(event));
            float[] ms = new float[1];
            check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(ms, ((CudaEvent) start).event, event));
            return ms[0];
        }

        @Override
        public boolean isComplete() {
            int rc = JCudaDriver.cuEventQuery(event);
            if (rc == CUDA_SUCCESS) return true;
            if (rc == CUDA_ERROR_NOT_READY) return false;
            check("cuEventQuery", rc);
            return false;
        }

        @Override
        public void close() {
            JCudaDriver.cuEventDestroy(event);
        }
    }

    private static final class CudaGraph implements CapturedGraph {
        private final CUgraph graph;
        private final CUgraphExec exec;

        CudaGraph(CUgraph graph, CUgraphExec exec) {
            this.graph = graph;
            this.exec = exec;
        }

        @Override
        public void launch(DeviceStream stream) {
            check("cuGraphLaunch", JCudaDriver.cuGraphLaunch(exec, ((CudaStream) stream).stream));
        }

        @Override
        public void close() {
            JCudaDriver.cuGraphExecDestroy(exec);
            JCudaDriver.cuGraphDestroy(graph);
        }
    }
}
