/*
 * A stand-in for libamdhip64.so with the C ABI of the HIP runtime calls HipRuntime binds, over host memory, for
 * the device module's tests on machines without a ROCm GPU. "Device" memory is malloc'd and tracked, so a copy
 * whose hipMemcpyKind does not match its pointers, or that runs past an allocation, fails as real HIP would
 * (hipErrorInvalidValue) instead of silently working on host memory. Streams, events and graphs are small
 * structs; work is synchronous, so a stream is idle unless a test asks it to report busy.
 * Built by HipStub with: gcc -shared -fPIC -O0 -Wl,-z,noexecstack -o libamdhip64_stub.so stub_hip.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int hipError_t;
enum {
    hipSuccess = 0, hipErrorInvalidValue = 1, hipErrorOutOfMemory = 2, hipErrorInvalidDevice = 101,
    hipErrorInvalidHandle = 400, hipErrorIllegalState = 401, hipErrorNotReady = 600
};
enum { hipMemcpyHostToHost = 0, hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2, hipMemcpyDeviceToDevice = 3 };

#define DEVICES 2
#define TOTAL_BYTES (16LL << 30)
/* Anything larger is refused, so a test can provoke hipErrorOutOfMemory without allocating. */
#define MAX_ALLOCATION (1LL << 30)
#define MAX_ALLOCATIONS 64

struct allocation { char* base; size_t bytes; };
struct stream { int capturing; int busy_queries; };
struct event { int recorded; struct timespec at; };
struct graph { int launches; };

static struct allocation allocations[MAX_ALLOCATIONS];
static int current_device = 0;
static int initialised = 0;
static int busy_queries = 0;       /* given to the next stream created */
static int stream_queries = 0;
static int graph_launches = 0;
static int live_streams = 0, live_events = 0, live_graphs = 0;
static hipError_t next_instantiate_result = hipSuccess;

/* Test controls. stub_reset frees what a test left allocated, so one test's leak cannot fail the next. */
void stub_reset(void) {
    for (int i = 0; i < MAX_ALLOCATIONS; i++) { free(allocations[i].base); allocations[i].base = NULL; }
    current_device = 0; busy_queries = 0; stream_queries = 0; graph_launches = 0;
    live_streams = live_events = live_graphs = 0; next_instantiate_result = hipSuccess;
}
int stub_live_allocations(void) {
    int n = 0;
    for (int i = 0; i < MAX_ALLOCATIONS; i++) n += allocations[i].base != NULL;
    return n;
}
void stub_next_stream_busy_for(int queries) { busy_queries = queries; }
int stub_stream_queries(void) { return stream_queries; }
void stub_fail_next_graph_instantiate(hipError_t e) { next_instantiate_result = e; }
int stub_graph_launches(void) { return graph_launches; }
int stub_live_handles(void) { return live_streams + live_events + live_graphs; }
int stub_current_device(void) { return current_device; }

/* Whether [p, p + bytes) lies inside one allocation. */
static int on_device(const void* p, size_t bytes) {
    const char* c = p;
    for (int i = 0; i < MAX_ALLOCATIONS; i++) {
        struct allocation* a = &allocations[i];
        if (a->base != NULL && c >= a->base && c + bytes <= a->base + a->bytes) return 1;
    }
    return 0;
}
hipError_t hipInit(unsigned int flags) { if (flags != 0) return hipErrorInvalidValue; initialised = 1; return hipSuccess; }
hipError_t hipDriverGetVersion(int* v) { if (!v) return hipErrorInvalidValue; *v = 60443483; return hipSuccess; }

