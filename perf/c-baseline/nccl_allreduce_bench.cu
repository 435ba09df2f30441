// nccl_allreduce_bench: one rank of an allReduce sweep, the C reference the Java perf mode is judged against.
//
// The NCCL library is opened with dlopen at run time (--lib, else NCCLFFM_SO_PATH, else libnccl.so.2), so one
// binary measures any NCCL build without relinking: comparing two releases must not mean comparing two builds of
// this program. Only the few NCCL prototypes used here are declared; their ABI has been stable since NCCL 2.0.
//
// For each size (doubling from --min-bytes to --max-bytes), placement (out-of-place, in-place) and mode:
//   launch: --warmup calls, then --iters back-to-back ncclAllReduce calls between two cudaEvents, averaged;
//   graph:  --iters calls captured into one CUDA graph, launched once to warm up, then launched once between
//           two cudaEvents, averaged over --iters (needs NCCL 2.9+).
// Each timing is repeated --trials times (default 5) and the median is printed, as the Java perf mode does
// (NCCLFFM_PERF_TRIALS): with several ranks one trial is at the mercy of host jitter on any rank.
// One JSON line per (size, placement, mode) goes to stdout with exactly the fields of the harness's PerfPoint,
// plus one "init" line with the ncclCommInitRank wall time and the device memory it took. Diagnostics go to
// stderr, so stdout stays machine-readable.
//
// Several ranks on ONE GPU: NCCL refuses two ranks of one communicator on the same device of the same host, so
// each rank must see a distinct NCCL_HOSTID (run-world.sh sets it). NCCL then treats the ranks as separate hosts
// and connects them over the network transport (sockets on lo with NCCL_SOCKET_IFNAME=lo, NCCL_IB_DISABLE=1):
// the bandwidth measures that path, identically for C and Java, not NVLink.

#include <cuda_runtime.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// ---- The part of nccl.h this program needs -------------------------------------------------------------------

typedef struct ncclComm* ncclComm_t;
typedef struct { char internal[128]; } ncclUniqueId;
typedef int ncclResult_t;  // an enum in nccl.h: int-sized on every supported ABI
enum { ncclSuccess = 0, ncclInProgress = 7 };
enum { ncclSum = 0 };

typedef ncclResult_t (*ncclGetVersion_fn)(int*);
typedef ncclResult_t (*ncclGetUniqueId_fn)(ncclUniqueId*);
typedef ncclResult_t (*ncclCommInitRank_fn)(ncclComm_t*, int, ncclUniqueId, int);
typedef ncclResult_t (*ncclAllReduce_fn)(const void*, void*, size_t, int, int, ncclComm_t, cudaStream_t);
typedef ncclResult_t (*ncclCommDestroy_fn)(ncclComm_t);
typedef ncclResult_t (*ncclCommFinalize_fn)(ncclComm_t);
typedef const char* (*ncclGetErrorString_fn)(ncclResult_t);
typedef const char* (*ncclGetLastError_fn)(ncclComm_t);

static struct {
    void* handle;
    const char* path;
    ncclGetVersion_fn getVersion;
    ncclGetUniqueId_fn getUniqueId;
    ncclCommInitRank_fn commInitRank;
    ncclAllReduce_fn allReduce;
    ncclCommDestroy_fn commDestroy;
    ncclCommFinalize_fn commFinalize;      // NCCL 2.14+, else NULL
    ncclGetErrorString_fn getErrorString;
    ncclGetLastError_fn getLastError;      // NCCL 2.13+, else NULL
} nccl;

// ---- Failing loudly -----------------------------------------------------------------------------------------

static int g_rank = -1;

