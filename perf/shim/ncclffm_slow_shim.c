// ncclffm_slow_shim: a libnccl that is NCCL made slower by a known amount, to show that the perf regression check
// flags a real slowdown (and, as the A/A matrix shows the other way round, only a real one).
//
// It exports ncclAllReduce alone: each call busy-waits NCCLFFM_SHIM_DELAY_US microseconds (default 30, read on the
// first call) on the calling thread, then calls the real ncclAllReduce, found with dlsym(RTLD_NEXT, ...). It is linked
// with DT_NEEDED on libnccl.so.2 (perf/shim/build.sh), so a lookup on this library's handle finds every other NCCL
// symbol in that dependency: the binding opens NCCLFFM_SO_PATH with SymbolLookup.libraryLookup (dlopen, then dlsym
// on the handle, which searches the object and then its dependencies), and the in-process C loop gets
// ncclAllReduce's address from a lookup on the same path, so both the binding and the C loop go through the delay.
//
// The delay is host time before the enqueue, as an extra microsecond of call path would be; a CUDA graph captures
// only the kernels, so graph replays are not slowed. A busy-wait, not a sleep: nanosleep's wake-up latency (50 µs
// and more) would make the delay itself noisy.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*all_reduce_fn)(const void* send, void* recv, size_t count, int dtype, int op, void* comm, void* stream);

static all_reduce_fn real_all_reduce;
static long delay_ns = -1;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

// Races between first callers are benign: every one of them stores the same values.
static int init(void) {
    if (!real_all_reduce) {
        real_all_reduce = (all_reduce_fn)dlsym(RTLD_NEXT, "ncclAllReduce");
        if (!real_all_reduce) {
            fprintf(stderr, "ncclffm_slow_shim: no ncclAllReduce after this library (%s); link it against libnccl.so.2\n",
                    dlerror());
            return 0;
        }
    }
    if (delay_ns < 0) {
        const char* v = getenv("NCCLFFM_SHIM_DELAY_US");
        char* end = NULL;
        long us = v && *v ? strtol(v, &end, 10) : 30;
        if (v && *v && (*end || us < 0)) {
            fprintf(stderr, "ncclffm_slow_shim: NCCLFFM_SHIM_DELAY_US=%s is not a whole number of microseconds >= 0; using 30\n", v);
            us = 30;
        }
        delay_ns = us * 1000L;
    }
    return 1;
}

int ncclAllReduce(const void* send, void* recv, size_t count, int dtype, int op, void* comm, void* stream) {
    if (!init()) return 3;  // ncclInternalError
    long until = now_ns() + delay_ns;
    while (now_ns() < until) {
    }
    return real_all_reduce(send, recv, count, dtype, op, comm, stream);
}
