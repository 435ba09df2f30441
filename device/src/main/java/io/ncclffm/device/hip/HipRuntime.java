package io.ncclffm.device.hip;

import static io.ncclffm.device.hip.HipFunction.hipDeviceGetName;
import static io.ncclffm.device.hip.HipFunction.hipDeviceGetPCIBusId;
import static io.ncclffm.device.hip.HipFunction.hipDeviceSynchronize;
import static io.ncclffm.device.hip.HipFunction.hipDriverGetVersion;
import static io.ncclffm.device.hip.HipFunction.hipEventCreate;
import static io.ncclffm.device.hip.HipFunction.hipEventDestroy;
import static io.ncclffm.device.hip.HipFunction.hipEventElapsedTime;
import static io.ncclffm.device.hip.HipFunction.hipEventQuery;
import static io.ncclffm.device.hip.HipFunction.hipEventRecord;
import static io.ncclffm.device.hip.HipFunction.hipEventSynchronize;
import static io.ncclffm.device.hip.HipFunction.hipFree;
import static io.ncclffm.device.hip.HipFunction.hipGetDeviceCount;
import static io.ncclffm.device.hip.HipFunction.hipGetErrorName;
import static io.ncclffm.device.hip.HipFunction.hipGetErrorString;
import static io.ncclffm.device.hip.HipFunction.hipGraphDestroy;
import static io.ncclffm.device.hip.HipFunction.hipGraphExecDestroy;
import static io.ncclffm.device.hip.HipFunction.hipGraphInstantiate;
import static io.ncclffm.device.hip.HipFunction.hipGraphLaunch;
import static io.ncclffm.device.hip.HipFunction.hipInit;
import static io.ncclffm.device.hip.HipFunction.hipMalloc;
import static io.ncclffm.device.hip.HipFunction.hipMemGetInfo;
import static io.ncclffm.device.hip.HipFunction.hipMemcpy;
import static io.ncclffm.device.hip.HipFunction.hipMemset;
import static io.ncclffm.device.hip.HipFunction.hipSetDevice;
import static io.ncclffm.device.hip.HipFunction.hipStreamBeginCapture;
import static io.ncclffm.device.hip.HipFunction.hipStreamCreateWithFlags;
import static io.ncclffm.device.hip.HipFunction.hipStreamDestroy;
import static io.ncclffm.device.hip.HipFunction.hipStreamEndCapture;
import static io.ncclffm.device.hip.HipFunction.hipStreamQuery;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceBuffer;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceStream;
import io.ncclffm.device.DeviceUnavailableException;

/**
 * HIP through FFM ({@code libamdhip64.so}), the device runtime beside RCCL. The same operations as the CUDA
 * runtime; handles are raw pointers throughout. Written against hip_runtime_api.h of ROCm 5.4 to 7.x, whose
 * signatures for these calls have not changed.
 *
 * <p>Which library is used is configuration: {@link #open(Path)}, the system property {@value #PROPERTY} or the
 * environment variable {@value #ENV}; see {@link #open()}.
 */
public final class HipRuntime implements DeviceRuntime {

    /** System property with the path of the HIP runtime library to use; wins over {@link #ENV}. */
    public static final String PROPERTY = "ncclffm.hip.path";
    /** Environment variable with the path of the HIP runtime library to use. */
    public static final String ENV = "NCCLFFM_HIP_PATH";
    private static final String[] SONAMES = {"libamdhip64.so", "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5"};

    private static final int HIP_SUCCESS = 0;
    private static final int HIP_ERROR_NOT_READY = 600;
    private static final int HIP_MEMCPY_HOST_TO_DEVICE = 1;
    private static final int HIP_MEMCPY_DEVICE_TO_HOST = 2;
    private static final int HIP_STREAM_NON_BLOCKING = 1;
    private static final int HIP_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup lib;
    private final Map<HipFunction, MethodHandle> handles = new ConcurrentHashMap<>();
    private final int driverVersion;