static void die(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (g_rank >= 0) fprintf(stderr, "nccl_allreduce_bench rank %d: ", g_rank);
    else fputs("nccl_allreduce_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define CUDA_CHECK(call)                                                                                    \
    do {                                                                                                    \
        cudaError_t e_ = (call);                                                                            \
        if (e_ != cudaSuccess)                                                                              \
            die("%s:%d: %s failed: %s (%s)", __FILE__, __LINE__, #call, cudaGetErrorString(e_),             \
                cudaGetErrorName(e_));                                                                      \
    } while (0)

static ncclComm_t g_comm = NULL;  // for ncclGetLastError once the communicator exists

#define NCCL_CHECK(call)                                                                                    \
    do {                                                                                                    \
        ncclResult_t r_ = (call);                                                                           \
        if (r_ != ncclSuccess) {                                                                            \
            const char* last_ = nccl.getLastError ? nccl.getLastError(g_comm) : NULL;                       \
            die("%s:%d: %s failed: NCCL error %d: %s%s%s", __FILE__, __LINE__, #call, r_,                   \
                nccl.getErrorString ? nccl.getErrorString(r_) : "?", last_ && *last_ ? "; last error: " : "", \
                last_ && *last_ ? last_ : "");                                                              \
        }                                                                                                   \
    } while (0)

static void* required_symbol(const char* name) {
    dlerror();
    void* p = dlsym(nccl.handle, name);
    if (!p) die("%s does not export %s: %s", nccl.path, name, dlerror());
    return p;
}

static void load_nccl(const char* path) {
    nccl.path = path;
    nccl.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!nccl.handle) die("cannot load NCCL from '%s': %s", path, dlerror());
    nccl.getVersion = (ncclGetVersion_fn)required_symbol("ncclGetVersion");
    nccl.getUniqueId = (ncclGetUniqueId_fn)required_symbol("ncclGetUniqueId");
    nccl.commInitRank = (ncclCommInitRank_fn)required_symbol("ncclCommInitRank");
    nccl.allReduce = (ncclAllReduce_fn)required_symbol("ncclAllReduce");
    nccl.commDestroy = (ncclCommDestroy_fn)required_symbol("ncclCommDestroy");
    nccl.getErrorString = (ncclGetErrorString_fn)required_symbol("ncclGetErrorString");
    nccl.commFinalize = (ncclCommFinalize_fn)dlsym(nccl.handle, "ncclCommFinalize");
    nccl.getLastError = (ncclGetLastError_fn)dlsym(nccl.handle, "ncclGetLastError");
}

// nccl.h's NCCL_VERSION: X*1000+Y*100+Z up to 2.8, X*10000+Y*100+Z from 2.9 on.
static void decode_version(int code, int* x, int* y, int* z) {
    if (code < 10000) {
        *x = code / 1000; *y = code % 1000 / 100; *z = code % 100;
    } else {
        *x = code / 10000; *y = code % 10000 / 100; *z = code % 100;
    }
}

// ---- Options ------------------------------------------------------------------------------------------------

struct dtype_info { const char* name; int code; size_t size; };
// ncclDataType_t codes, as in the binding's DataType.
static const dtype_info DTYPES[] = {
    {"int8", 0, 1},    {"uint8", 1, 1},   {"int32", 2, 4},   {"uint32", 3, 4},   {"int64", 4, 8},
    {"uint64", 5, 8},  {"float16", 6, 2}, {"float32", 7, 4}, {"float64", 8, 8},  {"bfloat16", 9, 2},
};

struct options {
    int rank = -1, world = -1, device = 0;
    const char* id_file = NULL;
    const char* lib = NULL;
    size_t min_bytes = 8, max_bytes = 1073741824;
    int warmup = 5, iters = 20;  // 0 = auto: the per-size counts of the Java perf mode (PerfRunner.iterations)
    int max_iters = 1000;        // the cap of auto (NCCLFFM_PERF_MAX_ITERS on the Java side)
    int trials = 5;              // timed repetitions, median printed (NCCLFFM_PERF_TRIALS on the Java side)
    const dtype_info* dtype = &DTYPES[7];
    int timeout_s = 120;
};

static void usage(void) {
    fprintf(stderr,
            "usage: nccl_allreduce_bench --rank R --world N --id-file PATH [--lib libnccl.so.2]\n"
            "         [--min-bytes 8] [--max-bytes 1073741824] [--warmup 5|auto] [--iters 20|auto] [--max-iters 1000]\n"
            "         [--trials 5]\n"
            "         [--dtype float32] [--op sum] [--device 0] [--timeout-s 120]\n"
            "  --lib defaults to $NCCLFFM_SO_PATH, else libnccl.so.2 (dynamic loader search).\n"
            "  Each rank on a GPU shared with other ranks needs its own NCCL_HOSTID (see run-world.sh).\n");
    exit(2);
}

static long long parse_int(const char* flag, const char* v, long long lo, long long hi) {
    char* end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || x < lo || x > hi) die("%s expects an integer in [%lld, %lld], got '%s'", flag, lo, hi, v);
    return x;
}