const char* hipGetErrorName(hipError_t e) {
    switch (e) {
        case hipSuccess: return "hipSuccess";
        case hipErrorInvalidValue: return "hipErrorInvalidValue";
        case hipErrorOutOfMemory: return "hipErrorOutOfMemory";
        case hipErrorInvalidDevice: return "hipErrorInvalidDevice";
        case hipErrorInvalidHandle: return "hipErrorInvalidHandle";
        case hipErrorIllegalState: return "hipErrorIllegalState";
        case hipErrorNotReady: return "hipErrorNotReady";
        default: return "hipErrorUnknown";
    }
}
const char* hipGetErrorString(hipError_t e) {
    switch (e) {
        case hipSuccess: return "no error";
        case hipErrorInvalidValue: return "invalid argument";
        case hipErrorOutOfMemory: return "out of memory";
        case hipErrorInvalidDevice: return "invalid device ordinal";
        case hipErrorInvalidHandle: return "invalid resource handle";
        case hipErrorIllegalState: return "the operation cannot be performed in the present state";
        case hipErrorNotReady: return "device not ready";
        default: return "unknown error";
    }
}

hipError_t hipGetDeviceCount(int* n) { if (!n) return hipErrorInvalidValue; *n = initialised ? DEVICES : 0; return hipSuccess; }
hipError_t hipSetDevice(int d) { if (d < 0 || d >= DEVICES) return hipErrorInvalidDevice; current_device = d; return hipSuccess; }
hipError_t hipDeviceGetName(char* name, int len, int d) {
    if (!name || len <= 0) return hipErrorInvalidValue;
    if (d < 0 || d >= DEVICES) return hipErrorInvalidDevice;
    snprintf(name, (size_t) len, "Stub HIP Device %d", d);
    return hipSuccess;
}
hipError_t hipDeviceGetPCIBusId(char* id, int len, int d) {
    if (!id || len <= 0) return hipErrorInvalidValue;
    if (d < 0 || d >= DEVICES) return hipErrorInvalidDevice;
    snprintf(id, (size_t) len, "0000:%02X:00.0", 0xC1 + d);
    return hipSuccess;
}
hipError_t hipMemGetInfo(size_t* free_bytes, size_t* total) {
    if (!free_bytes || !total) return hipErrorInvalidValue;
    size_t used = 0;
    for (int i = 0; i < MAX_ALLOCATIONS; i++) if (allocations[i].base != NULL) used += allocations[i].bytes;
    *total = TOTAL_BYTES;
    *free_bytes = TOTAL_BYTES - used;
    return hipSuccess;
}

hipError_t hipMalloc(void** p, size_t bytes) {
    if (!p) return hipErrorInvalidValue;
    if (bytes > MAX_ALLOCATION) return hipErrorOutOfMemory;
    for (int i = 0; i < MAX_ALLOCATIONS; i++) {
        if (allocations[i].base == NULL) {
            allocations[i].base = malloc(bytes);
            if (allocations[i].base == NULL) return hipErrorOutOfMemory;
            allocations[i].bytes = bytes;
            *p = allocations[i].base;
            return hipSuccess;
        }
    }
    return hipErrorOutOfMemory;
}
hipError_t hipFree(void* p) {
    if (p == NULL) return hipSuccess;
    for (int i = 0; i < MAX_ALLOCATIONS; i++) {
        if (allocations[i].base == p) { free(p); allocations[i].base = NULL; return hipSuccess; }
    }
    return hipErrorInvalidValue;
}
hipError_t hipMemcpy(void* dst, const void* src, size_t bytes, int kind) {
    int ok;
    switch (kind) {
        case hipMemcpyHostToDevice: ok = on_device(dst, bytes) && !on_device(src, 1); break;
        case hipMemcpyDeviceToHost: ok = on_device(src, bytes) && !on_device(dst, 1); break;
        case hipMemcpyDeviceToDevice: ok = on_device(src, bytes) && on_device(dst, bytes); break;
        default: ok = 0;
    }
    if (!ok || !dst || !src) return hipErrorInvalidValue;
    memmove(dst, src, bytes);
    return hipSuccess;
}
hipError_t hipMemset(void* dst, int value, size_t bytes) {
    if (!on_device(dst, bytes)) return hipErrorInvalidValue;
    memset(dst, value, bytes);
    return hipSuccess;
}
hipError_t hipDeviceSynchronize(void) { return hipSuccess; }

