/*
 * A stand-in for libnccl.so.2 that does no work, so the benchmarks measure only the cost of getting from Java to
 * the C function and back: every function returns ncclSuccess at once.
 *
 * It exports what Nccl.load and Communicator need (ncclGetVersion says 2.28.9, ncclCommInitRank hands out a
 * dummy non-null communicator) and nothing RCCL-only, so the binding takes it for NCCL 2.28.9 and runs its real
 * checks. Build: gcc -O2 -shared -fPIC -Wl,-z,noexecstack -o libstub_nccl.so stub_nccl.c
 */
#include <stddef.h>
#include <string.h>

typedef struct { char internal[128]; } ncclUniqueId;
typedef int ncclResult_t;

/* The communicator the stub hands out: any non-null address will do, nothing reads through it. */
static char dummy_comm[64];

ncclResult_t ncclGetVersion(int* version) { *version = 22809; return 0; }

ncclResult_t ncclGetUniqueId(ncclUniqueId* id) {
    memset(id, 0, sizeof *id);
    id->internal[0] = 1;  /* ncclGetUniqueId never produces all zeros */
    return 0;
}

ncclResult_t ncclCommInitRank(void** comm, int nranks, ncclUniqueId id, int rank) {
    (void)nranks; (void)id; (void)rank;
    *comm = dummy_comm;
    return 0;
}

ncclResult_t ncclCommInitRankConfig(void** comm, int nranks, ncclUniqueId id, int rank, void* config) {
    (void)config;
    return ncclCommInitRank(comm, nranks, id, rank);
}

ncclResult_t ncclCommFinalize(void* comm) { (void)comm; return 0; }
ncclResult_t ncclCommDestroy(void* comm) { (void)comm; return 0; }
ncclResult_t ncclCommAbort(void* comm) { (void)comm; return 0; }
ncclResult_t ncclCommGetAsyncError(void* comm, int* status) { (void)comm; *status = 0; return 0; }
ncclResult_t ncclCommCount(void* comm, int* count) { (void)comm; *count = 1; return 0; }
ncclResult_t ncclCommUserRank(void* comm, int* rank) { (void)comm; *rank = 0; return 0; }
ncclResult_t ncclCommCuDevice(void* comm, int* device) { (void)comm; *device = 0; return 0; }

const char* ncclGetErrorString(ncclResult_t result) { return result == 0 ? "no error" : "stub error"; }
const char* ncclGetLastError(void* comm) { (void)comm; return ""; }

ncclResult_t ncclGroupStart(void) { return 0; }
ncclResult_t ncclGroupEnd(void) { return 0; }

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, int datatype, int op, void* comm,
                           void* stream) {
    (void)sendbuff; (void)recvbuff; (void)count; (void)datatype; (void)op; (void)comm; (void)stream;
    return 0;
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, int datatype, int root, void* comm,
                           void* stream) {
    (void)sendbuff; (void)recvbuff; (void)count; (void)datatype; (void)root; (void)comm; (void)stream;
    return 0;
}

ncclResult_t ncclSend(const void* sendbuff, size_t count, int datatype, int peer, void* comm, void* stream) {
    (void)sendbuff; (void)count; (void)datatype; (void)peer; (void)comm; (void)stream;
    return 0;
}

ncclResult_t ncclRecv(void* recvbuff, size_t count, int datatype, int peer, void* comm, void* stream) {
    (void)recvbuff; (void)count; (void)datatype; (void)peer; (void)comm; (void)stream;
    return 0;
}

ncclResult_t ncclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, int datatype, void* comm, void* stream) {
    (void)sendbuff; (void)recvbuff; (void)count; (void)datatype; (void)comm; (void)stream;
    return 0;
}