static options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage();
        if (i + 1 >= argc) die("%s needs a value", a);
        const char* v = argv[++i];
        if (!strcmp(a, "--rank")) o.rank = (int)parse_int(a, v, 0, 1 << 20);
        else if (!strcmp(a, "--world")) o.world = (int)parse_int(a, v, 1, 1 << 20);
        else if (!strcmp(a, "--device")) o.device = (int)parse_int(a, v, 0, 1024);
        else if (!strcmp(a, "--id-file")) o.id_file = v;
        else if (!strcmp(a, "--lib")) o.lib = v;
        else if (!strcmp(a, "--min-bytes")) o.min_bytes = (size_t)parse_int(a, v, 1, 1LL << 40);
        else if (!strcmp(a, "--max-bytes")) o.max_bytes = (size_t)parse_int(a, v, 1, 1LL << 40);
        else if (!strcmp(a, "--warmup")) o.warmup = !strcmp(v, "auto") ? 0 : (int)parse_int(a, v, 0, 1 << 24);
        else if (!strcmp(a, "--iters")) o.iters = !strcmp(v, "auto") ? 0 : (int)parse_int(a, v, 1, 1 << 24);
        else if (!strcmp(a, "--max-iters")) o.max_iters = (int)parse_int(a, v, 10, 1000);
        else if (!strcmp(a, "--trials")) o.trials = (int)parse_int(a, v, 1, 99);
        else if (!strcmp(a, "--timeout-s")) o.timeout_s = (int)parse_int(a, v, 1, 86400);
        else if (!strcmp(a, "--op")) {
            if (strcmp(v, "sum")) die("--op: only sum is measured, got '%s'", v);
        } else if (!strcmp(a, "--dtype")) {
            o.dtype = NULL;
            for (size_t k = 0; k < sizeof DTYPES / sizeof DTYPES[0]; k++)
                if (!strcmp(v, DTYPES[k].name)) o.dtype = &DTYPES[k];
            if (!o.dtype) die("--dtype: unknown type '%s' (float32, float16, bfloat16, float64, int8, ...)", v);
        } else {
            fprintf(stderr, "unknown option %s\n", a);
            usage();
        }
    }
    if (o.rank < 0 || o.world < 1 || !o.id_file) usage();
    if (o.rank >= o.world) die("--rank %d is not below --world %d", o.rank, o.world);
    if (o.min_bytes > o.max_bytes) die("--min-bytes %zu exceeds --max-bytes %zu", o.min_bytes, o.max_bytes);
    if (!o.lib) o.lib = getenv("NCCLFFM_SO_PATH");
    if (!o.lib || !*o.lib) o.lib = "libnccl.so.2";
    return o;
}

// ---- Rendezvous through the file system ---------------------------------------------------------------------

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void write_file_atomically(const char* path, const void* data, size_t n) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) die("cannot create %s: %s", tmp, strerror(errno));
    if (write(fd, data, n) != (ssize_t)n) die("cannot write %s: %s", tmp, strerror(errno));
    if (fsync(fd) != 0) die("cannot fsync %s: %s", tmp, strerror(errno));
    close(fd);
    // rename is atomic: a polling rank sees either no file or all of it, never a half-written ID.
    if (rename(tmp, path) != 0) die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
}

