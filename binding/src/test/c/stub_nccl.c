/*
 * A stand-in for libnccl.so with the same C ABI, for the binding's unit tests on machines without a GPU, where
 * real NCCL cannot create a communicator. It records what it was called with, so a test can prove that the
 * binding passes every argument (the 128-byte ncclUniqueId by value, enum codes, device addresses) exactly as
 * nccl.h declares, and returns what a test asks for (errors, ncclInProgress forever).
 * Built by StubLibrary with: gcc -shared -fPIC -O0 -Wl,-z,noexecstack [-DRCCL | -DNCCL_2_28] -o libstub_nccl.so stub_nccl.c
 * Without a define it exports what NCCL 2.22 has (no all-to-all; split, ncclMemAlloc, registration, PreMulSum,
 * ncclGroupSimulateEnd); -DNCCL_2_28 adds NCCL 2.28's ncclAlltoAll, ncclGather, ncclScatter, windows,
 * ncclCommShrink, ncclCommInitRankScalable and ncclCommRevoke; -DNCCL_2_14 exports only what 2.14 had of these; -DNCCL_2_29 (with -DNCCL_2_28) adds ncclCommGrow
 * and ncclCommGetUniqueId and ncclCommQueryProperties, then the one-sided ncclPutSignal, ncclSignal, ncclWaitSignal
 * and ncclWinGetUserPtr; -DNCCL_2_29_7 (with both) adds ncclCommSuspend, ncclCommResume and ncclCommMemStats;
 * -DNCCL_2_30_4 (with both) adds the parameter API; -DRCCL exports RCCL's spellings instead (ncclAllToAll, ncclAllToAllv).
 * Every ncclConfig_t it receives is kept byte for byte (with the strings its pointers name) for the tests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct { char internal[128]; } ncclUniqueId;
typedef struct { size_t size; unsigned int magic; unsigned int version; int blocking; } config_head;
/* pending: polls of ncclCommGetAsyncError that still answer ncclInProgress, as a non-blocking parent does while
   NCCL finishes a split on its own thread. deferred: where the job writes its result once it ends, as
   ncclCommWindowRegister's job writes the window's handle. */
struct stub_comm { int nranks, rank, async, nonblocking, pending, suspended; void** deferred; void* deferred_value; };

static int version_code = 22203;
/* 0: succeed, 1: in progress forever, 2: fail with ncclUnhandledCudaError. A process that never calls
 * stub_reset (the harness's worker, which loads this stub as its "library") takes it from STUB_NCCL_INIT. */
static int init_mode = -1;

static int mode(void) {
    if (init_mode < 0) {
        const char* e = getenv("STUB_NCCL_INIT");
        init_mode = e == NULL ? 0 : !strcmp(e, "hang") ? 1 : !strcmp(e, "fail") ? 2 : 0;
    }
    return init_mode;
}
static int reset_called = 0;        /* whether a test drives the stub (stub_reset) rather than the environment */
/* STUB_NCCL_INIT_SLEEP_S=N: communicator init first sleeps N seconds inside this library, as a rank stuck in a
 * native call that Java cannot interrupt; what the harness must still stop when it is told to, or when it dies. */
static void init_sleep(void) {
    const char* e = getenv("STUB_NCCL_INIT_SLEEP_S");
    unsigned int left = e == NULL ? 0 : (unsigned int) strtoul(e, NULL, 10);
    while (left > 0) left = sleep(left);
}
/* The calls that block until stub_release_hangs (a worker process never calls it, so forever), as a library does
 * that never returns from one: HANG_* bits, on the rank hang_rank only (-1: every rank). A process that never calls
 * stub_reset or stub_hang takes them from STUB_NCCL_HANG and STUB_NCCL_HANG_RANK (see below). */
enum { HANG_ABORT = 1, HANG_DESTROY = 2, HANG_INIT = 4, HANG_ALLREDUCE = 8 };
static int hang_calls = -1;
static int hang_rank = -1;
static volatile int hangs_released = 0;
static int collective_result = 0;   /* returned by every collective */
static int async_error = -1;        /* >= 0: what ncclCommGetAsyncError reports for every communicator */
static char last_error[256] = "";
static char calls[4096] = "";       /* "name,name,..." in call order */
static long long last_args[8];
static uint64_t last_id_sum = 0;
static int last_blocking = -1;
static unsigned int last_config_version = 0;

static unsigned char last_config[256];
static size_t last_config_size = 0;
static char last_config_strings[2][128];   /* what netName (offset 32) and commName (offset 48) pointed to */

