package io.ncclffm.device.hip;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;

/**
 * A function of hip_runtime_api.h that {@link HipRuntime} calls: its name and the descriptor of its C prototype,
 * declared here once per function so that no two call sites can bind one symbol with different signatures.
 * Device pointers and handles ({@code hipStream_t}, {@code hipEvent_t}, {@code hipGraph_t}) travel as
 * {@code JAVA_LONG}, the raw addresses the rest of the project uses; host out-parameters as {@code ADDRESS}.
 */
record HipFunction(String name, FunctionDescriptor descriptor) {

    /** {@code hipError_t hipInit(unsigned int flags)} */
    static final HipFunction hipInit = of("hipInit", JAVA_INT);
    /** {@code hipError_t hipDriverGetVersion(int* driverVersion)} */
    static final HipFunction hipDriverGetVersion = of("hipDriverGetVersion", ADDRESS);
    /** {@code const char* hipGetErrorName(hipError_t hip_error)} */
    static final HipFunction hipGetErrorName = new HipFunction("hipGetErrorName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@code const char* hipGetErrorString(hipError_t hipError)} */
    static final HipFunction hipGetErrorString = new HipFunction("hipGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** {@code hipError_t hipGetDeviceCount(int* count)} */
    static final HipFunction hipGetDeviceCount = of("hipGetDeviceCount", ADDRESS);
    /** {@code hipError_t hipSetDevice(int deviceId)} */
    static final HipFunction hipSetDevice = of("hipSetDevice", JAVA_INT);
    /** {@code hipError_t hipDeviceGetName(char* name, int len, hipDevice_t device)} */
    static final HipFunction hipDeviceGetName = of("hipDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
    /** {@code hipError_t hipDeviceGetPCIBusId(char* pciBusId, int len, int device)} */
    static final HipFunction hipDeviceGetPCIBusId = of("hipDeviceGetPCIBusId", ADDRESS, JAVA_INT, JAVA_INT);
    /** {@code hipError_t hipMemGetInfo(size_t* free, size_t* total)} */
    static final HipFunction hipMemGetInfo = of("hipMemGetInfo", ADDRESS, ADDRESS);
    /** {@code hipError_t hipDeviceSynchronize(void)} */
    static final HipFunction hipDeviceSynchronize = of("hipDeviceSynchronize");

    /** {@code hipError_t hipMalloc(void** ptr, size_t size)} */
    static final HipFunction hipMalloc = of("hipMalloc", ADDRESS, JAVA_LONG);
    /** {@code hipError_t hipFree(void* ptr)} */
    static final HipFunction hipFree = of("hipFree", JAVA_LONG);
    /**
     * {@code hipError_t hipMemcpy(void* dst, const void* src, size_t sizeBytes, hipMemcpyKind kind)}. Both pointers
     * are {@code ADDRESS}, as in C, so one handle serves every direction: the device side goes in as
     * {@code MemorySegment.ofAddress}. Binding it per direction, with the device side as a long, would give one
     * symbol two signatures.
     */
    static final HipFunction hipMemcpy = of("hipMemcpy", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    /** {@code hipError_t hipMemset(void* dst, int value, size_t sizeBytes)} */
    static final HipFunction hipMemset = of("hipMemset", JAVA_LONG, JAVA_INT, JAVA_LONG);

    /** {@code hipError_t hipStreamCreateWithFlags(hipStream_t* stream, unsigned int flags)} */
    static final HipFunction hipStreamCreateWithFlags = of("hipStreamCreateWithFlags", ADDRESS, JAVA_INT);
    /** {@code hipError_t hipStreamQuery(hipStream_t stream)} */
    static final HipFunction hipStreamQuery = of("hipStreamQuery", JAVA_LONG);
    /** {@code hipError_t hipStreamDestroy(hipStream_t stream)} */
    static final HipFunction hipStreamDestroy = of("hipStreamDestroy", JAVA_LONG);

    /** {@code hipError_t hipEventCreate(hipEvent_t* event)} */
    static final HipFunction hipEventCreate = of("hipEventCreate", ADDRESS);
    /** {@code hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream)} */
    static final HipFunction hipEventRecord = of("hipEventRecord", JAVA_LONG, JAVA_LONG);
    /** {@code hipError_t hipEventSynchronize(hipEvent_t event)} */
    static final HipFunction hipEventSynchronize = of("hipEventSynchronize", JAVA_LONG);
    /** {@code hipError_t hipEventElapsedTime(float* ms, hipEvent_t start, hipEvent_t stop)} */
    static final HipFunction hipEventElapsedTime = of("hipEventElapsedTime", ADDRESS, JAVA_LONG, JAVA_LONG);
    /** {@code hipError_t hipEventQuery(hipEvent_t event)} */
    static final HipFunction hipEventQuery = of("hipEventQuery", JAVA_LONG);
    /** {@code hipError_t hipEventDestroy(hipEvent_t event)} */
    static final HipFunction hipEventDestroy = of("hipEventDestroy", JAVA_LONG);

    /** {@code hipError_t hipStreamBeginCapture(hipStream_t stream, hipStreamCaptureMode mode)} */
    static final HipFunction hipStreamBeginCapture = of("hipStreamBeginCapture", JAVA_LONG, JAVA_INT);
    /** {@code hipError_t hipStreamEndCapture(hipStream_t stream, hipGraph_t* pGraph)} */
    static final HipFunction hipStreamEndCapture = of("hipStreamEndCapture", JAVA_LONG, ADDRESS);
    /**
     * {@code hipError_t hipGraphInstantiate(hipGraphExec_t* pGraphExec, hipGraph_t graph, hipGraphNode_t* pErrorNode,
     * char* pLogBuffer, size_t bufferSize)}
     */
    static final HipFunction hipGraphInstantiate = of("hipGraphInstantiate", ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    /** {@code hipError_t hipGraphLaunch(hipGraphExec_t graphExec, hipStream_t stream)} */
    static final HipFunction hipGraphLaunch = of("hipGraphLaunch", JAVA_LONG, JAVA_LONG);
    /** {@code hipError_t hipGraphExecDestroy(hipGraphExec_t graphExec)} */
    static final HipFunction hipGraphExecDestroy = of("hipGraphExecDestroy", JAVA_LONG);
    /** {@code hipError_t hipGraphDestroy(hipGraph_t graph)} */
    static final HipFunction hipGraphDestroy = of("hipGraphDestroy", JAVA_LONG);

    /** A function returning {@code hipError_t}. */
    private static HipFunction of(String name, MemoryLayout... arguments) {
        return new HipFunction(name, FunctionDescriptor.of(JAVA_INT, arguments));
    }
}