static void wait_for_file(const char* path, void* data, size_t n, int timeout_s) {
    double deadline = now_s() + timeout_s;
    for (;;) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            ssize_t got = read(fd, data, n);
            close(fd);
            if (got == (ssize_t)n) return;
            die("%s holds %zd bytes, expected %zu", path, got, n);
        }
        if (errno != ENOENT) die("cannot open %s: %s", path, strerror(errno));
        if (now_s() > deadline) die("timed out after %d s waiting for %s (is rank 0 running?)", timeout_s, path);
        usleep(10000);
    }
}

// Every rank announces itself and waits for all others, so that the free-memory reading before init is taken
// after every rank on the GPU has its CUDA context and buffers: otherwise their allocations would be charged to
// the communicator.
static void barrier_via_files(const options& o) {
    char path[4096];
    char one = 1;
    snprintf(path, sizeof path, "%s.ready.%d", o.id_file, o.rank);
    write_file_atomically(path, &one, 1);
    for (int r = 0; r < o.world; r++) {
        snprintf(path, sizeof path, "%s.ready.%d", o.id_file, r);
        wait_for_file(path, &one, 1, o.timeout_s);
    }
}

// ---- Measuring ----------------------------------------------------------------------------------------------

struct run {
    const options* o;
    char library[64];
    bool graphs;
    ncclComm_t comm;
    cudaStream_t stream;
    cudaEvent_t start, stop;
    void* send;
    void* recv;
};

// --iters auto / --warmup auto: the same per-size counts as the Java perf mode (PerfRunner.iterations/warmup),
// many calls for small messages where the call path dominates, few for 1 GiB.
static int iters_for(const options* o, size_t bytes) {
    if (o->iters > 0) return o->iters;
    long long i = (256LL << 20) / (long long)(bytes ? bytes : 1);
    int n = (int)(i < 50 ? 50 : i > 1000 ? 1000 : i);  // at least PerfRunner.MIN_ITERATIONS
    return n < o->max_iters ? n : o->max_iters;
}

static int warmup_for(const options* o, size_t bytes) {
    if (o->iters > 0) return o->warmup;
    int w = iters_for(o, bytes) / 10;
    return w < 2 ? 2 : w;
}

// Every trial of one timing, in the order taken, and their median (what timeUs reports).
struct timing {
    int n;
    double trials[99];
    double median;
};

static void print_point(const run& r, size_t bytes, bool in_place, const char* mode, const timing& t) {
    double time_us = t.median;
    double alg = time_us > 0 ? bytes / (time_us * 1e-6) / 1e9 : 0.0;
    double bus = alg * 2.0 * (r.o->world - 1) / r.o->world;  // nccl-tests' allReduce bus factor
    printf("{\"library\":\"%s\",\"source\":\"c\",\"world\":%d,\"collective\":\"allReduce\",\"bytes\":%zu,"
           "\"dtype\":\"%s\",\"placement\":\"%s\",\"mode\":\"%s\",\"iterations\":%d,\"timeUs\":%.3f,"
           "\"algBwGBs\":%.6f,\"busBwGBs\":%.6f,\"trialsUs\":[",
           r.library, r.o->world, bytes, r.o->dtype->name, in_place ? "in-place" : "out-of-place", mode,
           iters_for(r.o, bytes), time_us, alg, bus);
    // Every trial, so that the harness's regression check can weigh their spread (a rank test), not just the median.
    for (int i = 0; i < t.n; i++) printf("%s%.3f", i ? "," : "", t.trials[i]);
    printf("]}\n");
    fflush(stdout);
}

static void all_reduce(const run& r, size_t count, bool in_place) {
    const void* src = in_place ? r.recv : r.send;
    NCCL_CHECK(nccl.allReduce(src, r.recv, count, r.o->dtype->code, ncclSum, r.comm, r.stream));
}