/* Keeps the config as NCCL would read it: min(size, what this stub knows) bytes, then the strings. */
static void record_config(const config_head* config) {
    last_config_size = config->size;
    size_t n = config->size < sizeof last_config ? config->size : sizeof last_config;
    memcpy(last_config, config, n);
    const size_t string_offsets[2] = {32, 48};
    for (int i = 0; i < 2; i++) {
        last_config_strings[i][0] = 0;
        if (config->size >= string_offsets[i] + sizeof(char*)) {
            const char* str = *(const char* const*) ((const unsigned char*) config + string_offsets[i]);
            if (str != NULL) { strncpy(last_config_strings[i], str, 127); last_config_strings[i][127] = 0; }
            else strcpy(last_config_strings[i], "(null)");
        }
    }
}

static void note(const char* name) {
    if (strlen(calls) + strlen(name) + 2 < sizeof calls) { strcat(calls, name); strcat(calls, ","); }
}

/* Test controls. */
void stub_reset(int version, int mode, int coll_result) {
    version_code = version; init_mode = mode; collective_result = coll_result; reset_called = 1;
    hang_calls = 0; hang_rank = -1; __atomic_store_n(&hangs_released, 0, __ATOMIC_SEQ_CST);
    calls[0] = 0; last_error[0] = 0; last_id_sum = 0; last_blocking = -1; last_config_version = 0; async_error = -1;
    memset(last_args, 0, sizeof last_args);
    memset(last_config, 0, sizeof last_config); last_config_size = 0;
    last_config_strings[0][0] = 0; last_config_strings[1][0] = 0;
}
/* An error a kernel or a peer hit after the call returned, as NCCL keeps it for ncclCommGetAsyncError. */
void stub_set_async_error(int code, const char* text) {
    async_error = code;
    strncpy(last_error, text, sizeof last_error - 1);
    last_error[sizeof last_error - 1] = 0;
}
/* From now on the calls in `which` (HANG_* bits) block on `rank` (-1: every rank) until stub_release_hangs. */
void stub_hang(int which, int rank) {
    hang_calls = which; hang_rank = rank; reset_called = 1;
    __atomic_store_n(&hangs_released, 0, __ATOMIC_SEQ_CST);
}
/* Lets every blocked call return (as if it had succeeded late), and every later one pass. */
void stub_release_hangs(void) { __atomic_store_n(&hangs_released, 1, __ATOMIC_SEQ_CST); }
const char* stub_calls(void) { return calls; }
long long stub_last_arg(int i) { return last_args[i]; }
uint64_t stub_last_id_sum(void) { return last_id_sum; }
int stub_last_blocking(void) { return last_blocking; }
unsigned int stub_last_config_version(void) { return last_config_version; }
const unsigned char* stub_last_config(void) { return last_config; }
size_t stub_last_config_size(void) { return last_config_size; }
const char* stub_last_config_string(int i) { return last_config_strings[i]; }

/* NCCL's build line, as NCCL compiles it in (init.cc's VERSION_STRING): what a worker reports of the file it runs. */
const char stub_build_line[] = "NCCL version 2.22.3+cuda12.9 (stub)";

/* What a test asks through the environment of a process that loads this stub without calling stub_reset (the
 * harness's worker): a library that fails, hangs, or writes to standard output.
 *   STUB_NCCL_INIT=hang|fail      non-blocking init stays ncclInProgress forever / every init fails with
 *                                 ncclUnhandledCudaError, as NCCL does on a machine without a GPU;
 *   STUB_NCCL_HANG=CALL[,CALL]    the call never returns, as in a library that blocks forever inside it: abort
 *                                 (ncclCommAbort), destroy (ncclCommDestroy), init (ncclCommInitRank and
 *                                 ncclCommInitRankConfig), allreduce (ncclAllReduce); a test in the same process
 *                                 uses stub_hang and stub_release_hangs instead;
 *   STUB_NCCL_HANG_RANK=N         those calls hang on rank N only (the rank being initialised, or the rank of the
 *                                 call's communicator); without it, on every rank;
 *   STUB_NCCL_VERSION=CODE        ncclGetVersion reports CODE instead of 22203;
 *   NCCL_DEBUG=INFO               every call is logged to standard output, as NCCL does without NCCL_DEBUG_FILE;
 *   STUB_NCCL_FORGE=WHAT[,WHAT]   writes to standard output, with write(2) on descriptor 1:
 *     constructor / destructor    a worker's events claiming rank 0 passed version, error-strings and load and
 *                                 is done, when the library is loaded / when the process exits (ELF destructors run
 *                                 even after Runtime.halt);
 *     partial                     a line without its newline, when the library is loaded;
 *     huge                        STUB_NCCL_FORGE_BYTES bytes (default 40 MiB) without a newline, when loaded;
 *   STUB_NCCL_FORGE_TO=pipe       writes those to the first pipe at or above descriptor 64 instead (where the
 *                                 harness's worker keeps its event pipe): a library that goes looking for it;
 *   STUB_NCCL_PRINT_ENV=NAME[,NAME]  when loaded, writes "stub env NAME=VALUE" (or "stub env NAME unset") for each
 *                                 to standard error, and "stub cmdline ARG ARG ..." with the process's command line:
 *                                 what a library in the rank can see of its environment. */