    private HipRuntime(SymbolLookup lib) {
        this.lib = lib;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("hipDriverGetVersion", call(hipDriverGetVersion, v));
            this.driverVersion = v.get(JAVA_INT, 0);
        }
    }

    /**
     * Opens the HIP runtime named by the system property {@value #PROPERTY}, else the environment variable
     * {@value #ENV}, else the first of {@code libamdhip64.so}, {@code .so.7}, {@code .so.6}, {@code .so.5} that the
     * dynamic loader finds.
     *
     * <p>The first source that is set decides. A configured path that does not load is an error, never a reason to
     * fall through to the loader's search: running against another HIP than the one configured would make a result
     * lie.
     *
     * @throws DeviceException when a configured path is empty, missing or does not load
     * @throws DeviceUnavailableException when no libamdhip64 loads from the default names, {@code hipInit} fails or
     *         there is no device
     */
    public static HipRuntime open() {
        return open(System.getProperty(PROPERTY), System.getenv(ENV));
    }

    /**
     * Opens the HIP runtime in exactly this file.
     *
     * @throws DeviceException when {@code library} is missing or does not load
     * @throws DeviceUnavailableException when {@code hipInit} fails or there is no device
     */
    public static HipRuntime open(Path library) {
        return start(load("explicit path argument", library.toString()));
    }

    /** {@link #open()} with the property's and the environment variable's values given, each null when unset. */
    static HipRuntime open(String propertyValue, String envValue) {
        if (propertyValue != null) return start(load("system property " + PROPERTY, propertyValue));
        if (envValue != null) return start(load("environment variable " + ENV, envValue));
        Throwable last = null;
        for (String name : SONAMES) {
            try {
                return start(SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw new DeviceUnavailableException("no HIP runtime: libamdhip64.so does not load (neither " + PROPERTY
                + " nor " + ENV + " is set, and the dynamic loader finds none of " + String.join(", ", SONAMES) + ")", last);
    }

    private static SymbolLookup load(String source, String path) {
        String where = source + " = '" + path + "'";
        if (path.isBlank()) throw new DeviceException(where + " is empty; expected the path of libamdhip64.so", null);
        Path file = Path.of(path);
        if (!Files.exists(file)) throw new DeviceException(where + ": no such file; expected the path of libamdhip64.so", null);
        if (Files.isDirectory(file)) {
            throw new DeviceException(where + " is a directory; expected the path of libamdhip64.so itself", null);
        }
        try {
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new DeviceException(where + " does not load: " + e.getMessage(), e);
        }
    }

    private static HipRuntime start(SymbolLookup lib) {
        HipRuntime runtime = new HipRuntime(lib);
        int rc = (int) runtime.call(hipInit, 0);
        if (rc != HIP_SUCCESS) {
            throw new DeviceUnavailableException("no usable ROCm device: hipInit failed with " + runtime.errorText(rc), null);
        }
        if (runtime.deviceCount() == 0) throw new DeviceUnavailableException("no ROCm device: hipGetDeviceCount returned 0", null);
        return runtime;
    }

    private Object call(HipFunction function, Object... args) {
        // Keyed by name and descriptor together, so a symbol can never be invoked through a handle bound for
        // another signature.
        MethodHandle h = handles.computeIfAbsent(function, f -> LINKER.downcallHandle(
                lib.find(f.name()).orElseThrow(() -> new DeviceException(f.name() + " is not exported by libamdhip64", null)),
                f.descriptor()));
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DeviceException("calling " + function.name(), t);
        }
    }

    private String errorText(int rc) {
        MemorySegment name = (MemorySegment) call(hipGetErrorName, rc);
        MemorySegment text = (MemorySegment) call(hipGetErrorString, rc);
        return string(name) + ": " + string(text);
    }

    private static String string(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? "?" : p.reinterpret(4096).getString(0);
    }

    private void check(String operation, Object rc) {
        int code = (int) rc;
        if (code != HIP_SUCCESS) throw new DeviceException(operation, code, errorText(code));
    }

    @Override
    public String describe() {
        return "HIP driver " + driverVersion;
    }

    @Override
    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            check("hipGetDeviceCount", call(hipGetDeviceCount, n));
            return n.get(JAVA_INT, 0);
        }
    }

    @Override
    public void useDevice(int ordinal) {
        check("hipSetDevice(" + ordinal + ")", call(hipSetDevice, ordinal));
    }

    @Override
    public String deviceName(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            check("hipDeviceGetName", call(hipDeviceGetName, name, 256, ordinal));
            return name.getString(0);
        }
    }

    /** AMD GPUs have no CUDA compute capability; the gfx architecture decides instead. */
    @Override
    public int computeCapability(int ordinal) {
        return 0;
    }

    @Override
    public String pciBusId(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(64);
            check("hipDeviceGetPCIBusId", call(hipDeviceGetPCIBusId, id, 64, ordinal));
            return id.getString(0);
        }
    }

    @Override
    public int driverVersion() {
        return driverVersion;
    }

    @Override
    public MemoryInfo memoryInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            check("hipMemGetInfo", call(hipMemGetInfo, free, total));
            return new MemoryInfo(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
        }
    }

    @Override
    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        long address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("hipMalloc(" + bytes + ")", call(hipMalloc, out, bytes));
            address = out.get(ADDRESS, 0).address();
        }
        return DeviceBuffer.owned(address, bytes,
                a -> check("hipFree", call(hipFree, a)));
    }

    @Override
    public void copyToDevice(long dst, MemorySegment src, long bytes) {
        check("hipMemcpy(HostToDevice)", call(hipMemcpy,
                MemorySegment.ofAddress(dst), src, bytes, HIP_MEMCPY_HOST_TO_DEVICE));
        synchronizeDevice();
    }

    @Override
    public void copyToHost(MemorySegment dst, long src, long bytes) {
        check("hipMemcpy(DeviceToHost)", call(hipMemcpy,
                dst, MemorySegment.ofAddress(src), bytes, HIP_MEMCPY_DEVICE_TO_HOST));
    }

    @Override
    public void fill(long dst, byte value, long bytes) {
        check("hipMemset", call(hipMemset, dst, value & 0xff, bytes));
        synchronizeDevice();
    }

    /** Calls a function whose first parameter is where it writes the handle it creates, and returns that handle. */
    private long create(HipFunction function, Object... rest) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            Object[] args = new Object[rest.length + 1];
            args[0] = out;
            System.arraycopy(rest, 0, args, 1, rest.length);
            check(function.name(), call(function, args));
            return out.get(ADDRESS, 0).address();
        }
    }

    @Override
    public DeviceStream createStream() {
        long stream = create(hipStreamCreateWithFlags, HIP_STREAM_NON_BLOCKING);
        return new DeviceStream() {
            @Override
            public long address() {
                return stream;
            }

            @Override
            public boolean isIdle() {
                int rc = (int) call(hipStreamQuery, stream);
                if (rc == HIP_SUCCESS) return true;
                if (rc == HIP_ERROR_NOT_READY) return false;
                check("hipStreamQuery", rc);
                return false;
            }

            @Override
            public void close() {
                check("hipStreamDestroy", call(hipStreamDestroy, stream));
            }

            @Override
            public String toString() {
                return "DeviceStream[0x" + Long.toHexString(stream) + "]";
            }
        };
    }

    @Override
    public void synchronizeDevice() {
        check("hipDeviceSynchronize", call(hipDeviceSynchronize));
    }

    @Override
    public DeviceEvent createEvent() {
        return new HipEvent(create(hipEventCreate));
    }

    private final class HipEvent implements DeviceEvent {
        private final long event;

        HipEvent(long event) {
            this.event = event;
        }

        @Override
        public void record(DeviceStream stream) {
            check("hipEventRecord", call(hipEventRecord, event, stream.address()));
        }

        @Override
        public float elapsedSince(DeviceEvent start) {
            check("hipEventSynchronize", call(hipEventSynchronize, event));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ms = arena.allocate(JAVA_FLOAT);
                check("hipEventElapsedTime", call(hipEventElapsedTime, ms, ((HipEvent) start).event, event));
                return ms.get(JAVA_FLOAT, 0);
            }
        }

        @Override
        public boolean isComplete() {
            int rc = (int) call(hipEventQuery, event);
            if (rc == HIP_SUCCESS) return true;
            if (rc == HIP_ERROR_NOT_READY) return false;
            check("hipEventQuery", rc);
            return false;
        }

        @Override
        public void close() {
            call(hipEventDestroy, event);
        }
    }

    @Override
    public void beginCapture(DeviceStream stream) {
        check("hipStreamBeginCapture", call(hipStreamBeginCapture,
                stream.address(), HIP_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    }

    @Override
    public CapturedGraph endCapture(DeviceStream stream) {
        long graph;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("hipStreamEndCapture", call(hipStreamEndCapture, stream.address(), out));
            graph = out.get(ADDRESS, 0).address();
        }
        long exec;
        try {
            exec = create(hipGraphInstantiate, graph, MemorySegment.NULL, MemorySegment.NULL, 0L);
        } catch (RuntimeException e) {
            call(hipGraphDestroy, graph);
            throw e;
        }
        return new CapturedGraph() {
            @Override
            public void launch(DeviceStream s) {
                check("hipGraphLaunch", call(hipGraphLaunch, exec, s.address()));
            }

            @Override
            public void close() {
                call(hipGraphExecDestroy, exec);
                call(hipGraphDestroy, graph);
            }
        };
    }

}