// The middle value; for an even count the mean of the two middle ones (PerfPoint.median). Sorts a copy.
static double median(const double* in, int n) {
    double v[99];
    for (int i = 0; i < n; i++) v[i] = in[i];
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static timing time_launches(const run& r, size_t count, bool in_place) {
    size_t bytes = count * r.o->dtype->size;
    int iters = iters_for(r.o, bytes);
    for (int i = 0; i < warmup_for(r.o, bytes); i++) all_reduce(r, count, in_place);
    CUDA_CHECK(cudaStreamSynchronize(r.stream));
    timing out = {};
    out.n = r.o->trials;
    double* trials = out.trials;
    for (int t = 0; t < r.o->trials; t++) {
        CUDA_CHECK(cudaEventRecord(r.start, r.stream));
        for (int i = 0; i < iters; i++) all_reduce(r, count, in_place);
        CUDA_CHECK(cudaEventRecord(r.stop, r.stream));
        CUDA_CHECK(cudaEventSynchronize(r.stop));
        float ms;
        CUDA_CHECK(cudaEventElapsedTime(&ms, r.start, r.stop));
        trials[t] = ms * 1000.0 / iters;
    }
    out.median = median(trials, r.o->trials);
    return out;
}

static timing time_graph(const run& r, size_t count, bool in_place) {
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    int iters = iters_for(r.o, count * r.o->dtype->size);
    CUDA_CHECK(cudaStreamBeginCapture(r.stream, cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < iters; i++) all_reduce(r, count, in_place);
    CUDA_CHECK(cudaStreamEndCapture(r.stream, &graph));
    // WithFlags has one signature from CUDA 11.4 to 13; cudaGraphInstantiate changed its signature in CUDA 12.
    CUDA_CHECK(cudaGraphInstantiateWithFlags(&exec, graph, 0));
    CUDA_CHECK(cudaGraphLaunch(exec, r.stream));  // warm-up: first launch uploads the graph
    CUDA_CHECK(cudaStreamSynchronize(r.stream));
    timing out = {};
    out.n = r.o->trials;
    double* trials = out.trials;
    for (int t = 0; t < r.o->trials; t++) {
        CUDA_CHECK(cudaEventRecord(r.start, r.stream));
        CUDA_CHECK(cudaGraphLaunch(exec, r.stream));
        CUDA_CHECK(cudaEventRecord(r.stop, r.stream));
        CUDA_CHECK(cudaEventSynchronize(r.stop));
        float ms;
        CUDA_CHECK(cudaEventElapsedTime(&ms, r.start, r.stop));
        trials[t] = ms * 1000.0 / iters;
    }
    CUDA_CHECK(cudaGraphExecDestroy(exec));
    CUDA_CHECK(cudaGraphDestroy(graph));
    out.median = median(trials, r.o->trials);
    return out;
}

int main(int argc, char** argv) {
    options o = parse_options(argc, argv);
    g_rank = o.rank;
    load_nccl(o.lib);

    int code, x, y, z;
    NCCL_CHECK(nccl.getVersion(&code));
    decode_version(code, &x, &y, &z);
    run r = {};
    r.o = &o;
    snprintf(r.library, sizeof r.library, "NCCL %d.%d.%d", x, y, z);
    r.graphs = code >= 20900;  // NCCL collectives can be captured into CUDA graphs from 2.9 on
    if (!r.graphs) fprintf(stderr, "rank %d: %s predates CUDA graph support (2.9); graph mode skipped\n", o.rank, r.library);
    fprintf(stderr, "rank %d of %d: %s from %s, device %d, NCCL_HOSTID=%s\n", o.rank, o.world, r.library, o.lib,
            o.device, getenv("NCCL_HOSTID") ? getenv("NCCL_HOSTID") : "(unset)");

    // The context and both buffers exist before the memory reading, so only NCCL's own allocations count.
    CUDA_CHECK(cudaSetDevice(o.device));
    CUDA_CHECK(cudaFree(0));
    CUDA_CHECK(cudaStreamCreateWithFlags(&r.stream, cudaStreamNonBlocking));
    CUDA_CHECK(cudaEventCreate(&r.start));
    CUDA_CHECK(cudaEventCreate(&r.stop));
    CUDA_CHECK(cudaMalloc(&r.send, o.max_bytes));
    CUDA_CHECK(cudaMalloc(&r.recv, o.max_bytes));
    // Zeros: any finite value would do, but garbage bits may be NaNs or denormals, which some paths treat slowly.
    CUDA_CHECK(cudaMemset(r.send, 0, o.max_bytes));
    CUDA_CHECK(cudaMemset(r.recv, 0, o.max_bytes));
    CUDA_CHECK(cudaDeviceSynchronize());

    ncclUniqueId id;
    if (o.rank == 0) {
        NCCL_CHECK(nccl.getUniqueId(&id));
        write_file_atomically(o.id_file, &id, sizeof id);
    } else {
        wait_for_file(o.id_file, &id, sizeof id, o.timeout_s);
    }
    barrier_via_files(o);

    size_t free_before, free_after, total;
    CUDA_CHECK(cudaMemGetInfo(&free_before, &total));
    double t0 = now_s();
    NCCL_CHECK(nccl.commInitRank(&r.comm, o.world, id, o.rank));
    double init_ms = (now_s() - t0) * 1000.0;
    g_comm = r.comm;
    // One tiny allReduce is a barrier: every rank's init has finished before the second reading.
    all_reduce(r, 1, true);
    CUDA_CHECK(cudaStreamSynchronize(r.stream));
    CUDA_CHECK(cudaMemGetInfo(&free_after, &total));
    // cudaMemGetInfo is device-wide: with several ranks on one GPU the drop covers all their communicators.
    printf("{\"event\":\"init\",\"library\":\"%s\",\"source\":\"c\",\"world\":%d,\"rank\":%d,\"initMs\":%.3f,"
           "\"freeBeforeBytes\":%zu,\"freeAfterBytes\":%zu,\"commMemoryBytes\":%lld,\"totalBytes\":%zu}\n",
           r.library, o.world, o.rank, init_ms, free_before, free_after,
           (long long)free_before - (long long)free_after, total);
    fflush(stdout);

    // The Java perf mode makes 20 untimed 8-byte calls per allowed iteration before its sweep, for its JIT
    // (PerfRunner.jitWarmupCalls); the same calls here, so both sides begin the sweep with the GPU's clocks up and
    // NCCL's kernels loaded, and the first size measures the call path, not the warm-up.
    size_t warm_count = 8 / o.dtype->size ? 8 / o.dtype->size : 1;
    for (int i = 0; i < 20 * o.max_iters; i++) all_reduce(r, warm_count, false);
    CUDA_CHECK(cudaStreamSynchronize(r.stream));

    for (size_t bytes = o.min_bytes; bytes <= o.max_bytes; bytes *= 2) {
        size_t count = bytes / o.dtype->size;
        if (count == 0) continue;
        size_t moved = count * o.dtype->size;  // what is reduced when bytes is not a multiple of the element size
        for (int p = 0; p < 2; p++) {
            bool in_place = p == 1;
            print_point(r, moved, in_place, "launch", time_launches(r, count, in_place));
            if (r.graphs) print_point(r, moved, in_place, "graph", time_graph(r, count, in_place));
        }
        if (bytes > o.max_bytes / 2) break;  // doubling again would overflow for max near SIZE_MAX
    }

    CUDA_CHECK(cudaStreamSynchronize(r.stream));
    if (nccl.commFinalize) NCCL_CHECK(nccl.commFinalize(r.comm));
    NCCL_CHECK(nccl.commDestroy(r.comm));
    CUDA_CHECK(cudaFree(r.send));
    CUDA_CHECK(cudaFree(r.recv));
    CUDA_CHECK(cudaEventDestroy(r.start));
    CUDA_CHECK(cudaEventDestroy(r.stop));
    CUDA_CHECK(cudaStreamDestroy(r.stream));
    return 0;
}
