/*
 * Stand-in for ROCm's hip/hip_runtime.h, so that RCCL's rccl.h compiles with plain gcc and no ROCm for
 * nccl_layout.c. rccl.h needs one HIP type, hipStream_t, an opaque pointer passed by value as in HIP's own
 * header. The real header also brings the C standard headers below.
 */
#ifndef NCCLFFM_STANDIN_HIP_RUNTIME_H
#define NCCLFFM_STANDIN_HIP_RUNTIME_H
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
typedef struct ihipStream_t *hipStream_t;
#endif
