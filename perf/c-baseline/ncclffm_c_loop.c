// ncclffm_c_loop: N back-to-back ncclAllReduce calls made from C, called from Java through one FFM downcall.
//
// The Java perf mode (NCCLFFM_PERF_C_LOOP=path/to/libncclffm_c_loop.so) times trials of this loop between trials
// of its own loop through the binding: same process, same communicator, same buffers, same stream, interleaved
// trial by trial. Separate processes (nccl_allreduce_bench) differ by up to ~25% from run to run at 8 B on the
// H100, far more than the 5% goal; interleaved trials in one process leave only the binding's own per-call cost.
//
// fn is ncclAllReduce's address in the NCCL library the binding loaded, passed in so that this library neither
// links nor dlopens NCCL. Returns 0, or the first non-zero ncclResult_t (the loop stops there).
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