hipError_t hipStreamCreateWithFlags(struct stream** s, unsigned int flags) {
    if (!s || flags > 1) return hipErrorInvalidValue;
    *s = calloc(1, sizeof **s);
    (*s)->busy_queries = busy_queries;
    busy_queries = 0;
    live_streams++;
    return hipSuccess;
}
hipError_t hipStreamQuery(struct stream* s) {
    if (!s) return hipErrorInvalidHandle;
    stream_queries++;
    if (s->busy_queries > 0) { s->busy_queries--; return hipErrorNotReady; }
    return hipSuccess;
}
hipError_t hipStreamDestroy(struct stream* s) {
    if (!s) return hipErrorInvalidHandle;
    free(s);
    live_streams--;
    return hipSuccess;
}

hipError_t hipEventCreate(struct event** e) {
    if (!e) return hipErrorInvalidValue;
    *e = calloc(1, sizeof **e);
    live_events++;
    return hipSuccess;
}
hipError_t hipEventRecord(struct event* e, struct stream* s) {
    (void) s;
    if (!e) return hipErrorInvalidHandle;
    clock_gettime(CLOCK_MONOTONIC, &e->at);
    e->recorded = 1;
    return hipSuccess;
}
hipError_t hipEventSynchronize(struct event* e) { return e ? hipSuccess : hipErrorInvalidHandle; }
hipError_t hipEventQuery(struct event* e) { return e ? hipSuccess : hipErrorInvalidHandle; }
hipError_t hipEventElapsedTime(float* ms, struct event* start, struct event* stop) {
    if (!ms || !start || !stop) return hipErrorInvalidValue;
    if (!start->recorded || !stop->recorded) return hipErrorInvalidHandle;
    *ms = (float) ((stop->at.tv_sec - start->at.tv_sec) * 1e3 + (stop->at.tv_nsec - start->at.tv_nsec) / 1e6);
    return hipSuccess;
}
hipError_t hipEventDestroy(struct event* e) {
    if (!e) return hipErrorInvalidHandle;
    free(e);
    live_events--;
    return hipSuccess;
}

/* A graph records nothing: captured work ran when it was submitted. Launches are counted. */
hipError_t hipStreamBeginCapture(struct stream* s, int mode) {
    if (!s || mode < 0 || mode > 2) return hipErrorInvalidValue;
    if (s->capturing) return hipErrorIllegalState;
    s->capturing = 1;
    return hipSuccess;
}
hipError_t hipStreamEndCapture(struct stream* s, struct graph** g) {
    if (!s || !g) return hipErrorInvalidValue;
    if (!s->capturing) return hipErrorIllegalState;
    s->capturing = 0;
    *g = calloc(1, sizeof **g);
    live_graphs++;
    return hipSuccess;
}
hipError_t hipGraphInstantiate(struct graph** exec, struct graph* g, void* error_node, char* log, size_t log_bytes) {
    (void) error_node; (void) log; (void) log_bytes;
    if (!exec || !g) return hipErrorInvalidValue;
    if (next_instantiate_result != hipSuccess) {
        hipError_t e = next_instantiate_result;
        next_instantiate_result = hipSuccess;
        return e;
    }
    *exec = calloc(1, sizeof **exec);
    live_graphs++;
    return hipSuccess;
}
hipError_t hipGraphLaunch(struct graph* exec, struct stream* s) {
    if (!exec || !s) return hipErrorInvalidHandle;
    exec->launches++;
    graph_launches++;
    return hipSuccess;
}
hipError_t hipGraphExecDestroy(struct graph* exec) { if (!exec) return hipErrorInvalidHandle; free(exec); live_graphs--; return hipSuccess; }
hipError_t hipGraphDestroy(struct graph* g) { if (!g) return hipErrorInvalidHandle; free(g); live_graphs--; return hipSuccess; }
