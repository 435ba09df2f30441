// ncclffm_c_loop: N back-to-back NCCL calls made from C, called from Java through one FFM downcall.
//
// The Java perf mode (NCCLFFM_PERF_C_LOOP=path/to/libncclffm_c_loop.so) times trials of these loops between trials
// of its own loop through the binding: same process, same communicator, same buffers, same stream, interleaved
// trial by trial. Separate processes (nccl_allreduce_bench, nccl-tests) differ by up to ~25% from run to run at 8 B,
// far more than the 5% goal; interleaved trials in one process leave only the binding's own per-call cost.
//
// NCCL's functions are passed in by address, taken from the NCCL library the binding loaded, so that this library
// neither links nor dlopens NCCL. Each loop returns 0, or the first non-zero ncclResult_t (the loop stops there).
#include <stddef.h>

typedef int (*all_reduce_fn)(const void* send, void* recv, size_t count, int dtype, int op, void* comm, void* stream);

int ncclffm_allreduce_loop(void* fn, const void* send, void* recv, size_t count, int dtype, int op, void* comm,
                           void* stream, int n) {
    all_reduce_fn f = (all_reduce_fn)fn;
    for (int i = 0; i < n; i++) {
        int rc = f(send, recv, count, dtype, op, comm, stream);
        if (rc != 0) return rc;
    }
    return 0;
}

// ncclReduceScatter and ncclBroadcast have ncclAllReduce's shape (a broadcast's root in the place of the op), so
// ncclffm_allreduce_loop makes them too; ncclAllGather and ncclAlltoAll share the shape below, ncclReduce its own.
typedef int (*two_buffer_fn)(const void* send, void* recv, size_t count, int dtype, void* comm, void* stream);

int ncclffm_two_buffer_loop(void* fn, const void* send, void* recv, size_t count, int dtype, void* comm, void* stream,
                            int n) {
    two_buffer_fn f = (two_buffer_fn)fn;
    for (int i = 0; i < n; i++) {
        int rc = f(send, recv, count, dtype, comm, stream);
        if (rc != 0) return rc;
    }
    return 0;
}

typedef int (*reduce_fn)(const void* send, void* recv, size_t count, int dtype, int op, int root, void* comm, void* stream);

int ncclffm_reduce_loop(void* fn, const void* send, void* recv, size_t count, int dtype, int op, int root, void* comm,
                        void* stream, int n) {
    reduce_fn f = (reduce_fn)fn;
    for (int i = 0; i < n; i++) {
        int rc = f(send, recv, count, dtype, op, root, comm, stream);
        if (rc != 0) return rc;
    }
    return 0;
}

typedef int (*group_fn)(void);
typedef int (*send_fn)(const void* send, size_t count, int dtype, int peer, void* comm, void* stream);
typedef int (*recv_fn)(void* recv, size_t count, int dtype, int peer, void* comm, void* stream);

// nccl-tests' sendrecv_perf, as the binding's perf mode makes it: each rank sends to the next rank and receives
// from the previous one, the two calls in one group.
int ncclffm_sendrecv_loop(void* group_start, void* send_call, void* recv_call, void* group_end, const void* send,
                          void* recv, size_t count, int dtype, int next, int prev, void* comm, void* stream, int n) {
    group_fn start = (group_fn)group_start;
    group_fn end = (group_fn)group_end;
    send_fn s = (send_fn)send_call;
    recv_fn r = (recv_fn)recv_call;
    for (int i = 0; i < n; i++) {
        int rc = start();
        if (rc == 0) rc = s(send, count, dtype, next, comm, stream);
        if (rc == 0) rc = r(recv, count, dtype, prev, comm, stream);
        int rcEnd = end();
        if (rc != 0) return rc;
        if (rcEnd != 0) return rcEnd;
    }
    return 0;
}