static int forges(const char* what) {
    const char* e = getenv("STUB_NCCL_FORGE");
    if (e == NULL) return 0;
    size_t n = strlen(what);
    for (const char* p = e; (p = strstr(p, what)) != NULL; p += n) {
        if ((p == e || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    }
    return 0;
}

static int forge_fd(void) {
    const char* to = getenv("STUB_NCCL_FORGE_TO");
    if (to == NULL || strcmp(to, "pipe") != 0) return 1;
    char link[64], target[64];
    for (int fd = 64; fd < 1024; fd++) {
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 5 && !strncmp(target, "pipe:", 5)) return fd;
    }
    return 1;
}

static void write_all(const char* s, size_t n) {
    int fd = forge_fd();
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) return;
        s += w; n -= (size_t) w;
    }
}

static void forge_events(void) {
    static const char* lines[] = {
        "{\"event\":\"check\",\"rank\":0,\"result\":{\"rank\":0,\"id\":\"version\",\"group\":\"version\",\"params\":{},"
        "\"status\":\"PASSED\",\"message\":\"forged by the library\",\"millis\":0}}\n",
        "{\"event\":\"check\",\"rank\":0,\"result\":{\"rank\":0,\"id\":\"load\",\"group\":\"load\",\"params\":{},"
        "\"status\":\"PASSED\",\"message\":\"forged by the library\",\"millis\":0}}\n",
        "{\"event\":\"done\",\"rank\":0,\"passed\":7,\"failed\":0,\"skipped\":0,\"broken\":0,\"millis\":1}\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) write_all(lines[i], strlen(lines[i]));
}

static void print_env(void) {
    const char* names = getenv("STUB_NCCL_PRINT_ENV");
    if (names == NULL) return;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", names);
    for (char* save = NULL, *name = strtok_r(buf, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        const char* value = getenv(name);
        if (value == NULL) fprintf(stderr, "stub env %s unset\n", name);
        else fprintf(stderr, "stub env %s=%s\n", name, value);
    }
    FILE* f = fopen("/proc/self/cmdline", "r");
    if (f != NULL) {
        fputs("stub cmdline", stderr);
        int c, start = 1;
        while ((c = fgetc(f)) != EOF) {
            if (start) fputc(' ', stderr);
            start = c == 0;
            if (c != 0) fputc(c, stderr);
        }
        fputc('\n', stderr);
        fclose(f);
    }
    fflush(stderr);
}

__attribute__((constructor)) static void stub_loaded(void) {
    print_env();
    if (forges("constructor")) forge_events();
    if (forges("partial")) write_all("stub: a partial line ", 21);
    if (forges("huge")) {
        const char* b = getenv("STUB_NCCL_FORGE_BYTES");
        size_t n = b != NULL ? (size_t) strtoull(b, NULL, 10) : (size_t) 40 << 20;
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        while (n > 0) {
            size_t k = n < sizeof block ? n : sizeof block;
            write_all(block, k);
            n -= k;
        }
    }
}

__attribute__((destructor)) static void stub_unloaded(void) {
    if (forges("destructor")) forge_events();
}

static void debug_log(const char* call) {
    const char* d = getenv("NCCL_DEBUG");
    if (d == NULL || strcasecmp(d, "INFO") != 0) return;
    printf("stubhost:%d:%d [0] NCCL INFO %s called (%s)\n", (int) getpid(), (int) getpid(), call, stub_build_line);
    fflush(stdout);
}

int ncclGetVersion(int* v) {
    note("ncclGetVersion");
    debug_log("ncclGetVersion");
    const char* e = reset_called ? NULL : getenv("STUB_NCCL_VERSION");
    *v = e != NULL ? atoi(e) : version_code;
    return 0;
}

int ncclGetUniqueId(ncclUniqueId* id) {
    note("ncclGetUniqueId");
    debug_log("ncclGetUniqueId");
    for (int i = 0; i < 128; i++) id->internal[i] = (char) (i * 7 + 3);
    return 0;
}

static uint64_t id_sum(ncclUniqueId id) {
    uint64_t s = 0;
    for (int i = 0; i < 128; i++) s = s * 31 + (unsigned char) id.internal[i];
    return s;
}

static int hang_mask(void) {
    if (hang_calls < 0) {
        const char* e = getenv("STUB_NCCL_HANG");
        const char* r = getenv("STUB_NCCL_HANG_RANK");
        hang_calls = 0;
        if (e != NULL) {
            const char* names[] = {"abort", "destroy", "init", "allreduce"};
            for (int i = 0; i < 4; i++) {
                size_t n = strlen(names[i]);
                for (const char* p = e; (p = strstr(p, names[i])) != NULL; p += n) {
                    if ((p == e || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) hang_calls |= 1 << i;
                }
            }
        }
        hang_rank = r != NULL ? atoi(r) : -1;
    }
    return hang_calls;
}

/* Blocks in `call` for `rank` until stub_release_hangs, where a test or STUB_NCCL_HANG asks for that. */
static void maybe_hang(int call, int rank) {
    if (!(hang_mask() & call) || (hang_rank >= 0 && rank != hang_rank)) return;
    while (!__atomic_load_n(&hangs_released, __ATOMIC_SEQ_CST)) usleep(10000);
}

/* The same for a call on `comm`, whose rank is read only when a hang is asked for (the binding's tests pass
   addresses that are no communicator of this stub). */
static void maybe_hang_on(int call, void* comm) {
    if (hang_mask() & call) maybe_hang(call, ((struct stub_comm*) comm)->rank);
}

static int make_comm(void** comm, int nranks, int rank, int async) {
    struct stub_comm* c = calloc(1, sizeof *c);
    c->nranks = nranks; c->rank = rank; c->async = async;
    *comm = c;
    return 0;
}

int ncclCommInitRank(void** comm, int nranks, ncclUniqueId id, int rank) {
    note("ncclCommInitRank");
    debug_log("ncclCommInitRank");
    init_sleep();
    last_id_sum = id_sum(id);
    maybe_hang(HANG_INIT, rank);
    if (mode() == 2) { strcpy(last_error, "stub: CUDA driver version is insufficient"); return 1; }
    return make_comm(comm, nranks, rank, 0);
}

int ncclCommInitRankConfig(void** comm, int nranks, ncclUniqueId id, int rank, config_head* config) {
    note("ncclCommInitRankConfig");
    debug_log("ncclCommInitRankConfig");
    init_sleep();
    last_id_sum = id_sum(id);
    maybe_hang(HANG_INIT, rank);
    if (config == NULL || config->magic != 0xcafebeef || config->size < sizeof(config_head)) return 4;
    last_blocking = config->blocking;
    last_config_version = config->version;
    record_config(config);
    make_comm(comm, nranks, rank, mode() == 1 ? 7 : mode() == 2 ? 1 : 0);
    ((struct stub_comm*) *comm)->nonblocking = !config->blocking;
    if (mode() == 2) strcpy(last_error, "stub: CUDA driver version is insufficient");
    return config->blocking ? (mode() == 2 ? 1 : 0) : 7;
}

int ncclCommGetAsyncError(void* comm, int* st) {
    struct stub_comm* c = comm;
    if (c->pending > 0) {
        if (--c->pending == 0 && c->deferred != NULL) { *c->deferred = c->deferred_value; c->deferred = NULL; }
        *st = 7;
        return 0;
    }
    *st = async_error >= 0 ? async_error : c->async;
    return 0;
}
/* How many polls a communicator still owes before its last operation counts as finished. */
int stub_comm_pending(void* comm) { return ((struct stub_comm*) comm)->pending; }
int ncclCommCount(void* comm, int* n) { note("ncclCommCount"); *n = ((struct stub_comm*) comm)->nranks; return 0; }
int ncclCommUserRank(void* comm, int* r) { note("ncclCommUserRank"); *r = ((struct stub_comm*) comm)->rank; return 0; }
int ncclCommCuDevice(void* comm, int* d) { note("ncclCommCuDevice"); *d = 0; return 0; }
int ncclCommFinalize(void* comm) { note("ncclCommFinalize"); return 0; }
int ncclCommDestroy(void* comm) {
    note("ncclCommDestroy");
    maybe_hang_on(HANG_DESTROY, comm);
    free(comm);
    return 0;
}
int ncclCommAbort(void* comm) {
    note("ncclCommAbort");
    maybe_hang_on(HANG_ABORT, comm);
    ((struct stub_comm*) comm)->async = 0;
    return 0;
}

const char* ncclGetErrorString(int r) {
    switch (r) {
        case 0: return "no error";
        case 1: return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
        case 2: return "unhandled system error (run with NCCL_DEBUG=INFO for details)";
        case 3: return "internal error - please report this issue to the NCCL developers";
        case 4: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
        case 5: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
        case 6: return "remote process exited or there was a network error";
        case 7: return "NCCL operation in progress";
        default: return "unknown result code";
    }
}

const char* ncclGetLastError(void* comm) { (void) comm; return last_error; }

int ncclAllReduce(const void* s, void* r, size_t count, int dt, int op, void* comm, void* stream) {
    note("ncclAllReduce");
    maybe_hang_on(HANG_ALLREDUCE, comm);
    last_args[0] = (long long) s; last_args[1] = (long long) r; last_args[2] = (long long) count;
    last_args[3] = dt; last_args[4] = op; last_args[5] = (long long) comm; last_args[6] = (long long) stream;
    if (collective_result != 0) strcpy(last_error, "stub: collective refused");
    return collective_result;
}

int ncclBroadcast(const void* s, void* r, size_t count, int dt, int root, void* comm, void* stream) {
    note("ncclBroadcast");
    last_args[0] = (long long) s; last_args[1] = (long long) r; last_args[2] = (long long) count;
    last_args[3] = dt; last_args[4] = root; last_args[5] = (long long) comm; last_args[6] = (long long) stream;
    return collective_result;
}

int ncclGroupStart(void) { note("ncclGroupStart"); return 0; }
int ncclGroupEnd(void) { note("ncclGroupEnd"); return 0; }
/* A send and the receive after it leave, as an allReduce does: send buffer, receive buffer, count, type, then the
   send's peer, comm, stream, and the receive's peer in the last slot. */
int ncclSend(const void* s, size_t count, int dt, int peer, void* comm, void* stream) {
    note("ncclSend");
    last_args[0] = (long long) s; last_args[2] = (long long) count; last_args[3] = dt; last_args[4] = peer;
    last_args[5] = (long long) comm; last_args[6] = (long long) stream;
    if (collective_result != 0) strcpy(last_error, "stub: collective refused");
    return collective_result;
}
int ncclRecv(void* r, size_t count, int dt, int peer, void* comm, void* stream) {
    note("ncclRecv");
    last_args[1] = (long long) r; last_args[7] = peer;
    return 0;
}

__attribute__((unused)) static int all_to_all(const char* name, const void* s, void* r, size_t count, int dt, void* comm, void* stream) {
    note(name);
    last_args[0] = (long long) s; last_args[1] = (long long) r; last_args[2] = (long long) count;
    last_args[3] = dt; last_args[4] = (long long) comm; last_args[5] = (long long) stream;
    return collective_result;
}

__attribute__((unused)) static int rooted(const char* name, const void* s, void* r, size_t count, int dt, int root, void* comm, void* stream) {
    note(name);
    last_args[0] = (long long) s; last_args[1] = (long long) r; last_args[2] = (long long) count;
    last_args[3] = dt; last_args[4] = root; last_args[5] = (long long) comm; last_args[6] = (long long) stream;
    return collective_result;
}

#if defined(RCCL) || defined(NCCL_2_28)
int ncclGather(const void* s, void* r, size_t count, int dt, int root, void* comm, void* stream) {
    return rooted("ncclGather", s, r, count, dt, root, comm, stream);
}
int ncclScatter(const void* s, void* r, size_t count, int dt, int root, void* comm, void* stream) {
    return rooted("ncclScatter", s, r, count, dt, root, comm, stream);
}
#endif

#ifdef NCCL_2_28
int ncclAlltoAll(const void* s, void* r, size_t count, int dt, void* comm, void* stream) {
    return all_to_all("ncclAlltoAll", s, r, count, dt, comm, stream);
}
#endif

#ifdef RCCL
/* Only RCCL exports these; rccl.h spells all-to-all with a capital T. */
int ncclAllToAll(const void* s, void* r, size_t count, int dt, void* comm, void* stream) {
    return all_to_all("ncclAllToAll", s, r, count, dt, comm, stream);
}
int ncclAllToAllv(void) { return 0; }
#endif

static void args6(long long a, long long b, long long c, long long d, long long e, long long f) {
    last_args[0] = a; last_args[1] = b; last_args[2] = c; last_args[3] = d; last_args[4] = e; last_args[5] = f;
}

int ncclReduce(const void* s, void* r, size_t count, int dt, int op, int root, void* comm, void* stream) {
    note("ncclReduce");
    args6((long long) s, (long long) r, (long long) count, dt, op, root);
    last_args[6] = (long long) comm; last_args[7] = (long long) stream;
    return collective_result;
}
int ncclReduceScatter(const void* s, void* r, size_t count, int dt, int op, void* comm, void* stream) {
    note("ncclReduceScatter");
    args6((long long) s, (long long) r, (long long) count, dt, op, (long long) comm);
    last_args[6] = (long long) stream;
    return collective_result;
}
/* NCCL 2.11 to 2.22: split, memory, registration, PreMulSum, simulated groups; -DNCCL_2_14 leaves them out. */
#ifndef NCCL_2_14
int ncclCommSplit(void* comm, int color, int key, void** newcomm, config_head* config) {
    note("ncclCommSplit");
    struct stub_comm* parent = comm;
    args6((long long) comm, color, key, 0, (long long) config, 0);
    if (config != NULL) { last_config_version = config->version; last_blocking = config->blocking; record_config(config); }
    /* On a non-blocking parent NCCL runs the split as a job of the parent: ncclInProgress, and the parent reports
       ncclInProgress for a while after the new handle is written. */
    if (parent->nonblocking) parent->pending = 3;
    if (color < 0) { *newcomm = NULL; return parent->nonblocking ? 7 : 0; }
    /* Two colours of equal size: ranks of the same parity, ordered by key, as a test expects of color = rank % 2. */
    make_comm(newcomm, (parent->nranks + 1 - color) / 2, key / 2, 0);
    ((struct stub_comm*) *newcomm)->nonblocking = parent->nonblocking;
    return parent->nonblocking ? 7 : 0;
}
int ncclMemAlloc(void** ptr, size_t size) {
    note("ncclMemAlloc"); last_args[0] = (long long) size;
    *ptr = (void*) (uintptr_t) 0x7e0000000000ULL;
    return 0;
}
int ncclMemFree(void* ptr) { note("ncclMemFree"); last_args[1] = (long long) ptr; return 0; }
int ncclCommRegister(void* comm, void* buff, size_t size, void** handle) {
    note("ncclCommRegister");
    args6((long long) comm, (long long) buff, (long long) size, 0, 0, 0);
    *handle = (void*) (uintptr_t) 0x4ead1e;
    return 0;
}
int ncclCommDeregister(void* comm, void* handle) {
    note("ncclCommDeregister"); last_args[0] = (long long) comm; last_args[3] = (long long) handle; return 0;
}
static unsigned char last_scalar[8];
const unsigned char* stub_last_scalar(void) { return last_scalar; }
int ncclRedOpCreatePreMulSum(int* op, void* scalar, int dt, int residence, void* comm) {
    note("ncclRedOpCreatePreMulSum");
    args6((long long) scalar, dt, residence, (long long) comm, 0, 0);
    if (residence == 1) memcpy(last_scalar, scalar, 8);   /* host immediate: read now, as NCCL does */
    *op = 5;                                               /* ncclNumOps: the first custom operator */
    return 0;
}
int ncclRedOpDestroy(int op, void* comm) { note("ncclRedOpDestroy"); last_args[6] = op; return 0; }
typedef struct { size_t size; unsigned int magic; unsigned int version; float estimatedTime; } sim_info;
int ncclGroupSimulateEnd(sim_info* info) {
    note("ncclGroupSimulateEnd");
    if (info == NULL || info->size != sizeof(sim_info) || info->magic != 0x74685283) return 4;
    last_args[0] = info->version;
    info->estimatedTime = 12.5f;
    return 0;
}
#endif

#ifdef NCCL_2_28
int ncclCommWindowRegister(void* comm, void* buff, size_t size, void** win, int flags) {
    struct stub_comm* c = comm;
    note("ncclCommWindowRegister");
    args6((long long) comm, (long long) buff, (long long) size, 0, flags, 0);
    if (c->pending > 0) {   /* ncclCommEnsureReady */
        strcpy(last_error, "Attempt to use communicator before the previous operation returned ncclSuccess");
        return 4;
    }
    /* NCCL queues the registration as a job of the communicator and returns ncclSuccess, not its group's
       ncclInProgress; on a non-blocking communicator the job writes the handle later. */
    *win = NULL;
    if (c->nonblocking) {
        c->pending = 3; c->deferred = win; c->deferred_value = (void*) (uintptr_t) 0x3177;
    } else {
        *win = (void*) (uintptr_t) 0x3177;
    }
    return 0;
}
int ncclCommWindowDeregister(void* comm, void* win) {
    note("ncclCommWindowDeregister"); last_args[0] = (long long) comm; last_args[3] = (long long) win; return 0;
}
static int last_excluded[16];
int stub_last_excluded(int i) { return last_excluded[i]; }
int ncclCommShrink(void* comm, int* exclude, int n, void** newcomm, config_head* config, int flags) {
    note("ncclCommShrink");
    args6((long long) comm, (long long) exclude, n, (long long) config, flags, 0);
    for (int i = 0; i < n && i < 16; i++) last_excluded[i] = exclude[i];
    struct stub_comm* parent = comm;
    return make_comm(newcomm, parent->nranks - n, parent->rank, 0);
}
int ncclCommInitRankScalable(void** comm, int nranks, int rank, int nid, ncclUniqueId* ids, config_head* config) {
    note("ncclCommInitRankScalable");
    args6(nranks, rank, nid, 0, (long long) config, 0);
    uint64_t s = 0;
    for (int i = 0; i < nid; i++) s = s * 1000003 + id_sum(ids[i]);
    last_id_sum = s;
    if (config != NULL) { last_config_version = config->version; last_blocking = config->blocking; record_config(config); }
    return make_comm(comm, nranks, rank, 0);
}
int ncclCommRevoke(void* comm, int flags) { note("ncclCommRevoke"); last_args[0] = (long long) comm; last_args[1] = flags; return 0; }
#endif

#ifdef NCCL_2_29
int ncclCommGetUniqueId(void* comm, ncclUniqueId* id) {
    note("ncclCommGetUniqueId");
    for (int i = 0; i < 128; i++) id->internal[i] = (char) (i * 5 + 1);
    return 0;
}
int ncclCommGrow(void* comm, int nranks, const ncclUniqueId* id, int rank, void** newcomm, config_head* config) {
    note("ncclCommGrow");
    args6((long long) comm, nranks, (long long) id, rank, (long long) config, 0);
    last_id_sum = id == NULL ? 0 : id_sum(*id);
    int r = rank >= 0 ? rank : ((struct stub_comm*) comm)->rank;
    return make_comm(newcomm, nranks, r, 0);
}
#endif

#ifdef NCCL_2_29
/* ncclCommProperties_t as NCCL fills it (dev_runtime.cc): magic must be NCCL_API_MAGIC, version no newer than the
 * library (2.29.2's validateNcclVersion), and from 2.30 on inside one of the layouts the library is compatible with
 * (getNcclVersionCompat: 2.29.2-2.29.3, 2.29.5-2.29.7, 2.30.0 up to itself). 2.29.2-2.29.3 get the short layout. */
static unsigned int last_props_version = 0;
unsigned int stub_last_props_version(void) { return last_props_version; }
int ncclCommQueryProperties(void* comm, unsigned char* props) {
    note("ncclCommQueryProperties");
    struct stub_comm* c = comm;
    unsigned int magic, version;
    memcpy(&magic, props + 8, 4); memcpy(&version, props + 12, 4);
    last_props_version = version;
    if (magic != 0xcafebeef) return 5;
    if ((int) version > version_code) return 5;
    int in_compat = (version >= 22902 && version <= 22903) || (version >= 22905 && version <= 22907)
        || (version >= 23000 && (int) version <= version_code);
    if (version_code >= 23000 && !in_compat) return 5;
    int dev = 0, nvml = 0;
    memcpy(props + 16, &c->rank, 4); memcpy(props + 20, &c->nranks, 4);
    memcpy(props + 24, &dev, 4); memcpy(props + 28, &nvml, 4);
    props[32] = 1; props[33] = 0; props[34] = 0;
    if (version >= 22902 && version <= 22903) return 0;
    int teams = 1;
    memcpy(props + 36, &teams, 4); props[40] = 1; props[41] = 2;
    return 0;
}
/* NCCL 2.29.2's one-sided functions. ncclPutSignal has 11 arguments: the first eight go to last_args, and
 * signal_extra holds flags, comm and stream. ncclWaitSignal keeps its descriptors as they arrived. */
static long long signal_extra[3];
static int wait_descs[16][4];
static int wait_ndesc = -1;
long long stub_signal_extra(int i) { return signal_extra[i]; }
int stub_wait_desc(int i, int field) { return wait_descs[i][field]; }
int stub_wait_ndesc(void) { return wait_ndesc; }
int ncclPutSignal(const void* buf, size_t count, int dt, int peer, void* win, size_t offset, int sigIdx, int ctx,
                  unsigned int flags, void* comm, void* stream) {
    note("ncclPutSignal");
    last_args[0] = (long long) buf; last_args[1] = (long long) count; last_args[2] = dt; last_args[3] = peer;
    last_args[4] = (long long) win; last_args[5] = (long long) offset; last_args[6] = sigIdx; last_args[7] = ctx;
    signal_extra[0] = flags; signal_extra[1] = (long long) comm; signal_extra[2] = (long long) stream;
    return collective_result;
}
int ncclSignal(int peer, int sigIdx, int ctx, unsigned int flags, void* comm, void* stream) {
    note("ncclSignal");
    args6(peer, sigIdx, ctx, flags, (long long) comm, (long long) stream);
    return collective_result;
}
int ncclWaitSignal(int nDesc, const int* descs, void* comm, void* stream) {
    note("ncclWaitSignal");
    wait_ndesc = nDesc;
    for (int i = 0; i < nDesc && i < 16; i++) for (int f = 0; f < 4; f++) wait_descs[i][f] = descs[i * 4 + f];
    last_args[5] = (long long) comm; last_args[6] = (long long) stream;
    return collective_result;
}
int ncclWinGetUserPtr(void* comm, void* win, void** out) {
    note("ncclWinGetUserPtr");
    last_args[0] = (long long) comm; last_args[1] = (long long) win;
    *out = (void*) 0x7e0000001000LL;
    return 0;
}
#endif

#ifdef NCCL_2_29_7
/* The memory manager's view (mem_manager.cc): a suspend releases the scratch and offload bytes and sets the
 * suspended flag; the byte counts stay what was allocated, suspended or not. */
enum { STUB_SUSPENDABLE = 1 << 20, STUB_PERSIST = 4096 };
int ncclCommSuspend(void* comm, int flags) {
    note("ncclCommSuspend");
    struct stub_comm* c = comm;
    last_args[1] = flags;
    if (flags & 1) {
        if (c->suspended) return 5;
        c->suspended = 1;
    }
    return 0;
}
int ncclCommResume(void* comm) {
    note("ncclCommResume");
    ((struct stub_comm*) comm)->suspended = 0;
    return 0;
}
int ncclCommMemStats(void* comm, int stat, uint64_t* value) {
    note("ncclCommMemStats");
    struct stub_comm* c = comm;
    if (value == NULL) return 4;
    switch (stat) {
        case 0: *value = STUB_SUSPENDABLE; return 0;
        case 1: *value = c->suspended; return 0;
        case 2: *value = STUB_PERSIST; return 0;
        case 3: *value = STUB_SUSPENDABLE + STUB_PERSIST; return 0;
        default: return 4;
    }
}
#endif

#ifdef NCCL_2_30_4
/* NCCL 2.30.4's parameter API over a registry of three keys: NCCL_PROTO (string, from the environment, else
 * empty), NCCL_NTHREADS (int32, 512 unless the environment sets it), NCCL_BUFFSIZE (int64, 4 MiB). A handle is a
 * pointer to the registry entry, as NCCL's own is. Like NCCL, a getter of the wrong type and an unknown key are
 * ncclInvalidArgument (4). */
struct stub_param { const char* key; int type; long long def; };   /* type: 0 string, 32 int32, 64 int64 */
static struct stub_param stub_params[] = {{"NCCL_PROTO", 0, 0}, {"NCCL_NTHREADS", 32, 512}, {"NCCL_BUFFSIZE", 64, 4194304}};
static const char* stub_keys[] = {"NCCL_PROTO", "NCCL_NTHREADS", "NCCL_BUFFSIZE"};
static char param_text[64];
static struct stub_param* find_param(const char* key) {
    for (int i = 0; i < 3; i++) if (strcmp(stub_params[i].key, key) == 0) return &stub_params[i];
    return NULL;
}
static long long param_int(const struct stub_param* p) {
    const char* e = getenv(p->key);
    return e == NULL ? p->def : strtoll(e, NULL, 10);
}
static const char* param_string(const struct stub_param* p) {
    if (p->type != 0) { snprintf(param_text, sizeof param_text, "%lld", param_int(p)); return param_text; }
    const char* e = getenv(p->key);
    return e == NULL ? "" : e;
}
int ncclParamBind(struct stub_param** out, const char* key) {
    note("ncclParamBind");
    struct stub_param* p = find_param(key);
    if (p == NULL) return 4;
    *out = p;
    return 0;
}
int ncclParamGetI32(struct stub_param* h, int32_t* out) {
    note("ncclParamGetI32");
    if (h->type != 32) return 4;
    *out = (int32_t) param_int(h);
    return 0;
}
int ncclParamGetI64(struct stub_param* h, int64_t* out) {
    note("ncclParamGetI64");
    if (h->type != 64) return 4;
    *out = param_int(h);
    return 0;
}
#define STUB_UNTYPED_GETTER(name, ctype) int name(struct stub_param* h, ctype* out) { note(#name); return 4; }
STUB_UNTYPED_GETTER(ncclParamGetI8, int8_t)
STUB_UNTYPED_GETTER(ncclParamGetI16, int16_t)
STUB_UNTYPED_GETTER(ncclParamGetU8, uint8_t)
STUB_UNTYPED_GETTER(ncclParamGetU16, uint16_t)
STUB_UNTYPED_GETTER(ncclParamGetU32, uint32_t)
STUB_UNTYPED_GETTER(ncclParamGetU64, uint64_t)
int ncclParamGetStr(struct stub_param* h, const char** out) {
    note("ncclParamGetStr");
    if (h->type != 0) return 4;
    *out = param_string(h);
    return 0;
}
int ncclParamGet(struct stub_param* h, void* out, int maxLen, int* len) {
    note("ncclParamGet");
    long long v = param_int(h);
    int size = h->type == 32 ? 4 : 8;
    if (h->type == 0 || size > maxLen) return 4;
    memcpy(out, &v, (size_t) size);
    *len = size;
    return 0;
}
int ncclParamGetParameter(const char* key, const char** value, int* valueLen) {
    note("ncclParamGetParameter");
    struct stub_param* p = find_param(key);
    if (p == NULL) return 4;
    *value = param_string(p);
    *valueLen = (int) strlen(*value);
    return 0;
}
int ncclParamGetAllParameterKeys(const char*** table, int* tableLen) {
    note("ncclParamGetAllParameterKeys");
    *table = stub_keys;
    *tableLen = 3;
    return 0;
}
void ncclParamDumpAll(void) { note("ncclParamDumpAll"); }
#endif
